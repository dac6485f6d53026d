using System.Buffers;
using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Mail;

/// <summary>
/// Finds the patches in one decoded text (a mail body, an attachment, a bare patch file) and splits each into
/// commit message, trailers and diff. Works on spans over the one decoded string; allocates only the results.
/// </summary>
internal static class PatchText
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>What git request-pull writes, any case; a vectorised search (it runs on every message).</summary>
    private static readonly SearchValues<string> RequestPullPhrase =
        SearchValues.Create(["are available in the git repository at"], StringComparison.OrdinalIgnoreCase);

    /// <summary>Normalises a decoded body once: CRLF to LF (when the text uses CRLF), mboxrd "&gt;From " unquoting.</summary>
    public static string Normalize(string text, bool unquoteMboxFrom)
    {
        int firstNl = text.IndexOf('\n', StringComparison.Ordinal);
        if (firstNl > 0 && text[firstNl - 1] == '\r')
        {
            text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        }
        if (unquoteMboxFrom && (text.StartsWith(">From ", StringComparison.Ordinal) || text.Contains("\n>From ", StringComparison.Ordinal)
            || text.Contains("\n>>From ", StringComparison.Ordinal)))
        {
            text = UnquoteFrom(text);
        }
        return text;
    }

    /// <summary>mboxrd: a line "&gt;+From " loses one '&gt;'.</summary>
    private static string UnquoteFrom(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int nl = text.IndexOf('\n', i);
            int end = nl < 0 ? text.Length : nl + 1;
            var line = text.AsSpan(i, end - i);
            int q = 0;
            while (q < line.Length && line[q] == '>')
            {
                q++;
            }
            if (q > 0 && line[q..].StartsWith("From ", StringComparison.Ordinal))
            {
                sb.Append(line[1..]);
            }
            else
            {
                sb.Append(line);
            }
            i = end;
        }
        return sb.ToString();
    }

    /// <summary>
    /// Reads every patch in <paramref name="text"/>: one per "From &lt;sha&gt;" format-patch section when there are
    /// several, otherwise the one diff. Returns true when <paramref name="maxPatches"/> stopped it early.
    /// </summary>
    public static bool ReadPatches(string text, string? attachmentName, MailOptions options, List<MailPatch> into, int maxPatches)
    {
        var sections = FormatPatchSections(text);
        for (int i = 0; i < sections.Count; i++)
        {
            if (into.Count >= maxPatches)
            {
                return true;
            }
            var patch = ReadPatch(text, sections[i].Start, sections[i].End, attachmentName, options);
            if (patch is not null)
            {
                into.Add(patch);
            }
        }
        return false;
    }

    /// <summary>True when a diff starts somewhere in the text.</summary>
    public static bool HasDiff(ReadOnlySpan<char> text) => DiffReader.FindDiffStart(text) >= 0;

    /// <summary>The text split at git format-patch "From &lt;40 hex&gt; " lines, when there are at least two.</summary>
    internal static List<(int Start, int End)> FormatPatchSections(string text)
    {
        var starts = new List<int>();
        int from = 0;
        while (from < text.Length)
        {
            int at = text.IndexOf("From ", from, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }
            from = at + 5;
            if ((at == 0 || text[at - 1] == '\n') && IsFormatPatchMarker(text.AsSpan(at)))
            {
                starts.Add(at);
            }
        }
        if (starts.Count < 2)
        {
            return [(0, text.Length)];
        }
        var sections = new List<(int, int)>(starts.Count);
        if (starts[0] > 0 && HasDiff(text.AsSpan(0, starts[0])))
        {
            sections.Add((0, starts[0]));
        }
        for (int i = 0; i < starts.Count; i++)
        {
            sections.Add((starts[i], i + 1 < starts.Count ? starts[i + 1] : text.Length));
        }
        return sections;
    }

    /// <summary>"From 0123...(40 hex) Mon Sep 17 00:00:00 2001".</summary>
    private static bool IsFormatPatchMarker(ReadOnlySpan<char> line) =>
        line.Length > 46 && line.StartsWith("From ", StringComparison.Ordinal)
        && !line.Slice(5, 40).ContainsAnyExcept(HexDigits) && line[45] == ' ';

    /// <summary>One patch from text[start..end], or null when there is no diff in it.</summary>
    internal static MailPatch? ReadPatch(string text, int start, int end, string? attachmentName, MailOptions options)
    {
        var section = text.AsSpan(start, end - start);
        int diffStart = DiffReader.FindDiffStart(section);
        if (diffStart < 0)
        {
            return null;
        }

        var trailers = new List<Trailer>();
        var message = CommitMessage(section[..diffStart], out var subject);
        TrailerReader.ReadTrailers(message, trailers);

        // The diff runs to the end of the section, less the footer lines and the "-- " signature after it.
        var diffPart = section[diffStart..];
        int footerAt = TrailerReader.ReadFooters(diffPart, trailers);
        int diffEnd = diffPart.Length;
        int signature = diffPart.LastIndexOf("\n-- \n", StringComparison.Ordinal);
        if (signature < 0 && diffPart.EndsWith("\n-- ", StringComparison.Ordinal))
        {
            signature = diffPart.Length - 4;
        }
        foreach (int tail in (ReadOnlySpan<int>)[footerAt, signature])
        {
            if (tail >= 0 && tail < diffEnd && !LooksLikeDiff(diffPart[tail..]))
            {
                diffEnd = tail + (diffPart[tail] == '\n' ? 1 : 0);
            }
        }

        var diffText = text.Substring(start + diffStart, diffEnd);
        var diff = DiffReader.Read(diffText, options.Diff);
        int diffStartLine = 1 + text.AsSpan(0, start + diffStart).Count('\n');
        return new MailPatch(message.ToString(), trailers, diff, attachmentName, diffStartLine) { Subject = subject };
    }

    private static bool LooksLikeDiff(ReadOnlySpan<char> tail) =>
        tail.Contains("\n@@ ", StringComparison.Ordinal) || tail.Contains("\ndiff --git ", StringComparison.Ordinal);

    /// <summary>
    /// The commit message from the text before the diff: without a leading mbox/mail header block, in-body
    /// From:/Subject:/Date: lines, anything above a scissors line, and without the "---" separator and what
    /// follows it (diffstat, version notes).
    /// </summary>
    internal static ReadOnlySpan<char> CommitMessage(ReadOnlySpan<char> head, out string? subject)
    {
        subject = null;

        // An attachment or bare file that is git format-patch output starts with its own headers.
        if (IsFormatPatchMarker(head) || LooksLikeHeaderBlock(head))
        {
            int blank = head.IndexOf("\n\n", StringComparison.Ordinal);
            var headers = blank < 0 ? head : head[..blank];
            subject = HeaderValue(headers, "Subject:");
            head = blank < 0 ? [] : head[(blank + 2)..];
        }

        // Scissors: "-- >8 --" means the message starts below it.
        int lineStart = 0;
        int separator = -1;
        while (lineStart < head.Length)
        {
            int nl = head[lineStart..].IndexOf('\n');
            int lineEnd = nl < 0 ? head.Length : lineStart + nl;
            var line = head[lineStart..lineEnd];
            if (IsScissors(line))
            {
                head = head[(lineEnd < head.Length ? lineEnd + 1 : lineEnd)..];
                lineStart = 0;
                separator = -1;
                continue;
            }
            if (separator < 0 && line.TrimEnd().SequenceEqual("---"))
            {
                separator = lineStart;
            }
            lineStart = lineEnd + 1;
        }
        if (separator >= 0)
        {
            head = head[..separator];
        }

        // In-body headers at the top of the body (git send-email for another author, or after scissors).
        head = head.TrimStart('\n');
        if (StartsWithInBodyHeader(head))
        {
            int blank = head.IndexOf("\n\n", StringComparison.Ordinal);
            var headers = blank < 0 ? head : head[..blank];
            subject = HeaderValue(headers, "Subject:") ?? subject;
            head = blank < 0 ? [] : head[(blank + 2)..];
        }

        return head.Trim();
    }

    private static bool StartsWithInBodyHeader(ReadOnlySpan<char> head) =>
        head.StartsWith("From: ", StringComparison.Ordinal) || head.StartsWith("Subject: ", StringComparison.Ordinal)
        || head.StartsWith("Date: ", StringComparison.Ordinal);

    private static bool LooksLikeHeaderBlock(ReadOnlySpan<char> head)
    {
        int nl = head.IndexOf('\n');
        var first = nl < 0 ? head : head[..nl];
        return first.StartsWith("From: ", StringComparison.Ordinal) && head.Contains("\nSubject: ", StringComparison.Ordinal)
            && head.Contains("\n\n", StringComparison.Ordinal);
    }

    private static string? HeaderValue(ReadOnlySpan<char> headers, string name)
    {
        int at = headers.StartsWith(name, StringComparison.OrdinalIgnoreCase) ? 0 : -1;
        if (at < 0)
        {
            int i = headers.IndexOf("\n" + name, StringComparison.OrdinalIgnoreCase);
            at = i < 0 ? -1 : i + 1;
        }
        if (at < 0)
        {
            return null;
        }
        var rest = headers[(at + name.Length)..];
        // unfold continuation lines
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            int nl = rest.IndexOf('\n');
            var line = nl < 0 ? rest : rest[..nl];
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }
            sb.Append(line.Trim());
            if (nl < 0 || nl + 1 >= rest.Length || rest[nl + 1] is not (' ' or '\t'))
            {
                break;
            }
            rest = rest[(nl + 1)..];
        }
        return sb.ToString();
    }

    /// <summary>A line of dashes (and spaces) holding "&gt;8" or "8&lt;" (also "%&lt;", "&gt;%"), as git mailinfo --scissors.</summary>
    private static bool IsScissors(ReadOnlySpan<char> line)
    {
        line = line.Trim();
        if (line.Length < 6 || line.Length > 80)
        {
            return false;
        }
        int marks = 0, dashes = 0;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '-')
            {
                dashes++;
            }
            else if (c == ' ')
            {
                // ok
            }
            else if (i + 1 < line.Length && ((c is '>' && line[i + 1] is '8' or '%') || (c is '8' or '%' && line[i + 1] == '<')))
            {
                marks++;
                i++;
            }
            else
            {
                return false;
            }
        }
        return marks > 0 && dashes >= 2;
    }

    /// <summary>The body quotes diff lines with "&gt; " (a review reply).</summary>
    public static bool QuotesDiff(string text) =>
        text.Contains("\n> diff --git ", StringComparison.Ordinal)
        || text.Contains("\n> @@ ", StringComparison.Ordinal)
        || text.Contains("\n> +++ ", StringComparison.Ordinal)
        || text.Contains("\n>> @@ ", StringComparison.Ordinal);

    /// <summary>git request-pull output ("are available in the Git repository at").</summary>
    public static bool LooksLikeRequestPull(string text)
    {
        var head = text.AsSpan(0, Math.Min(text.Length, 8192));
        int at = head.IndexOfAny(RequestPullPhrase);
        // A quoted request-pull ("> are available ...") is a reply, not a pull request.
        return at >= 0 && !QuotedLine(head, at);
    }

    private static bool QuotedLine(ReadOnlySpan<char> text, int at)
    {
        int ls = text[..at].LastIndexOf('\n') + 1;
        return text[ls..at].TrimStart().StartsWith('>');
    }
}
