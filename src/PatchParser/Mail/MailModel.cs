using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Mail;

/// <summary>What a message is, as far as patch review is concerned.</summary>
public enum MailItemKind
{
    /// <summary>Carries at least one patch (inline in the body or attached).</summary>
    Patch,
    /// <summary>[PATCH 0/N]: the introduction of a series, nothing to lint.</summary>
    CoverLetter,
    /// <summary>[GIT PULL] or a git request-pull body: a maintainer's pull request, nothing to lint.</summary>
    PullRequest,
    /// <summary>A reply on a thread (Re:, or quoting a patch with "> ") with no patch of its own.</summary>
    Reply,
    /// <summary>A readable message with no diff in it.</summary>
    NotAPatch,
    /// <summary>Could not be read at all: see <see cref="MailItem.Reason"/> and <see cref="MailItem.Problems"/>.</summary>
    Unreadable,
}

/// <summary>A commit-message trailer ("Signed-off-by: A &lt;a@b&gt;") or a git footer line ("base-commit: ...").</summary>
/// <param name="Key">The key as kernel people write it ("Signed-off-by", "Fixes", "base-commit"); known keys are normalised to that spelling.</param>
/// <param name="Value">Everything after "Key:", trimmed; folded continuation lines are joined with a space.</param>
public sealed record Trailer(string Key, string Value);

/// <summary>One patch carried by a message: its commit message, trailers and diff.</summary>
/// <param name="CommitMessage">The commit message as git am would record it: the body before the "---" separator
/// (diffstat and version notes dropped), in-body From:/Subject: headers and scissors removed, trailers included.</param>
/// <param name="Trailers">The trailers of the commit message, in order, then the footer lines after the diff
/// (base-commit, change-id, prerequisite-patch-id).</param>
/// <param name="Diff">The diff as read by <see cref="DiffReader"/> from the text starting at the diff.</param>
/// <param name="AttachmentName">The file name when the patch came from an attachment, otherwise null (inline).</param>
/// <param name="DiffStartLine">1-based line of the decoded body (or attachment) where the diff text given to the diff reader starts;
/// add <c>DiffStartLine - 1</c> to a <see cref="DiffLine.PatchLine"/> to get the line in the decoded body.</param>
public sealed record MailPatch(
    string CommitMessage,
    IReadOnlyList<Trailer> Trailers,
    ParsedDiff Diff,
    string? AttachmentName = null,
    int DiffStartLine = 1)
{
    /// <summary>The patch's own subject when it differs from the mail's: from in-body "Subject:" lines or the
    /// headers of an attached git format-patch file; null otherwise.</summary>
    public string? Subject { get; init; }

    /// <summary>The values of every trailer with this key (case-insensitive), in order.</summary>
    public IEnumerable<string> TrailerValues(string key) =>
        Trailers.Where(t => string.Equals(t.Key, key, StringComparison.OrdinalIgnoreCase)).Select(t => t.Value);
}

/// <summary>One message of the input (or the whole input when it is a bare patch), classified and taken apart.</summary>
public sealed record MailItem
{
    /// <summary>The name of the input it came from (a path, "-" for stdin, a URI).</summary>
    public required string Source { get; init; }

    /// <summary>1-based position of the message in the input.</summary>
    public required int Ordinal { get; init; }

    /// <summary>Byte offset of the message (its mbox "From " line) in the input, when known.</summary>
    public long? ByteOffset { get; init; }

    /// <summary>The Message-ID without angle brackets, or null.</summary>
    public string? MessageId { get; init; }

    /// <summary>The decoded Subject header, as sent (empty when absent).</summary>
    public string Subject { get; init; } = string.Empty;

    /// <summary>The subject taken apart: [PATCH v3 2/7] tags, version, index, prefixes.</summary>
    public PatchSubject PatchSubject { get; init; } = PatchSubject.None;

    /// <summary>The sender's address (first mailbox of From:), or null.</summary>
    public string? From { get; init; }

    /// <summary>The sender's display name, or null.</summary>
    public string? FromName { get; init; }

    /// <summary>The Date header, or null when there is none.</summary>
    public DateTimeOffset? Date { get; init; }

    /// <summary>The In-Reply-To Message-ID without angle brackets, or null.</summary>
    public string? InReplyTo { get; init; }

    /// <summary>The References Message-IDs, oldest first, without angle brackets.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    public required MailItemKind Kind { get; init; }

    /// <summary>Why it is not a patch (or why it is unreadable); null for a <see cref="MailItemKind.Patch"/>.</summary>
    public string? Reason { get; init; }

    /// <summary>For a cover letter: the footer lines of its body ("base-commit: ...", "change-id: ..."), in order;
    /// a patch's footers are in its <see cref="MailPatch.Trailers"/>.</summary>
    public IReadOnlyList<Trailer> Footers { get; init; } = [];

    /// <summary>The patches it carries, in order (body first, then attachments).</summary>
    public IReadOnlyList<MailPatch> Patches { get; init; } = [];

    /// <summary>What was wrong with the message (limits hit, truncation, undecodable parts). Diff problems are in each <see cref="MailPatch.Diff"/>.</summary>
    public IReadOnlyList<Problem> Problems { get; init; } = [];

    /// <summary>Mail problems followed by the problems of every patch's diff.</summary>
    public IEnumerable<Problem> AllProblems => Problems.Concat(Patches.SelectMany(p => p.Diff.Problems));
}
