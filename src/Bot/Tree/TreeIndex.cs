using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using PatchBot.PatchParser.Tree;

namespace PatchBot.Bot.Tree;

/// <summary>How an index load went: for the bench and for --verbose.</summary>
internal sealed record TreeIndexStats(int Files, int Reindexed, int Functions, TimeSpan Elapsed, bool FromCache);

/// <summary>
/// The function definitions and call sites of every .c file of a kernel tree, built once with
/// <see cref="FunctionIndexer"/>, cached on disk and refreshed file by file when sizes or times change.
/// Answers the question tree mode asks: who calls this function, in which file.
/// </summary>
internal sealed class TreeIndex
{
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "PBTI"u8.ToArray();

    private readonly Dictionary<string, Entry> _files;
    private readonly Dictionary<string, List<(string File, string Caller)>> _callers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _definitions = new(StringComparer.Ordinal);

    private TreeIndex(string root, Dictionary<string, Entry> files)
    {
        Root = root;
        _files = files;
        foreach (var (path, entry) in files)
        {
            foreach (var f in entry.Functions)
            {
                Add(_definitions, f.Name, path);
                foreach (var callee in f.Callees)
                {
                    if (!_callers.TryGetValue(callee, out var list))
                    {
                        _callers[callee] = list = [];
                    }

                    list.Add((path, f.Name));
                }
            }
        }
    }

    public string Root { get; }

    public int FileCount => _files.Count;

    /// <summary>The (file, function) pairs whose body calls <paramref name="function"/>, in path order.</summary>
    public IReadOnlyList<(string File, string Caller)> CallersOf(string function) =>
        _callers.TryGetValue(function, out var list) ? list : [];

    /// <summary>Whether <paramref name="function"/> is defined in <paramref name="file"/> without static (callable from other files).</summary>
    public bool IsGlobal(string file, string function) =>
        _files.TryGetValue(file, out var entry) && entry.Functions.Any(f => f.Name == function && !f.IsStatic);

    /// <summary>The files that define <paramref name="function"/>.</summary>
    public IReadOnlyList<string> FilesDefining(string function) =>
        _definitions.TryGetValue(function, out var list) ? list : [];

    /// <summary>Loads the cached index of <paramref name="root"/> from <paramref name="cacheDirectory"/>, refreshing changed files, or builds it.</summary>
    public static TreeIndex LoadOrBuild(string root, string cacheDirectory, out TreeIndexStats stats, int threads = 0)
    {
        var clock = Stopwatch.StartNew();
        root = Path.GetFullPath(root);
        string cacheFile = Path.Combine(cacheDirectory, "tree-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..16] + ".idx");
        var cached = TryRead(cacheFile, root) ?? new Dictionary<string, Entry>(StringComparer.Ordinal);
        bool fromCache = cached.Count > 0;

        var current = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var stale = new List<(string Path, long Length, long Ticks)>();
        foreach (var info in EnumerateSources(root))
        {
            string rel = Path.GetRelativePath(root, info.FullName).Replace('\\', '/');
            long ticks = info.LastWriteTimeUtc.Ticks;
            if (cached.TryGetValue(rel, out var entry) && entry.Length == info.Length && entry.Ticks == ticks)
            {
                current[rel] = entry;
            }
            else
            {
                stale.Add((rel, info.Length, ticks));
            }
        }

        var fresh = new Entry[stale.Count];
        Parallel.For(0, stale.Count, new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount }, i =>
        {
            var (rel, length, ticks) = stale[i];
            IReadOnlyList<IndexedFunction> functions;
            try
            {
                functions = FunctionIndexer.Index(File.ReadAllText(Path.Combine(root, rel)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                functions = [];
            }

            fresh[i] = new Entry(length, ticks, functions);
        });
        for (int i = 0; i < stale.Count; i++)
        {
            current[stale[i].Path] = fresh[i];
        }

        if (stale.Count > 0 || current.Count != cached.Count)
        {
            TryWrite(cacheFile, root, current);
        }

        var index = new TreeIndex(root, current);
        stats = new TreeIndexStats(current.Count, stale.Count, current.Values.Sum(e => e.Functions.Count), clock.Elapsed, fromCache);
        return index;
    }

    /// <summary>The kernel checkout at or above <paramref name="start"/>, or null.</summary>
    public static string? FindKernelTree(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (IsKernelTree(dir.FullName))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    public static bool IsKernelTree(string dir) =>
        File.Exists(Path.Combine(dir, "MAINTAINERS")) && File.Exists(Path.Combine(dir, "Kconfig"))
        && Directory.Exists(Path.Combine(dir, "include", "linux")) && Directory.Exists(Path.Combine(dir, "drivers"));

    /// <summary>The default cache folder: $XDG_CACHE_HOME/patchbot or ~/.cache/patchbot.</summary>
    public static string DefaultCacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(baseDir, "patchbot");
    }

    private static IEnumerable<FileInfo> EnumerateSources(string root)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.ReparsePoint,
            MatchType = MatchType.Simple,
        };
        return new DirectoryInfo(root).EnumerateFiles("*.c", options);
    }

    private static void Add(Dictionary<string, List<string>> map, string key, string value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }

    private sealed record Entry(long Length, long Ticks, IReadOnlyList<IndexedFunction> Functions);

    private static Dictionary<string, Entry>? TryRead(string cacheFile, string root)
    {
        try
        {
            using var stream = new BufferedStream(File.OpenRead(cacheFile), 1 << 20);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (!reader.ReadBytes(4).AsSpan().SequenceEqual(Magic) || reader.ReadInt32() != FormatVersion || reader.ReadString() != root)
            {
                return null;
            }

            int names = reader.ReadInt32();
            var table = new string[names];
            for (int i = 0; i < names; i++)
            {
                table[i] = reader.ReadString();
            }

            int files = reader.ReadInt32();
            var result = new Dictionary<string, Entry>(files, StringComparer.Ordinal);
            for (int i = 0; i < files; i++)
            {
                string path = reader.ReadString();
                long length = reader.ReadInt64();
                long ticks = reader.ReadInt64();
                int count = reader.ReadInt32();
                var functions = new IndexedFunction[count];
                for (int f = 0; f < count; f++)
                {
                    string name = table[reader.ReadInt32()];
                    bool isStatic = reader.ReadBoolean();
                    int line = reader.ReadInt32();
                    int calls = reader.ReadInt32();
                    var callees = new string[calls];
                    for (int c = 0; c < calls; c++)
                    {
                        callees[c] = table[reader.ReadInt32()];
                    }

                    functions[f] = new IndexedFunction(name, isStatic, line, callees);
                }

                result[path] = new Entry(length, ticks, functions);
            }

            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or IndexOutOfRangeException or FormatException)
        {
            return null;
        }
    }

    private static void TryWrite(string cacheFile, string root, Dictionary<string, Entry> files)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var table = new List<string>();
            int Id(string s)
            {
                if (!ids.TryGetValue(s, out int id))
                {
                    ids[s] = id = table.Count;
                    table.Add(s);
                }

                return id;
            }

            foreach (var entry in files.Values)
            {
                foreach (var f in entry.Functions)
                {
                    Id(f.Name);
                    foreach (var c in f.Callees)
                    {
                        Id(c);
                    }
                }
            }

            string temp = cacheFile + "." + Environment.ProcessId + ".tmp";
            using (var stream = new BufferedStream(File.Create(temp), 1 << 20))
            using (var writer = new BinaryWriter(stream, Encoding.UTF8))
            {
                writer.Write(Magic);
                writer.Write(FormatVersion);
                writer.Write(root);
                writer.Write(table.Count);
                foreach (var s in table)
                {
                    writer.Write(s);
                }

                writer.Write(files.Count);
                foreach (var (path, entry) in files.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.Write(path);
                    writer.Write(entry.Length);
                    writer.Write(entry.Ticks);
                    writer.Write(entry.Functions.Count);
                    foreach (var f in entry.Functions)
                    {
                        writer.Write(ids[f.Name]);
                        writer.Write(f.IsStatic);
                        writer.Write(f.Line);
                        writer.Write(f.Callees.Count);
                        foreach (var c in f.Callees)
                        {
                            writer.Write(ids[c]);
                        }
                    }
                }
            }

            File.Move(temp, cacheFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs time next run.
        }
    }
}
