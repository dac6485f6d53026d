using PatchBot.Engine.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using PatchBot.Engine.Check;
using PatchBot.Engine.Pipeline;
using PatchBot.Engine.Tree;
using PatchBot.Bot.Sinks;
using PatchBot.Bot.Sources;
using PatchBot.Bot.State;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Catalog;
using PatchBot.Rules.Config;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Worker;

/// <summary>
/// The bot's single processing loop. Woken by new mail or every <see cref="SeriesOptions.Tick"/>, it
/// (1) classifies stored messages (own mail, robots, Auto-Submitted, non-patches and unreadable mail are skipped
/// and logged; "patchbot: ignore RULE" replies from the patch author become suppressions), (2) assembles the
/// pending patches into series and checks each series that is complete or has waited long enough for missing
/// parts, with the same <see cref="SeriesAnalyzer"/> as <c>patchbot check</c>, recording findings and the replies to
/// send in one transaction, and (3) hands the outbox to the <see cref="OutboxDispatcher"/>.
/// </summary>
internal sealed class SeriesProcessor(
    BotStore store,
    MailIntake intake,
    OutboxDispatcher dispatcher,
    IOptions<IdentityOptions> identity,
    IOptions<SeriesOptions> seriesOptions,
    IOptions<DeliveryOptions> delivery,
    IOptions<SmtpOptions> smtp,
    IOptions<TreeOptions> treeOptions,
    GitTrees trees,
    BotMetrics metrics,
    TimeProvider time,
    ICrashPoints crashPoints,
    ILogger<SeriesProcessor> logger) : BackgroundService
{
    private readonly Dictionary<long, Parsed> cache = [];
    private SeriesAnalyzer? analyzer;
    private AnalysisOptions analysis = AnalysisOptions.Default;

    private sealed record Parsed(long RowId, MimeMessage Message, MailItem Item, DateTimeOffset ReceivedAt, string Source);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        analysis = AnalysisOptions.Default with { Config = LoadRulesConfig() };
        analyzer = new SeriesAnalyzer(analysis);
        while (!stoppingToken.IsCancellationRequested)
        {
            metrics.LastLoop = time.GetUtcNow();
            try
            {
                RunOnce();
                await dispatcher.DispatchAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wake.CancelAfter(seriesOptions.Value.Tick);
                await intake.Signal.WaitAsync(wake.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // tick
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One pass: classify new messages, then check every series that is ready.</summary>
    public void RunOnce()
    {
        foreach (var message in store.MessagesIn(MessageStates.New))
        {
            try
            {
                Classify(message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One bad message never blocks the others.
                store.SetMessageState(message.Id, MessageStates.Skipped, "failed: " + e.Message);
                metrics.Count("patchbot_messages_total", "failed");
                BotLog.MessageFailed(logger, e, message.MessageId, e.Message);
            }
        }

        CheckReadySeries();
    }

    private void Classify(StoredMessage stored)
    {
        MimeMessage message;
        try
        {
            message = MailReader.LoadMessage(stored.Raw); // MIME parts counted while parsing, as `check` does
        }
        catch (Exception e) when (e is FormatException or ParseException)
        {
            Skip(stored, "malformed", e.Message, malformed: true);
            return;
        }

        string? from = message.From.Mailboxes.FirstOrDefault()?.Address;
        if (WhyNotForUs(message, from, stored.Source) is { } reason)
        {
            Skip(stored, "not-for-us", reason);
            return;
        }

        var item = MailReader.ReadMessage(message, stored.Source);
        if (item.Kind == MailItemKind.Unreadable)
        {
            Skip(stored, "malformed", item.Reason ?? "unreadable", malformed: true);
            return;
        }

        if (item.Kind is MailItemKind.Reply or MailItemKind.NotAPatch || item.PatchSubject.IsReply)
        {
            if (TryIgnoreCommand(stored, message, item, from) is { } outcome)
            {
                if (outcome == IgnoreOutcome.Deferred)
                {
                    return; // the patch it answers is not checked yet: look again on a later tick
                }

                store.SetMessageState(stored.Id, MessageStates.Done, "ignore request", from);
                metrics.Count("patchbot_messages_total", "ignore-request");
                return;
            }
        }

        switch (item.Kind)
        {
            case MailItemKind.Patch when !item.PatchSubject.IsReply:
            case MailItemKind.CoverLetter:
                store.SetMessageState(stored.Id, MessageStates.Pending, null, from);
                cache[stored.Id] = new Parsed(stored.Id, message, item, stored.ReceivedAt, stored.Source);
                metrics.Count("patchbot_messages_total", item.Kind == MailItemKind.Patch ? "patch" : "cover-letter");
                BotLog.MessagePending(logger, stored.MessageId, item.Kind.ToString(), item.Subject);
                break;
            case MailItemKind.Patch:
                Skip(stored, "reply", "a reply carrying a diff (a reviewer's suggestion): not answered");
                break;
            case MailItemKind.PullRequest:
                Skip(stored, "not-a-patch", "a pull request");
                break;
            default:
                Skip(stored, "not-a-patch", item.Reason ?? "not a patch");
                break;
        }
    }

    private void Skip(StoredMessage stored, string outcome, string reason, bool malformed = false)
    {
        store.SetMessageState(stored.Id, MessageStates.Skipped, reason);
        metrics.Count("patchbot_messages_total", outcome);
        if (malformed)
        {
            BotLog.MessageMalformed(logger, stored.MessageId, reason);
        }
        else
        {
            BotLog.MessageSkipped(logger, stored.MessageId, reason);
        }
    }

    /// <summary>Why PatchBot must not answer this mail, or null (see <see cref="ReplyAudience.WhyNeverAnswer"/>).</summary>
    internal string? WhyNotForUs(MimeMessage message, string? from, string source) =>
        ReplyAudience.WhyNeverAnswer(message, from, identity.Value, PolicyFor(message, source), delivery.Value.Lists.Select(l => l.Address));

    private enum IgnoreOutcome
    {
        Handled,
        Deferred,
    }

    private IgnoreOutcome? TryIgnoreCommand(StoredMessage stored, MimeMessage message, MailItem item, string? from)
    {
        var rules = IgnoreRequests(message.TextBody);
        if (rules.Count == 0)
        {
            return null;
        }

        var ancestors = new List<string>();
        if (item.InReplyTo is { } parent)
        {
            ancestors.Add(parent);
        }

        ancestors.AddRange(item.References.Reverse());
        (string SeriesKey, string? Author)? series = null;
        foreach (var id in ancestors)
        {
            series = store.SeriesOfMessage(id);
            if (series is not null)
            {
                break;
            }
        }

        if (series is null)
        {
            bool waiting = ancestors.Any(a => cache.Values.Any(p => p.Item.MessageId == a))
                && time.GetUtcNow() - stored.ReceivedAt < seriesOptions.Value.WaitForMissing + TimeSpan.FromMinutes(1);
            if (waiting)
            {
                return IgnoreOutcome.Deferred;
            }

            foreach (var rule in rules)
            {
                BotLog.SuppressionRefused(logger, stored.MessageId, rule, "it does not answer a patch PatchBot checked");
            }

            return IgnoreOutcome.Handled;
        }

        var (seriesKey, author) = series.Value;
        foreach (var rule in rules)
        {
            if (RuleCatalog.Find(rule) is null)
            {
                BotLog.SuppressionRefused(logger, stored.MessageId, rule, "no such rule");
            }
            else if (author is null || !string.Equals(author, from, StringComparison.OrdinalIgnoreCase))
            {
                BotLog.SuppressionRefused(logger, stored.MessageId, rule, $"only the patch author ({author}) can ask, not {from}");
            }
            else
            {
                store.AddSuppression(seriesKey, rule, stored.MessageId);
                BotLog.SuppressionAdded(logger, stored.MessageId, from ?? "?", rule, seriesKey);
            }
        }

        return IgnoreOutcome.Handled;
    }

    /// <summary>Rule ids from unquoted lines "patchbot: ignore RULE[, RULE]".</summary>
    internal static IReadOnlyList<string> IgnoreRequests(string? body)
    {
        var rules = new List<string>();
        if (body is null)
        {
            return rules;
        }

        foreach (var raw in body.Split('\n'))
        {
            var line = raw.AsSpan().Trim();
            const string Marker = "patchbot: ignore";
            if (!line.StartsWith(Marker, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var word in line[Marker.Length..].ToString().Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                rules.Add(word.Trim().ToLowerInvariant());
            }
        }

        return rules;
    }

    private void CheckReadySeries()
    {
        var pending = store.MessagesIn(MessageStates.Pending);
        if (pending.Count == 0)
        {
            return;
        }

        var parsed = new List<Parsed>(pending.Count);
        foreach (var m in pending)
        {
            if (!cache.TryGetValue(m.Id, out var p))
            {
                var message = MailReader.LoadMessage(m.Raw);
                p = new Parsed(m.Id, message, MailReader.ReadMessage(message, m.Source), m.ReceivedAt, m.Source);
                cache[m.Id] = p;
            }

            parsed.Add(p);
        }

        var now = time.GetUtcNow();
        var wait = seriesOptions.Value.WaitForMissing;
        var readiness = SeriesReadiness.LiveList(wait);
        var byItem = parsed.ToDictionary(p => (object)p.Item, ReferenceEqualityComparer.Instance);
        var assembler = new SeriesAssembler(time, wait > TimeSpan.FromHours(1) ? wait : TimeSpan.FromHours(1));
        foreach (var series in assembler.Assemble(parsed.Select(p => p.Item)))
        {
            var members = (series.CoverLetter is null ? series.Parts : series.Parts.Prepend(series.CoverLetter))
                .Select(i => (Parsed)byItem[i]!).ToList();
            var lastArrival = members.Max(m => m.ReceivedAt);
            if (!readiness.IsReady(series, now - lastArrival))
            {
                continue;
            }

            try
            {
                CheckSeries(series, members, now);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One series that cannot be checked or answered never stops the loop (nor, after a restart, the bot):
                // its messages are set aside with the reason, as a message that cannot be classified is.
                foreach (var m in members)
                {
                    store.SetMessageState(m.RowId, MessageStates.Skipped, "failed: " + e.Message);
                }

                metrics.Count("patchbot_messages_total", "failed", members.Count);
                BotLog.MessageFailed(logger, e, members[0].Item.MessageId ?? SeriesAnalyzer.OriginOf(members[0].Item), e.Message);
            }

            foreach (var m in members)
            {
                cache.Remove(m.RowId);
            }
        }
    }

    private void CheckSeries(Series series, List<Parsed> members, DateTimeOffset now)
    {
        var root = members[0];
        string rootId = root.Item.MessageId ?? SeriesAnalyzer.OriginOf(root.Item);
        string author = (series.From ?? root.Item.From ?? string.Empty).ToLowerInvariant();
        string seriesKey = author + "\n" + NormaliseTitle(series.Title);
        var policy = PolicyFor(root.Message, root.Source);
        var memberRows = members.Select(m => (m.RowId, m.Item.From)).ToList();

        if (store.SeriesChecked(rootId))
        {
            store.RecordCheckedSeries(new SeriesRecord(0, seriesKey, series.Version, series.Title, author, rootId + "#again@" + now.ToUnixTimeMilliseconds()), now, [], [], memberRows);
            return;
        }

        var findings = new List<ReportedFinding>();
        var coverage = new List<CoverageEntry>();
        var tree = ChooseTree(policy, members);
        if (tree is not null)
        {
            BotLog.SeriesTree(logger, rootId, tree.Description);
        }

        (tree?.Tree is { } source ? new SeriesAnalyzer(analysis, tree: source) : analyzer!).Analyze(series.Parts, findings, coverage);
        var suppressed = store.Suppressed(seriesKey);
        var kept = findings
            .Where(f => !suppressed.Contains(f.Finding.Rule) && f.Finding.Severity >= policy.MinimumSeverity)
            .ToList();

        var earlier = store.EarlierFindings(seriesKey, series.Version);
        int? previous = store.PreviousVersion(seriesKey, series.Version);
        var everReported = earlier.Select(e => e.Key).ToHashSet();
        var previousKeys = earlier.Where(e => e.Version == previous).Select(e => e.Key).ToHashSet();
        var currentKeys = kept.Select(KeyOf).ToHashSet();
        var fresh = kept.Where(f => !everReported.Contains(KeyOf(f))).ToList();
        var fixedKeys = previousKeys.Where(k => !currentKeys.Contains(k) && !suppressed.Contains(k.Rule)).OrderBy(k => k.File, StringComparer.Ordinal).ThenBy(k => k.Rule, StringComparer.Ordinal).ToList();
        int still = kept.Count(f => previousKeys.Contains(KeyOf(f)));

        var replies = new List<(string, string, bool, byte[])>();
        if (!policy.Mute)
        {
            BuildReplies(series, members, root, policy, fresh, fixedKeys, still, previous, now, replies, tree?.Description, coverage);
        }

        store.RecordCheckedSeries(
            new SeriesRecord(0, seriesKey, series.Version, series.Title, author, rootId),
            now,
            kept.Select(f => (KeyOf(f), f.Finding.Line, f.SeverityName, f.MessageId)).ToList(),
            replies,
            memberRows);
        metrics.Count("patchbot_series_checked_total");
        metrics.Count("patchbot_findings_total", null, fresh.Count);
        foreach (var f in kept)
        {
            BotLog.FindingLogged(logger, Unbracket(f.MessageId) ?? rootId, f.Finding.Rule, f.Finding.File, f.Finding.Line, f.SeverityName);
        }

        BotLog.SeriesChecked(logger, rootId, series.Title, series.Version, series.Status, kept.Count, fresh.Count, fixedKeys.Count, replies.Count);
        crashPoints.Reached("checked");
    }

    private void BuildReplies(Series series, List<Parsed> members, Parsed root, ListPolicy policy, List<ReportedFinding> fresh,
        List<FindingKey> fixedKeys, int still, int? previous, DateTimeOffset now, List<(string, string, bool, byte[])> replies,
        string? tree, List<CoverageEntry> coverage)
    {
        bool onePerSeries = policy.OnePerSeries ?? delivery.Value.OnePerSeries;
        bool dryRun = policy.DryRun || smtp.Value.Host is null;
        bool anyPatch = series.Parts.Count > 0;
        bool sendFixed = fixedKeys.Count > 0 && policy.SendWhenFixed;
        bool sendClean = fresh.Count == 0 && fixedKeys.Count == 0 && policy.SendWhenClean && anyPatch;
        var missing = series.IsComplete ? (IReadOnlyList<int>)[] : series.Missing;

        void Add(Parsed parent, string label, IReadOnlyList<ReportedFinding> items, IReadOnlyList<FindingKey> fixedHere, int stillHere)
        {
            string parentId = SeriesAnalyzer.Bracketed(parent.Item.MessageId) ?? string.Empty;
            var notChecked = coverage
                .Where(c => (label == "series" || c.MessageId == parentId) && ReplyComposer.IsWorthSaying(c))
                .Select(c => $"{c.File}: {c.Reason}")
                .ToList();
            var content = new ReplyContent(parent.Message, series.Title, series.Version, label, items, fixedHere, stillHere, missing, previous)
            {
                Tree = tree,
                NotChecked = notChecked,
            };
            var addresses = ReplyAudience.Choose(parent.Message, policy, !ReferenceEquals(policy, DeliveryOptions.Unconfigured), identity.Value.Address);
            var mail = ReplyComposer.Compose(content, addresses, BotAddress(), identity.Value.Contact, now);
            using var buffer = new MemoryStream();
            mail.WriteTo(buffer);
            replies.Add((mail.MessageId ?? string.Empty, parent.Item.MessageId ?? mail.InReplyTo ?? string.Empty, dryRun, buffer.ToArray()));
        }

        if (onePerSeries || fresh.Count == 0)
        {
            if (fresh.Count > 0 || sendFixed || sendClean)
            {
                Add(root, onePerSeries ? "series" : PatchLabel(root.Item), fresh, sendFixed ? fixedKeys : [], still);
            }

            return;
        }

        bool first = true;
        foreach (var part in members.Where(m => m.Item.Kind == MailItemKind.Patch))
        {
            string bracketed = SeriesAnalyzer.Bracketed(part.Item.MessageId) ?? string.Empty;
            var mine = fresh.Where(f => f.MessageId == bracketed).ToList();
            if (mine.Count == 0)
            {
                continue;
            }

            Add(part, PatchLabel(part.Item), mine, first && sendFixed ? fixedKeys : [], first ? still : 0);
            first = false;
        }
    }

    /// <summary>The tree of the list the series was sent to (or the global one) at the series' base-commit; null when no
    /// tree is configured.</summary>
    private TreeChoice? ChooseTree(ListPolicy policy, List<Parsed> members)
    {
        var settings = policy.Tree is { Path.Length: > 0 } own ? own : treeOptions.Value;
        if (string.IsNullOrEmpty(settings.Path))
        {
            return null;
        }

        return trees.Choose(settings.Path, BaseCommitOf(members.Select(m => m.Item)), settings.Branch);
    }

    /// <summary>
    /// The series' base-commit: the "base-commit:" line git format-patch --base and b4 write at the end of the first
    /// message (the cover letter, or the first patch when there is none). The first one found, cover letter first.
    /// </summary>
    internal static string? BaseCommitOf(IEnumerable<MailItem> members) =>
        members.SelectMany(m => m.Footers.Concat(m.Patches.SelectMany(p => p.Trailers)))
            .FirstOrDefault(t => string.Equals(t.Key, "base-commit", StringComparison.OrdinalIgnoreCase) && t.Value.Length > 0)?.Value.Trim();

    private static string PatchLabel(MailItem item) =>
        item.PatchSubject.Part is { } p ? "patch " + p : item.Kind == MailItemKind.CoverLetter ? "cover letter" : "patch";

    private MailboxAddress BotAddress() => new(identity.Value.Name, identity.Value.Address);

    /// <summary>The delivery policy of the configured list the message was sent to, or the dry-run default (see <see cref="ReplyAudience.PolicyFor"/>).</summary>
    internal ListPolicy PolicyFor(MimeMessage message, string source) => ReplyAudience.PolicyFor(message, source, delivery.Value);

    internal static FindingKey KeyOf(ReportedFinding f) =>
        new(f.Finding.Rule, f.Finding.File, f.Finding.Function, string.Join(" -> ", f.Finding.Trace));

    internal static string NormaliseTitle(string title) =>
        string.Join(' ', title.ToLowerInvariant().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private static string? Unbracket(string? id) => id?.Trim('<', '>');

    /// <summary>The rules of Series:RulesConfig, or the defaults. Read when the loop starts, not when the service is
    /// built, so that a bad file is reported with every other setting by the validation at start
    /// (<see cref="SeriesOptionsValidator"/>, the same loader); a file broken since then stops the loop the same way.</summary>
    private PatchBotConfig LoadRulesConfig()
    {
        string? path = seriesOptions.Value.RulesConfig;
        if (string.IsNullOrEmpty(path))
        {
            return PatchBotConfig.Empty;
        }

        return ConfigFile.TryLoad(path, out var config, out string? error) ? config : throw new InvalidOperationException($"Series:RulesConfig: {error}");
    }
}
