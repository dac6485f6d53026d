namespace PatchBot.Engine.Tree;

/// <summary>
/// A kernel checkout used by tree mode: the files a patch touches are read from it (and the patch applied
/// in memory), and its index answers who calls a changed function in other files.
/// </summary>
internal sealed class KernelTree
{
    private readonly Lazy<TreeIndex> _index;

    public KernelTree(string root, string? cacheDirectory = null)
    {
        // "linux/" and "linux" are one tree: without the trailing separator, or no path would be inside it.
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        string cache = cacheDirectory ?? TreeIndex.DefaultCacheDirectory();
        _index = new Lazy<TreeIndex>(() => TreeIndex.LoadOrBuild(Root, cache, out _), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Root { get; }

    /// <summary>The index of the whole tree, built (or loaded from its cache) on first use.</summary>
    public TreeIndex Index => _index.Value;

    /// <summary>The text of <paramref name="path"/> (a path in the tree), or false when the tree has no such file.</summary>
    public bool TryRead(string path, out string text)
    {
        text = string.Empty;
        string full = Path.GetFullPath(Path.Combine(Root, path));
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
        {
            return false; // outside the tree (../ in a hostile path) or absent
        }

        try
        {
            text = File.ReadAllText(full);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
