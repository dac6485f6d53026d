using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using PatchBot.Engine.Check;
using PatchBot.Bot.State;

namespace PatchBot.Bot.Sinks;

/// <summary>What one reply says.</summary>
/// <param name="Parent">The message replied to (a patch, or the cover letter for a per-series mail).</param>
/// <param name="SeriesTitle">The series title.</param>
/// <param name="Version">The series version.</param>
/// <param name="PatchLabel">"patch 2/3" or "series" for a per-series mail.</param>
/// <param name="Findings">New findings to report, in order.</param>
/// <param name="Fixed">Findings of the earlier version that are gone.</param>
/// <param name="StillPresent">How many findings of the earlier version are still there (reported before, not repeated).</param>
/// <param name="Missing">Parts that never came (checked without them), empty when the series was complete.</param>
/// <param name="PreviousVersion">The version <paramref name="Fixed"/> refers to.</param>
internal sealed record ReplyContent(
    MimeMessage Parent,
    string SeriesTitle,
    int Version,
    string PatchLabel,
    IReadOnlyList<ReportedFinding> Findings,
    IReadOnlyList<FindingKey> Fixed,
    int StillPresent,
    IReadOnlyList<int> Missing,
    int? PreviousVersion)
{
    /// <summary>The tree the series was analysed against and how it was chosen; null when none is configured.</summary>
    public string? Tree { get; init; }

    /// <summary>What was not analysed, as "file: reason" (the reply shows the first <see cref="ReplyComposer.MaxNotChecked"/>).</summary>
    public IReadOnlyList<string> NotChecked { get; init; } = [];
}

/// <summary>Where a reply goes.</summary>
internal sealed record ReplyAddresses(IReadOnlyList<MailboxAddress> To, IReadOnlyList<MailboxAddress> Cc);

/// <summary>
/// Builds replies in the style of the kernel test robot: plain text, UTF-8, no format=flowed, no HTML,
/// "Re: subject", In-Reply-To and References, Auto-Submitted: auto-replied; a short header naming the series,
/// version and patch; each finding as file:line with the offending line quoted, then trace, why and fix
/// (bottom-posted); a footer saying what PatchBot is and how to silence it.
/// </summary>
internal static class ReplyComposer
{
    public const string MarkerHeader = "X-PatchBot";

    public static MimeMessage Compose(ReplyContent content, ReplyAddresses to, MailboxAddress from, string contact, DateTimeOffset date)
    {
        var parent = content.Parent;
        var reply = new MimeMessage();
        reply.From.Add(from);
        reply.To.AddRange(to.To);
        reply.Cc.AddRange(to.Cc);
        string subject = parent.Subject ?? string.Empty;
        reply.Subject = subject.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? subject : "Re: " + subject;
        reply.Date = date;
        string parentId = parent.MessageId ?? string.Empty;
        reply.MessageId = ReplyMessageId(parentId, from.Address);
        if (parentId.Length > 0)
        {
            // MimeKit reads a Message-ID it refuses to write ("<20201110220516.>", "<(g>"): such an id is left out of the
            // threading headers instead of failing the whole series (the reply is then threaded under the ids that remain).
            bool writable = IsWritableId(parentId);
            if (writable)
            {
                reply.InReplyTo = parentId;
            }

            var references = writable ? References(parent.References, parentId) : References(parent.References.SkipLast(1).ToList(), parent.References.LastOrDefault() ?? string.Empty);
            reply.References.AddRange(references.Where(id => id.Length > 0 && IsWritableId(id))); // at once: each Add re-encodes the header
        }

        reply.Headers.Add("Auto-Submitted", "auto-replied");
        reply.Headers.Add(MarkerHeader, ToolInfo.Version);
        reply.Headers.Add(HeaderId.UserAgent, $"PatchBot/{ToolInfo.Version}");

        string body = Body(content, contact);
        var part = new TextPart("plain") { Text = body };
        part.ContentType.Charset = "utf-8";
        part.ContentTransferEncoding = body.All(c => c < 128) ? ContentEncoding.SevenBit : ContentEncoding.EightBit;
        reply.Body = part;
        return reply;
    }

    /// <summary>Lines of "Not analysed" a reply shows at most.</summary>
    public const int MaxNotChecked = 5;

    /// <summary>Whether a coverage note belongs in a reply: a gap in what was analysed. A part without C is not one
    /// (documentation, Kconfig, bindings are simply not PatchBot's business).</summary>
    public static bool IsWorthSaying(CoverageEntry entry) =>
        !entry.Reason.StartsWith("no C in the patch", StringComparison.Ordinal);

    /// <summary>The most Message-IDs a reply's References header holds.</summary>
    public const int MaxReferences = 20;

    /// <summary>The parent's References then the parent, bounded as mail clients do: the thread's root (the first) and
    /// the last <see cref="MaxReferences"/> - 1, which end with the parent.</summary>
    internal static IEnumerable<string> References(IList<string> parentReferences, string parentId)
    {
        int count = parentReferences.Count + 1;
        if (count <= MaxReferences)
        {
            return parentReferences.Append(parentId);
        }

        int tail = MaxReferences - 2; // from the parent's own references, besides the root and the parent
        return parentReferences.Take(1).Concat(parentReferences.Skip(parentReferences.Count - tail)).Append(parentId);
    }

    /// <summary>Whether MimeKit writes <paramref name="id"/> in In-Reply-To (its setter's own check, which is stricter than
    /// its parser; applied to References too, so both headers name the same kind of id).</summary>
    private static bool IsWritableId(string id)
    {
        using var probe = new MimeMessage();
        try
        {
            probe.InReplyTo = id;
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Stable: the same parent always gets the same reply Message-ID, so a reply can be recognised if it is ever made twice.</summary>
    public static string ReplyMessageId(string parentMessageId, string botAddress)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(parentMessageId)))[..24];
        int at = botAddress.IndexOf('@', StringComparison.Ordinal);
        string domain = at >= 0 ? botAddress[(at + 1)..] : "patchbot.invalid";
        return $"patchbot.{hash}@{domain}";
    }

    public static string Body(ReplyContent content, string contact)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        string name = content.Parent.From.Mailboxes.FirstOrDefault()?.Name is { Length: > 0 } n ? n : "there";
        sb.Append(inv, $"Hi {name},\n\n");
        int count = content.Findings.Count;
        if (count > 0)
        {
            sb.Append(inv, $"PatchBot found {Plural(count, "problem")} in your {(content.PatchLabel == "series" ? "series" : "patch")}");
            sb.Append(content.PreviousVersion is int pv ? string.Create(inv, $" that v{pv} did not have.\n") : ".\n");
        }
        else if (content.Fixed.Count > 0)
        {
            sb.Append(inv, $"Thanks: {(content.Fixed.Count == 1 ? "the problem" : "the problems")} PatchBot reported on v{content.PreviousVersion} {(content.Fixed.Count == 1 ? "is" : "are")} fixed in v{content.Version}.\n");
        }
        else
        {
            sb.Append("PatchBot found no problems in this series.\n");
        }

        sb.Append('\n');
        sb.Append(inv, $"  series:  {content.SeriesTitle}\n");
        sb.Append(inv, $"  version: v{content.Version}\n");
        if (content.PatchLabel != "series")
        {
            sb.Append(inv, $"  patch:   {content.Parent.Subject}\n");
        }
        if (content.Tree is not null)
        {
            sb.Append(inv, $"  tree:    {content.Tree}\n");
        }

        if (content.Missing.Count > 0)
        {
            sb.Append(inv, $"  missing: {(content.Missing.Count == 1 ? "part" : "parts")} {string.Join(", ", content.Missing)} never arrived; PatchBot checked the parts it had\n");
        }

        foreach (var reported in content.Findings)
        {
            var f = reported.Finding;
            sb.Append('\n');
            sb.Append(inv, $"{f.File}:{f.Line}: {reported.SeverityName}: {f.Message} [{f.Rule}]\n");
            if (reported.Subject is not null && content.PatchLabel == "series")
            {
                sb.Append(inv, $"in: {reported.Subject}\n");
            }

            sb.Append('\n');
            if (reported.SourceLine is not null)
            {
                sb.Append(inv, $"> {reported.SourceLine}\n\n");
            }

            if (f.Trace.Count > 0)
            {
                sb.Append(inv, $"trace: {string.Join(" -> ", f.Trace)}\n");
            }

            if (f.Scenarios.Count > 0)
            {
                sb.Append(inv, $"fails: {string.Join("; ", f.Scenarios)}\n");
            }

            sb.Append(inv, $"why:   {Wrap(f.Explanation)}\n");
            sb.Append(inv, $"fix:   {Wrap(f.Fix)}\n");
        }

        if (content.NotChecked.Count > 0)
        {
            sb.Append('\n');
            sb.Append("Not analysed:\n");
            foreach (var line in content.NotChecked.Take(MaxNotChecked))
            {
                sb.Append(inv, $"  - {line}\n");
            }

            if (content.NotChecked.Count > MaxNotChecked)
            {
                sb.Append(inv, $"  - and {content.NotChecked.Count - MaxNotChecked} more\n");
            }
        }

        if (content.Fixed.Count > 0)
        {
            sb.Append('\n');
            sb.Append(inv, $"Fixed since v{content.PreviousVersion}:\n");
            foreach (var k in content.Fixed)
            {
                sb.Append(inv, $"  - {k.File}: {k.Function}: [{k.Rule}] is fixed\n");
            }
        }

        if (content.StillPresent > 0)
        {
            sb.Append('\n');
            sb.Append(inv, $"{Plural(content.StillPresent, "problem")} reported on v{content.PreviousVersion} {(content.StillPresent == 1 ? "is" : "are")} still there (not repeated here).\n");
        }

        sb.Append("\n-- \n");
        sb.Append(inv, $"PatchBot {ToolInfo.Version} reads the patches posted to this list and looks for\n");
        sb.Append("lifecycle-ordering bugs that a line-based linter cannot see. It is deterministic\n");
        sb.Append("and answers each patch at most once.\n");
        sb.Append("To silence a finding for this series and its later versions, reply to this mail\n");
        sb.Append("with a line \"patchbot: ignore <rule-id>\" (the rule id is in brackets above).\n");
        if (contact.Length > 0)
        {
            sb.Append(inv, $"To stop these mails on a list, write to {contact}.\n");
        }

        return sb.ToString();
    }

    /// <summary>Prose wrapped at 72 columns, continuation lines indented under the label (mail etiquette).</summary>
    private static string Wrap(string text)
    {
        const int width = 72;
        const string indent = "       ";
        var sb = new StringBuilder();
        int column = indent.Length;
        foreach (var word in text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (column > indent.Length && column + 1 + word.Length > width)
            {
                sb.Append('\n').Append(indent);
                column = indent.Length;
            }
            else if (column > indent.Length)
            {
                sb.Append(' ');
                column++;
            }

            sb.Append(word);
            column += word.Length;
        }

        return sb.ToString();
    }

    private static string Plural(int n, string one) => string.Create(CultureInfo.InvariantCulture, $"{n} {one}{(n == 1 ? "" : "s")}");
}
