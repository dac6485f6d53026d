using MimeKit;
using PatchBot.Bot.Sinks;
using PatchBot.Bot.Sources;
using PatchBot.Bot.Worker;
using PatchBot.Engine.Check;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Findings;

namespace PatchBot.Fuzz;

/// <summary>
/// The serve intake and the reply composer on one incoming message, without a store or a network: the size limit
/// and the Message-ID the intake keys a message by (<see cref="MailIntake"/>), the same MIME reader serve
/// classifies with, the never-answer filters (bounces, list software, robots, Precedence) under the list policy the
/// message selects, "patchbot: ignore" requests, the series of the message checked as serve checks it, and for every
/// patch (or, with no findings, the message itself) the reply <see cref="ReplyComposer"/> builds for the addresses
/// <see cref="ReplyAudience"/> chooses, written out and read back as the outbox does before sending.
/// Besides "never throws", the reply must keep the promises of the README: never more than the author, the list and
/// the capped Cc, never the bot itself or a mailer daemon, a bounded References header, one To/Cc header each.
/// Compiled into Bot.Tests too (its regression inputs are under tests/Bot.Tests/Regressions/Inputs/reply).
/// </summary>
internal static class ReplyHarness
{
    private const string Source = "fuzz";

    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["reply"] = Reply,
    };


    /// <summary>The configuration, built on first use: instrumented code must not run before SharpFuzz's loop starts
    /// (its coverage map does not exist yet), so nothing of the bot is touched by <see cref="All"/>'s initialiser.</summary>
    private static class Setup
    {
        public static readonly IdentityOptions Identity = new() { Address = "patchbot@example.org", Contact = "owner@example.org" };

            public static readonly DeliveryOptions Delivery = new()
        {
            Lists =
            [
                // The widest policy: every Choose branch is reachable (Reply-To honoured, Cc of the patch's recipients).
                new ListPolicy { Address = "linux-pci@vger.kernel.org", HonourReplyTo = true, CcRecipients = true, MaxCcRecipients = 20, SendWhenClean = true },
                // A policy bound to a source this harness is not: never selected, whatever the headers say.
                new ListPolicy { Address = "linux-kernel@vger.kernel.org", Sources = ["elsewhere"], IgnoredSenders = ["ignored@example.org"] },
            ],
        };

            public static readonly SeriesAnalyzer Analyzer = new(AnalysisOptions.Default);
    }

    /// <summary>How far one input got: the stage it stopped at (oversized, malformed, never answered and why, not a
    /// patch, replied) and, for a reply, its recipients and References.</summary>
    internal sealed record Outcome(string Stage, int Recipients = 0, int References = 0);

    public static void Reply(byte[] input) => GC.KeepAlive(Run(input));

    internal static Outcome Run(byte[] input)
    {
        // Intake: what is stored, and under which key.
        long limit = MailOptions.Default.MaxMessageSize; // MailIntake.MaxMessageSize: the limit of `check`
        byte[] stored = input.Length > limit ? MailIntake.HeaderBlock(input) : input;
        string key = MailIntake.MessageIdOf(stored);
        Check(key.Length > 0, "empty intake key");
        if (input.Length > limit)
        {
            return new Outcome("oversized"); // stored as skipped, never parsed further
        }

        // Classification, as SeriesProcessor.Classify does it.
        MimeMessage message;
        try
        {
            message = MailReader.LoadMessage(input);
        }
        catch (Exception e) when (e is FormatException or ParseException)
        {
            return new Outcome("malformed");
        }

        using var disposing = message;
        string? from = message.From.Mailboxes.FirstOrDefault()?.Address;
        var policy = ReplyAudience.PolicyFor(message, Source, Setup.Delivery);
        string? never = ReplyAudience.WhyNeverAnswer(message, from, Setup.Identity, policy, Setup.Delivery.Lists.Select(l => l.Address));
        var item = MailReader.ReadMessage(message, Source);
        GC.KeepAlive(SeriesProcessor.IgnoreRequests(message.TextBody));
        if (never is not null)
        {
            return new Outcome("never answered: " + never);
        }

        Check(from is null || !IsMailerDaemon(from), "a mailer daemon got past the filters");
        if (item.Kind is not (MailItemKind.Patch or MailItemKind.CoverLetter) || item.PatchSubject.IsReply)
        {
            return new Outcome("not a patch");
        }

        // The series of this one message, checked and answered as serve does.
        var findings = new List<ReportedFinding>();
        var coverage = new List<CoverageEntry>();
        var outcome = new Outcome("no series");
        foreach (var series in new SeriesAssembler().Assemble([item]))
        {
            Setup.Analyzer.Analyze(series.Parts, findings, coverage);
            string label = item.PatchSubject.Part is { } p ? "patch " + p : "patch";
            var missing = series.IsComplete ? (IReadOnlyList<int>)[] : series.Missing;
            var content = new ReplyContent(message, series.Title, series.Version, label, findings, [], 0, missing, null);
            outcome = ComposeAndCheck(content, policy);
            ComposeAndCheck(content with { PatchLabel = "series", StillPresent = 1, PreviousVersion = 1 }, policy);
        }

        return outcome;
    }

    private static Outcome ComposeAndCheck(ReplyContent content, ListPolicy policy)
    {
        bool configured = !ReferenceEquals(policy, DeliveryOptions.Unconfigured);
        var addresses = ReplyAudience.Choose(content.Parent, policy, configured, Setup.Identity.Address);
        int cap = (policy.ReplyToAuthor ? 1 : 0) + (policy.ReplyToList && configured ? 1 : 0) + (policy.CcRecipients && configured ? policy.MaxCcRecipients : 0);
        var all = addresses.To.Concat(addresses.Cc).ToList();
        Check(all.Count <= cap, $"{all.Count} recipients, more than the {cap} the policy allows");
        Check(all.All(a => !string.Equals(a.Address, Setup.Identity.Address, StringComparison.OrdinalIgnoreCase)), "the bot mails itself");
        Check(all.All(a => !IsMailerDaemon(a.Address)), "a reply to a mailer daemon");

        using var reply = ReplyComposer.Compose(content, addresses, new MailboxAddress(Setup.Identity.Name, Setup.Identity.Address), Setup.Identity.Contact, DateTimeOffset.UnixEpoch);
        Check(reply.References.Count <= ReplyComposer.MaxReferences, $"{reply.References.Count} References");
        using var buffer = new MemoryStream();
        reply.WriteTo(buffer);

        // The outbox reads the reply back before sending it: the same recipients, no header smuggled in by the parent.
        buffer.Position = 0;
        using var sent = MimeMessage.Load(buffer);
        Check(sent.Headers.Count(h => h.Id == HeaderId.To) <= 1 && sent.Headers.Count(h => h.Id == HeaderId.Cc) <= 1, "a second To or Cc header");
        Check(!sent.Headers.Contains(HeaderId.Bcc), "a Bcc header");
        Check(sent.To.Mailboxes.Count() + sent.Cc.Mailboxes.Count() == all.Count, "the recipients changed on the way out");
        Check(sent.MessageId == reply.MessageId, "the reply's Message-ID changed on the way out");
        return new Outcome("replied", all.Count, sent.References.Count);
    }

    private static bool IsMailerDaemon(string address)
    {
        int at = address.LastIndexOf('@');
        return (at < 0 ? address : address[..at]).Equals("mailer-daemon", StringComparison.OrdinalIgnoreCase);
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("reply harness: " + what);
        }
    }
}
