using Microsoft.Extensions.Logging;
using Octokit;
using PatchBot.Engine.Check;
using PatchBot.Engine.Inputs;
using PatchBot.Engine.Tree;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// Checks one pull request: fetches its commits, checks each as its own patch (the same analysis as
/// <c>check --git</c>), and reports through the configured mode.
/// </summary>
internal sealed partial class PullRequestCheckService(IGitHubClient client, GitHubSourceOptions options, TimeProvider time, ILogger<PullRequestCheckService> logger, GitTrees? trees = null)
{
    private readonly GitTrees _trees = trees ?? new GitTrees();

    /// <summary>Raised after each pull request, with the result or the failure (for tests and metrics).</summary>
    public event Action<PullRequestEvent, PublishResult?, Exception?>? Completed;

    public async Task<PublishResult> CheckAsync(PullRequestEvent evt, CancellationToken cancellationToken)
    {
        try
        {
            var result = await RunAsync(evt, cancellationToken).ConfigureAwait(false);
            LogChecked(logger, evt.Owner, evt.Repository, evt.Number, evt.HeadSha, result.Findings, result.Conclusion, result.Requests);
            Completed?.Invoke(evt, result, null);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Completed?.Invoke(evt, null, e);
            throw;
        }
    }

    private async Task<PublishResult> RunAsync(PullRequestEvent evt, CancellationToken cancellationToken)
    {
        var publisher = new FindingsPublisher(client, options, time);
        var fetcher = new PullRequestFetcher(client, options);
        long? runId = null;
        try
        {
            if (options.Mode == GitHubReportMode.StatusComment)
            {
                return await publisher.PublishStatusAndCommentAsync(evt, await CheckCommitsAsync(evt, fetcher, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }

            runId = await publisher.StartCheckRunAsync(evt).ConfigureAwait(false);
            var report = await CheckCommitsAsync(evt, fetcher, cancellationToken).ConfigureAwait(false);
            var result = await publisher.CompleteCheckRunAsync(evt, runId.Value, report).ConfigureAwait(false);
            return result with { Requests = result.Requests + 1 };
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException) || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Whatever went wrong with this pull request (a bug, an answer Octokit cannot read, the API failing after its
            // retries, a request timing out) is reported on it as a failed check, so it does not stay "in progress" or
            // look checked, and the service goes on with the next. When the report cannot be sent either, the worker logs it.
            LogFailedUnexpectedly(logger, e, evt.Owner, evt.Repository, evt.Number, evt.HeadSha, e.GetType().Name, e.Message);
            PublishResult failed;
            try
            {
                failed = await publisher.PublishFailureAsync(evt, runId, $"{e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            }
            catch (Exception report) when (report is ApiException or HttpRequestException or TaskCanceledException)
            {
                LogCannotReport(logger, evt.Owner, evt.Repository, evt.Number, report.GetType().Name, report.Message);
                throw;
            }

            return failed with { Requests = failed.Requests + (runId is null ? 0 : 1) };
        }
    }

    /// <summary>The pull request's commits checked under the repository's own .patchbot.json at the head.</summary>
    private async Task<Engine.Check.CheckReport> CheckCommitsAsync(PullRequestEvent evt, PullRequestFetcher fetcher, CancellationToken cancellationToken)
    {
        var rules = await new RepositoryConfigFetcher(client).FetchAsync(evt).ConfigureAwait(false);
        var read = await fetcher.FetchAsync(evt, cancellationToken).ConfigureAwait(false);
        var tree = await Task.Run(() => PullRequestTree.Choose(options, _trees, evt), cancellationToken).ConfigureAwait(false);
        if (tree is not null)
        {
            LogTree(logger, evt.Owner, evt.Repository, evt.Number, tree.Description);
        }

        var checker = new GitCommitChecker(AnalysisOptions.Default with { Config = rules.Config }, MailOptions.Default, tree?.Tree);
        var report = checker.Check(read.Commits, read.Problems) with { Tree = tree?.Description };
        // An unusable .patchbot.json is reported where the pull request shows it, but every commit was still checked (with
        // the default rules): a problem, not something skipped.
        return rules.Problem is null
            ? report
            : report with { Inputs = [new InputReport(PatchBot.Rules.Config.PatchBotConfig.FileName, 0, 0, 0, 0, 0, 0, 0, 0, [new ProblemReport(rules.Problem, PatchBot.Rules.Config.PatchBotConfig.FileName, null, null)]), .. report.Inputs] };
    }

    [LoggerMessage(EventId = 624, Level = LogLevel.Information, Message = "{Owner}/{Repository}#{Number}: analysed against {Tree}")]
    private static partial void LogTree(ILogger logger, string owner, string repository, int number, string tree);

    [LoggerMessage(EventId = 622, Level = LogLevel.Error, Message = "{Owner}/{Repository}#{Number} at {HeadSha}: PatchBot failed ({Error}: {Reason}); reported as a failed check")]
    private static partial void LogFailedUnexpectedly(ILogger logger, Exception exception, string owner, string repository, int number, string headSha, string error, string reason);

    [LoggerMessage(EventId = 623, Level = LogLevel.Error, Message = "{Owner}/{Repository}#{Number}: the failure could not be reported on the pull request either ({Error}: {Reason})")]
    private static partial void LogCannotReport(ILogger logger, string owner, string repository, int number, string error, string reason);

    [LoggerMessage(EventId = 620, Level = LogLevel.Information, Message = "{Owner}/{Repository}#{Number} at {HeadSha}: {Findings} finding(s), {Conclusion}, {Requests} report request(s)")]
    private static partial void LogChecked(ILogger logger, string owner, string repository, int number, string headSha, int findings, string conclusion, int requests);
}
