using PatchBot.Engine.Inputs;
using PatchBot.Engine.Tree;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// The tree a pull request is analysed against: its base commit in the repository's configured clone
/// (<see cref="GitHubSourceOptions.Clones"/>), fetched from origin when the clone does not have it yet (a commit id never
/// changes, so a commit already there needs no fetch). No clone, or a base that cannot be had: no tree, and the pull
/// request is analysed from the whole files of its changed files, as without a clone.
/// </summary>
internal static class PullRequestTree
{
    public static TreeChoice? Choose(GitHubSourceOptions options, GitTrees trees, PullRequestEvent evt)
    {
        string name = evt.Owner + "/" + evt.Repository;
        var clone = options.Clones.FirstOrDefault(c => string.Equals(c.Repository, name, StringComparison.OrdinalIgnoreCase));
        if (clone is null)
        {
            return null;
        }

        string sha = evt.BaseSha;
        string shortSha = sha[..Math.Min(12, sha.Length)];
        if (!GitCommitTree.IsObjectId(sha))
        {
            return new TreeChoice(null, $"no tree: the base '{shortSha}' is not a commit id; whole files of the changed files only");
        }

        string? id = GitCommitTree.Resolve(clone.Path, sha);
        string fetchError = string.Empty;
        if (id is null)
        {
            // The configured refspecs first (a mirror clone takes every branch), then the commit itself (GitHub serves any
            // commit of the repository by id).
            var git = new GitCli(clone.Path, options.FetchTimeout);
            foreach (string[] args in new[] { new[] { "fetch", "--quiet", "origin" }, ["fetch", "--quiet", "origin", sha] })
            {
                var result = git.Run(args);
                fetchError = result.Ok ? string.Empty : result.Stderr;
                if ((id = GitCommitTree.Resolve(clone.Path, sha)) is not null)
                {
                    break;
                }
            }
        }

        return id is null
            ? new TreeChoice(null, $"no tree: base {shortSha} is not in the clone{(fetchError.Length > 0 ? " (fetch: " + fetchError.ReplaceLineEndings(" ") + ")" : string.Empty)}; whole files of the changed files only")
            : new TreeChoice(trees.Get(clone.Path, id), $"the base {shortSha} from the repository's clone");
    }
}
