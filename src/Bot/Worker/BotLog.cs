using Microsoft.Extensions.Logging;

namespace PatchBot.Bot.Worker;

/// <summary>Every log line of <c>patchbot serve</c>, with stable event ids. Lines about a message carry its Message-ID.</summary>
internal static partial class BotLog
{
    [LoggerMessage(1000, LogLevel.Information, "patchbot serve started: {Sources} source(s), state {StatePath}, smtp {Smtp}")]
    public static partial void Started(ILogger logger, int sources, string statePath, string smtp);

    [LoggerMessage(1001, LogLevel.Information, "patchbot serve stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(1002, LogLevel.Information, "health and metrics on http://{Endpoint}/healthz and /metrics")]
    public static partial void HealthListening(ILogger logger, string endpoint);

    [LoggerMessage(1003, LogLevel.Error, "health endpoint failed: {Reason}")]
    public static partial void HealthFailed(ILogger logger, string reason);

    [LoggerMessage(1100, LogLevel.Information, "{Source}: connected, {Mailbox} UIDVALIDITY {UidValidity}, resuming after UID {LastUid}")]
    public static partial void SourceConnected(ILogger logger, string source, string mailbox, uint uidValidity, uint lastUid);

    [LoggerMessage(1101, LogLevel.Warning, "{Source}: UIDVALIDITY changed from {Old} to {New}: reading the mailbox again (messages already seen are skipped by Message-ID)")]
    public static partial void UidValidityChanged(ILogger logger, string source, uint old, uint @new);

    [LoggerMessage(1102, LogLevel.Warning, "{Source}: {Reason}; reconnecting in {Delay}")]
    public static partial void SourceFailed(ILogger logger, string source, string reason, TimeSpan delay);

    [LoggerMessage(1103, LogLevel.Debug, "{Source}: IDLE re-issued")]
    public static partial void IdleRefreshed(ILogger logger, string source);

    [LoggerMessage(1104, LogLevel.Information, "{Source}: stored message {MessageId} (UID {Uid})")]
    public static partial void MessageStored(ILogger logger, string source, string messageId, uint uid);

    [LoggerMessage(1105, LogLevel.Debug, "{Source}: message {MessageId} seen before")]
    public static partial void MessageDuplicate(ILogger logger, string source, string messageId);

    [LoggerMessage(1106, LogLevel.Warning, "{Source}: {Item} cannot be read: {Reason}")]
    public static partial void SourceItemUnreadable(ILogger logger, string source, string item, string reason);

    [LoggerMessage(1107, LogLevel.Information, "{Source}: first run with FirstRun=New: starting after UID {LastUid}")]
    public static partial void SourceStartsNew(ILogger logger, string source, uint lastUid);

    [LoggerMessage(1108, LogLevel.Warning, "{Source}: mbox {Item} was rewritten or truncated (read up to byte {Offset}, now {Length} bytes): reading it again from the start (messages already seen are skipped by Message-ID)")]
    public static partial void MboxRewritten(ILogger logger, string source, string item, long offset, long length);

    [LoggerMessage(1109, LogLevel.Warning, "{Source}: no change notifications ({Reason}): new mail is found by the rescan every {Interval}")]
    public static partial void FolderNotWatched(ILogger logger, string source, string reason, TimeSpan interval);

    [LoggerMessage(1110, LogLevel.Information, "{Source}: change notifications were lost ({Reason}): rescanning")]
    public static partial void FolderNotificationsLost(ILogger logger, string source, string reason);

    [LoggerMessage(1200, LogLevel.Information, "message {MessageId}: skipped: {Reason}")]
    public static partial void MessageSkipped(ILogger logger, string messageId, string reason);

    [LoggerMessage(1201, LogLevel.Warning, "message {MessageId}: malformed, skipped: {Reason}")]
    public static partial void MessageMalformed(ILogger logger, string messageId, string reason);

    [LoggerMessage(1202, LogLevel.Information, "message {MessageId}: {Kind} \"{Subject}\" waits for its series")]
    public static partial void MessagePending(ILogger logger, string messageId, string kind, string subject);

    [LoggerMessage(1203, LogLevel.Information, "message {MessageId}: {From} asked to ignore {Rule} for series {SeriesKey}")]
    public static partial void SuppressionAdded(ILogger logger, string messageId, string from, string rule, string seriesKey);

    [LoggerMessage(1204, LogLevel.Warning, "message {MessageId}: ignore request for {Rule} not honoured: {Reason}")]
    public static partial void SuppressionRefused(ILogger logger, string messageId, string rule, string reason);

    [LoggerMessage(1205, LogLevel.Error, "message {MessageId}: failed: {Reason}")]
    public static partial void MessageFailed(ILogger logger, Exception exception, string messageId, string reason);

    [LoggerMessage(1300, LogLevel.Information, "message {MessageId}: series \"{Title}\" v{Version} checked ({Status}): {Findings} finding(s), {New} new, {Fixed} fixed, {Replies} repl(ies)")]
    public static partial void SeriesChecked(ILogger logger, string messageId, string title, int version, string status, int findings, int @new, int @fixed, int replies);

    [LoggerMessage(1301, LogLevel.Information, "message {MessageId}: finding {Rule} at {File}:{Line} ({Severity})")]
    public static partial void FindingLogged(ILogger logger, string messageId, string rule, string file, int line, string severity);

    [LoggerMessage(1400, LogLevel.Information, "message {MessageId}: reply {ReplyId} sent to {Recipients} in {Elapsed} ms after delivery")]
    public static partial void ReplySent(ILogger logger, string messageId, string replyId, string recipients, long elapsed);

    [LoggerMessage(1401, LogLevel.Information, "message {MessageId}: dry-run reply {ReplyId} written to {Path}\n{Mail}")]
    public static partial void ReplyDryRun(ILogger logger, string messageId, string replyId, string path, string mail);

    [LoggerMessage(1402, LogLevel.Warning, "message {MessageId}: reply {ReplyId} failed for good (attempt {Attempt}), not retried: {Reason}")]
    public static partial void ReplyFailed(ILogger logger, string messageId, string replyId, int attempt, string reason);

    [LoggerMessage(1404, LogLevel.Warning, "message {MessageId}: reply {ReplyId}: recipient {Recipient} refused ({Response}); sent to the others")]
    public static partial void RecipientRefused(ILogger logger, string messageId, string replyId, string recipient, string response);

    [LoggerMessage(1405, LogLevel.Warning, "message {MessageId}: reply {ReplyId} deferred (attempt {Attempt}): {Reason}; next try in {Delay}")]
    public static partial void ReplyDeferred(ILogger logger, string messageId, string replyId, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(1406, LogLevel.Warning, "smtp server unavailable: {Reason}; every reply waits, next try in {Delay}")]
    public static partial void SmtpUnavailable(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(1403, LogLevel.Warning, "message {MessageId}: reply {ReplyId} was being sent when PatchBot stopped: {Outcome}")]
    public static partial void ReplyInterrupted(ILogger logger, string messageId, string replyId, string outcome);

    [LoggerMessage(1500, LogLevel.Information, "series {MessageId}: analysed against {Tree}")]
    public static partial void SeriesTree(ILogger logger, string messageId, string tree);

    [LoggerMessage(1501, LogLevel.Information, "tree {Path}: fetched in {Elapsed}")]
    public static partial void TreeFetched(ILogger logger, string path, TimeSpan elapsed);

    [LoggerMessage(1502, LogLevel.Warning, "tree {Path}: git fetch failed: {Reason}; trying again in {Delay}")]
    public static partial void TreeFetchFailed(ILogger logger, string path, string reason, TimeSpan delay);
}
