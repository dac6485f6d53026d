using System.Text;
using MimeKit;
using Octokit;
using PatchBot.Engine.Inputs;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// The commits of a pull request as patches: the commit list, then each commit's message and per-file
/// patches from the API, rebuilt as a git format-patch style mail so the same reader and rules see them.
/// </summary>
internal sealed class PullRequestFetcher(IGitHubClient client, GitHubSourceOptions options)
{
    public async Task<GitRangeRead> FetchAsync(PullRequestEvent evt, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var commits = await client.PullRequest.Commits(evt.Owner, evt.Repository, evt.Number).ConfigureAwait(false);
        var patches = new List<CommitPatch>();
        foreach (var listed in commits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (patches.Count >= options.MaxCommits)
            {
                problems.Add($"more than {options.MaxCommits} commits; the rest were not checked");
                break;
            }

            if (listed.Parents is { Count: > 1 })
            {
                continue; // merges are not patches, as with format-patch
            }

            var commit = await client.Repository.Commit.Get(evt.Owner, evt.Repository, listed.Sha).ConfigureAwait(false);
            var widened = await WholeFilesAsync(evt, commit).ConfigureAwait(false);
            patches.Add(ToPatch(commit, problems, widened));
        }

        return new GitRangeRead(patches, problems);
    }

    /// <summary>Most C files of one commit whose whole post-image is fetched for context.</summary>
    public const int MaxWholeFilesPerCommit = 20;

    /// <summary>Largest post-image fetched for context.</summary>
    public const int MaxWholeFileBytes = 2 * 1024 * 1024;

    /// <summary>The patches of the commit's changed C files widened to the whole file, where the contents API has it.</summary>
    private async Task<Dictionary<string, string>> WholeFilesAsync(PullRequestEvent evt, GitHubCommit commit)
    {
        var widened = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in (commit.Files ?? []).Where(f => !string.IsNullOrEmpty(f.Patch) && f.Status is "modified" or "renamed"
            && (f.Filename.EndsWith(".c", StringComparison.Ordinal) || f.Filename.EndsWith(".h", StringComparison.Ordinal))).Take(MaxWholeFilesPerCommit))
        {
            byte[]? raw;
            try
            {
                raw = await RawFileAsync(evt, EscapePath(file.Filename), commit.Sha).ConfigureAwait(false);
            }
            catch (ApiException)
            {
                continue; // the three-line patch is still checked
            }

            if (raw is not null && raw.Length <= MaxWholeFileBytes && WholeFileContext.TryExpand(file.Patch, Encoding.UTF8.GetString(raw), out string expanded))
            {
                widened[file.Filename] = expanded;
            }
        }

        return widened;
    }

    /// <summary>
    /// A file at a commit. Octokit's raw request gives the body only when the answer is labelled as a raw or binary media
    /// type (application/vnd.github.v3.raw, application/octet-stream); an answer labelled text/plain or
    /// application/vnd.github.raw, as a GitHub Enterprise Server or a proxy may send, comes back as null. Then the file is
    /// asked for again as the contents API's JSON description, whose base64 content holds files up to 1 MB.
    /// </summary>
    private async Task<byte[]?> RawFileAsync(PullRequestEvent evt, string escapedPath, string sha)
    {
        var raw = await client.Repository.Content.GetRawContentByRef(evt.Owner, evt.Repository, escapedPath, sha).ConfigureAwait(false);
        if (raw is not null)
        {
            return raw;
        }

        var described = await client.Repository.Content.GetAllContentsByRef(evt.Owner, evt.Repository, escapedPath, sha).ConfigureAwait(false);
        return described is [{ Type.Value: Octokit.ContentType.File } file] ? RepositoryConfigFetcher.ContentBytes(file) : null;
    }

    /// <summary>A repository path as the contents API's URL path: each segment escaped (Octokit puts the path into the URL
    /// as it is, so "x.c?z.c" would end the path at "x.c" and "#" would cut the rest off).</summary>
    internal static string EscapePath(string path) =>
        string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    /// <summary>A commit from the API as a patch mail: From, Subject [PATCH], the message, then one diff per file.</summary>
    internal static CommitPatch ToPatch(GitHubCommit commit, List<string> problems, IReadOnlyDictionary<string, string>? widened = null)
    {
        string message = commit.Commit?.Message ?? string.Empty;
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        string subject = (newline < 0 ? message : message[..newline]).Trim();
        string body = newline < 0 ? string.Empty : message[(newline + 1)..].Trim('\n', '\r');

        var text = new StringBuilder();
        if (body.Length > 0)
        {
            text.Append(body).Append('\n');
        }

        text.Append("---\n");
        foreach (var file in commit.Files ?? [])
        {
            if (string.IsNullOrEmpty(file.Patch))
            {
                if (file.Changes > 0)
                {
                    problems.Add($"{commit.Sha[..Math.Min(12, commit.Sha.Length)]}: {file.Filename}: no patch text from GitHub (binary or too large); not checked");
                }

                continue;
            }

            string oldPath = string.IsNullOrEmpty(file.PreviousFileName) ? file.Filename : file.PreviousFileName;
            text.Append("diff --git a/").Append(oldPath).Append(" b/").Append(file.Filename).Append('\n');
            text.Append(file.Status == "added" ? "--- /dev/null\n" : $"--- a/{oldPath}\n");
            text.Append(file.Status == "removed" ? "+++ /dev/null\n" : $"+++ b/{file.Filename}\n");
            string patch = widened is not null && widened.TryGetValue(file.Filename, out var whole) ? whole : file.Patch;
            text.Append(patch.Replace("\r\n", "\n", StringComparison.Ordinal));
            if (!patch.EndsWith('\n'))
            {
                text.Append('\n');
            }
        }

        var author = commit.Commit?.Author;
        var mail = new MimeMessage();
        mail.From.Add(new MailboxAddress(author?.Name ?? "unknown", string.IsNullOrEmpty(author?.Email) ? "unknown@invalid" : author.Email));
        mail.Subject = "[PATCH] " + subject;
        if (author is not null)
        {
            mail.Date = author.Date;
        }

        mail.Body = new TextPart("plain") { Text = text.ToString() };
        using var stream = new MemoryStream();
        mail.WriteTo(stream);
        return new CommitPatch(commit.Sha, subject, stream.ToArray());
    }
}
