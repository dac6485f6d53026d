using System.Text;
using System.Text.RegularExpressions;
using PatchBot.Engine.Inputs;

namespace PatchBot.Engine.Tree;

/// <summary>
/// One commit of a git clone of the kernel, read through git objects (no checkout, so any number of bases of one
/// clone can be used side by side). Files come from <c>git cat-file --batch</c>; the index from the commit's blobs,
/// cached per commit and seeded from the newest cache of another commit of the same clone, so a new base re-reads
/// only the files that changed.
/// </summary>
internal sealed partial class GitCommitTree : SourceTree, IDisposable
{
    private readonly Lazy<TreeIndex> _index;
    private readonly GitObjectReader _reader;
    private readonly Lock _readLock = new();
    private bool _closed;

    public GitCommitTree(string repository, string commit, string? cacheDirectory = null)
    {
        Repository = Path.GetFullPath(repository);
        Commit = commit;
        _reader = new GitObjectReader(Repository);
        string cache = cacheDirectory ?? TreeIndex.DefaultCacheDirectory();
        _index = new Lazy<TreeIndex>(() => TreeIndex.LoadOrBuild(new GitCommitFiles(Repository, Commit), cache, out _), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Repository { get; }

    /// <summary>The full object id of the commit.</summary>
    public string Commit { get; }

    public override string Name => $"{Repository} at {Commit[..Math.Min(12, Commit.Length)]}";

    public override TreeIndex Index => _index.Value;

    /// <summary>Files larger than this are not read (no kernel source file comes near it).</summary>
    public const int MaxFileBytes = 16 << 20;

    public override bool TryRead(string path, out string text)
    {
        text = string.Empty;
        if (!IsInside(path))
        {
            return false;
        }

        byte[] buffer = [];
        int length = -1;
        bool closed;
        lock (_readLock)
        {
            closed = _closed;
            if (!closed)
            {
                length = _reader.Read(Commit + ":" + path, ref buffer, MaxFileBytes);
            }
        }

        if (closed)
        {
            // Evicted by GitTrees while an analysis still holds it: one git call per file instead of the kept reader.
            var result = new GitCli(Repository, TimeSpan.FromSeconds(60)).Run("cat-file", "blob", Commit + ":" + path);
            (buffer, length) = result.Ok && result.Stdout.Length <= MaxFileBytes ? (result.Stdout, result.Stdout.Length) : ([], -1);
        }

        if (length < 0)
        {
            return false;
        }

        text = new UTF8Encoding(false, false).GetString(buffer, 0, length);
        return true;
    }

    /// <summary>
    /// The full id of the commit <paramref name="revision"/> names in <paramref name="repository"/>, or null when there is
    /// no such commit there (or no git). <paramref name="revision"/> from mail must be a hex object id (<see cref="IsObjectId"/>).
    /// </summary>
    public static string? Resolve(string repository, string revision)
    {
        if (revision.Length == 0 || revision.StartsWith('-') || revision.AsSpan().IndexOfAny('\n', '\0') >= 0)
        {
            return null;
        }

        var result = new GitCli(repository, TimeSpan.FromSeconds(30)).Run("rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}");
        string id = result.Text.Trim();
        return result.Ok && IsObjectId(id) ? id : null;
    }

    /// <summary>Whether <paramref name="text"/> is an abbreviated or full hex object id (what a base-commit: line holds).</summary>
    public static bool IsObjectId(string text) => ObjectId().IsMatch(text);

    [GeneratedRegex("^[0-9a-f]{7,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectId();

    /// <summary>Stops the kept <c>git cat-file</c>; the tree stays usable (each read then runs git once).</summary>
    public void Dispose()
    {
        lock (_readLock)
        {
            _closed = true;
            _reader.Dispose();
        }
    }
}
