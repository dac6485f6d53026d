namespace PatchBot.Engine.Tree;

/// <summary>A kernel checkout (a folder) used by tree mode; its index is cached and refreshed by file size and time.</summary>
internal sealed class KernelTree : SourceTree
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

    public override string Name => Root;

    public override TreeIndex Index => _index.Value;

    public override bool TryRead(string path, out string text)
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
