using System.Globalization;
using Octokit;
using PatchBot.Engine.Check;
using PatchBot.Bot.Output;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.GitHub;

/// <summary>What a publisher did, for logs and tests.</summary>
internal sealed record PublishResult(string Conclusion, int Findings, int Requests, long? CheckRunId, long? CommentId, bool CommentUpdated)
{
    /// <summary>Problems that left part of the pull request unchecked (they make the conclusion "failure").</summary>
    public int Skipped { get; init; }
}

/// <summary>Sends a pull request's findings back to GitHub: a check run, or a commit status and one sticky comment.</summary>
internal sealed class FindingsPublisher(IGitHubClient client, GitHubSourceOptions options, TimeProvider time)
{
    /// <summary>Hidden marker that finds PatchBot's own comment again on the next push.</summary>
    public const string CommentMarker = "<!-- patchbot:pull-request-report -->";

    /// <summary>Creates the check run as "in progress" before the analysis, so the pull request shows it at once.</summary>
    public async Task<long> StartCheckRunAsync(PullRequestEvent evt)
    {
        var run = await client.Check.Run.Create(evt.Owner, evt.Repository, new NewCheckRun(options.CheckName, evt.HeadSha)
        {
            Status = CheckStatus.InProgress,
            StartedAt = time.GetUtcNow(),
        }).ConfigureAwait(false);
        return run.Id;
    }

    /// <summary>
    /// Whether the pull request fails the check: a finding at or above the fail level, or anything left unchecked (a
    /// commit over MaxCommits, a file GitHub gave no patch text for, a part the reader skipped), as <c>patchbot check</c>
    /// exits 2 for it. Not checked is not passed: a pull request must not get through by being too large to read, and
    /// "neutral" would let it through a required check.
    /// </summary>
    public static bool Fails(CheckReport report, FailLevel failLevel) =>
        report.Skipped > 0 || (failLevel != FailLevel.None && report.Findings.Any(f => (int)f.Finding.Severity >= (int)failLevel));

    /// <summary>Completes the check run: annotations in batches of at most 50 per request, the full count in the summary.</summary>
    public async Task<PublishResult> CompleteCheckRunAsync(PullRequestEvent evt, long checkRunId, CheckReport report)
    {
        bool fails = Fails(report, options.FailLevel);
        var conclusion = fails ? CheckConclusion.Failure : CheckConclusion.Success;
        string title = Title(report);
        string summary = Summary(report);
        var annotations = report.Findings.Select(Annotation).ToList();
        int requests = 0;
        int batchSize = Math.Min(options.AnnotationsPerRequest, 50);
        // GitHub appends the annotations of each update; the last request also completes the run.
        for (int start = 0; start < annotations.Count || requests == 0; start += batchSize)
        {
            var batch = annotations.Skip(start).Take(batchSize).ToList();
            bool last = start + batchSize >= annotations.Count;
            var output = new NewCheckRunOutput(title, summary) { Annotations = batch.Count > 0 ? batch : null };
            var update = new CheckRunUpdate { Output = output };
            if (last)
            {
                update.Status = CheckStatus.Completed;
                update.Conclusion = conclusion;
                update.CompletedAt = time.GetUtcNow();
            }

            await client.Check.Run.Update(evt.Owner, evt.Repository, checkRunId, update).ConfigureAwait(false);
            requests++;
        }

        return new PublishResult(fails ? "failure" : "success", report.Findings.Count, requests, checkRunId, null, false) { Skipped = report.Skipped };
    }

    /// <summary>PatchBot failed on this pull request: the check run (started or not) completes as failure, or the commit
    /// status is "error", with the reason, so the pull request shows it was not checked.</summary>
    public async Task<PublishResult> PublishFailureAsync(PullRequestEvent evt, long? checkRunId, string reason)
    {
        const string Title = "PatchBot could not check this pull request";
        string summary = $"PatchBot failed while checking {evt.HeadSha}: {reason}";
        if (options.Mode == GitHubReportMode.StatusComment)
        {
            await client.Repository.Status.Create(evt.Owner, evt.Repository, evt.HeadSha, new NewCommitStatus
            {
                State = CommitState.Error,
                Context = options.CheckName,
                Description = Title,
            }).ConfigureAwait(false);
            return new PublishResult("error", 0, 1, null, null, false);
        }

        long id = checkRunId ?? await StartCheckRunAsync(evt).ConfigureAwait(false);
        await client.Check.Run.Update(evt.Owner, evt.Repository, id, new CheckRunUpdate
        {
            Status = CheckStatus.Completed,
            Conclusion = CheckConclusion.Failure,
            CompletedAt = time.GetUtcNow(),
            Output = new NewCheckRunOutput(Title, summary.Length > 65_000 ? summary[..65_000] : summary),
        }).ConfigureAwait(false);
        return new PublishResult("failure", 0, checkRunId is null ? 2 : 1, id, null, false);
    }

    /// <summary>Token-only mode: a commit status on the head, and one comment edited in place on each push.</summary>
    public async Task<PublishResult> PublishStatusAndCommentAsync(PullRequestEvent evt, CheckReport report)
    {
        bool fails = Fails(report, options.FailLevel);
        string description = Title(report);
        await client.Repository.Status.Create(evt.Owner, evt.Repository, evt.HeadSha, new NewCommitStatus
        {
            State = fails ? CommitState.Failure : CommitState.Success,
            Context = options.CheckName,
            Description = description.Length > 140 ? description[..140] : description,
        }).ConfigureAwait(false);

        string body = CommentBody(evt, report);
        var comments = await client.Issue.Comment.GetAllForIssue(evt.Owner, evt.Repository, evt.Number).ConfigureAwait(false);
        var mine = FindOwnComment(comments);
        long id;
        if (mine is not null)
        {
            id = (await client.Issue.Comment.Update(evt.Owner, evt.Repository, mine.Id, body).ConfigureAwait(false)).Id;
        }
        else
        {
            id = (await client.Issue.Comment.Create(evt.Owner, evt.Repository, evt.Number, body).ConfigureAwait(false)).Id;
        }

        return new PublishResult(fails ? "failure" : "success", report.Findings.Count, 3, null, id, mine is not null) { Skipped = report.Skipped };
    }

    /// <summary>PatchBot's earlier comment on the pull request: the first that carries the marker.</summary>
    internal static IssueComment? FindOwnComment(IEnumerable<IssueComment> comments) =>
        comments.FirstOrDefault(c => c.Body is not null && c.Body.Contains(CommentMarker, StringComparison.Ordinal));

    internal static string CommentBody(PullRequestEvent evt, CheckReport report)
    {
        using var md = new StringWriter(CultureInfo.InvariantCulture);
        md.WriteLine(CommentMarker);
        GithubReportWriter.WriteSummary(report, md);
        md.WriteLine();
        md.WriteLine($"<sub>patchbot {ToolInfo.Version} checked {evt.HeadSha}; this comment is updated on each push.</sub>");
        return md.ToString();
    }

    internal static string Title(CheckReport report)
    {
        int errors = report.Findings.Count(f => f.Finding.Severity == Severity.Error);
        int warnings = report.Findings.Count(f => f.Finding.Severity == Severity.Warning);
        int infos = report.Findings.Count - errors - warnings;
        string findings = report.Findings.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"No findings in {report.Inputs.Count(i => i.Messages > 0)} commit(s)")
            : string.Create(CultureInfo.InvariantCulture, $"{report.Findings.Count} finding(s): {errors} error, {warnings} warning, {infos} info");
        int skipped = report.Skipped;
        if (skipped == 0)
        {
            return findings;
        }

        // The reason first: the title is what the pull request's checks list (and a commit status's 140 characters) show.
        string first = report.Inputs.SelectMany(i => i.Problems).First(p => p.Skipped).Message;
        if (first.Length > 120)
        {
            first = string.Concat(first.AsSpan(0, 119), "…");
        }

        return string.Create(CultureInfo.InvariantCulture, $"Not fully checked ({skipped} part(s) skipped: {first}); {findings}");
    }

    private static string Summary(CheckReport report)
    {
        using var md = new StringWriter(CultureInfo.InvariantCulture);
        GithubReportWriter.WriteSummary(report, md);
        string text = md.ToString();
        // GitHub limits output.summary to 65535 characters.
        return text.Length <= 65_000 ? text : string.Concat(text.AsSpan(0, 65_000), "\n\n(truncated)");
    }

    private static NewCheckRunAnnotation Annotation(ReportedFinding reported)
    {
        var f = reported.Finding;
        var level = f.Severity switch
        {
            Severity.Error => CheckAnnotationLevel.Failure,
            Severity.Warning => CheckAnnotationLevel.Warning,
            _ => CheckAnnotationLevel.Notice,
        };
        string message = reported.MessageId is null ? f.Message : $"{f.Message}\nin {reported.MessageId[..Math.Min(12, reported.MessageId.Length)]} {reported.Subject}";
        int line = Math.Max(1, f.Line);
        return new NewCheckRunAnnotation(f.File, line, line, level, message)
        {
            Title = f.Rule,
            RawDetails = f.Trace.Count > 0 ? $"trace: {string.Join(" -> ", f.Trace)}\nfix: {f.Fix}" : $"fix: {f.Fix}",
        };
    }
}
