namespace PatchBot.Engine.Tree;

/// <summary>The tree a series is analysed against, and how it was chosen (said in replies and logs).</summary>
/// <param name="Tree">Null when no tree could be used: the series is analysed from its patches alone.</param>
/// <param name="Description">"base-commit 1a2b3c4d5e6f" and why, for the reply.</param>
internal sealed record TreeChoice(SourceTree? Tree, string Description);

/// <summary>
/// The commits of git clones that series are analysed against, kept open with their indexes: a series' base-commit
/// when its clone has it, else the configured branch's head. At most <see cref="Capacity"/> commits are held
/// (least recently used goes first): an index is about 100 MB in memory; a base used again is free, a new base of
/// the same clone costs the files that changed since a cached one.
/// </summary>
internal sealed class GitTrees(int capacity = 2, string? cacheDirectory = null) : IDisposable
{
    private readonly LinkedList<GitCommitTree> _recent = new();
    private readonly Lock _lock = new();

    public int Capacity { get; } = Math.Max(1, capacity);

    /// <summary>The tree for a series: <paramref name="baseCommit"/> (a base-commit: trailer, may be null) in
    /// <paramref name="repository"/> when present there, else <paramref name="branch"/>'s head.</summary>
    public TreeChoice Choose(string repository, string? baseCommit, string branch)
    {
        string? wanted = baseCommit is not null && GitCommitTree.IsObjectId(baseCommit) ? baseCommit : null;
        if (wanted is not null && GitCommitTree.Resolve(repository, wanted) is { } id)
        {
            return new TreeChoice(Get(repository, id), $"base-commit {Short(id)} (from the series)");
        }

        string why = baseCommit is null ? "the series names no base-commit"
            : wanted is null ? "its base-commit is not a commit id"
            : $"its base-commit {Short(wanted)} is not in the bot's tree";
        if (GitCommitTree.Resolve(repository, branch) is { } head)
        {
            return new TreeChoice(Get(repository, head), $"{branch} at {Short(head)} ({why})");
        }

        return new TreeChoice(null, $"no tree: {branch} is not a commit of {repository} ({why}); checked from the patches alone");
    }

    /// <summary>The tree of <paramref name="commit"/> (a full id) in <paramref name="repository"/>, kept among the recent ones.</summary>
    public GitCommitTree Get(string repository, string commit)
    {
        string full = Path.GetFullPath(repository);
        lock (_lock)
        {
            for (var node = _recent.First; node is not null; node = node.Next)
            {
                if (node.Value.Commit == commit && node.Value.Repository == full)
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    return node.Value;
                }
            }

            var tree = new GitCommitTree(full, commit, cacheDirectory);
            _recent.AddFirst(tree);
            while (_recent.Count > Capacity)
            {
                var last = _recent.Last!.Value;
                _recent.RemoveLast();
                last.Dispose();
            }

            return tree;
        }
    }

    private static string Short(string id) => id[..Math.Min(12, id.Length)];

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var tree in _recent)
            {
                tree.Dispose();
            }

            _recent.Clear();
        }
    }
}
