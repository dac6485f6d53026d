using System.Text;
using MimeKit;
using Octokit;
using PatchBot.Bot.Inputs;

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
            patches.Add(ToPatch(commit, problems));
        }

        return new GitRangeRead(patches, problems);
    }

    /// <summary>A commit from the API as a patch mail: From, Subject [PATCH], the message, then one diff per file.</summary>
    internal static CommitPatch ToPatch(GitHubCommit commit, List<string> problems)
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
            text.Append(file.Patch.Replace("\r\n", "\n", StringComparison.Ordinal));
            if (!file.Patch.EndsWith('\n'))
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
