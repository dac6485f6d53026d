using System.Buffers;
using System.Diagnostics;
using System.IO.Enumeration;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using PatchBot.Engine.Inputs;
using PatchBot.PatchParser.Tree;

namespace PatchBot.Engine.Tree;

/// <summary>How an index load went: for the bench and for --verbose.</summary>
internal sealed record TreeIndexStats(int Files, int Reindexed, int Functions, TimeSpan Elapsed, bool FromCache);

/// <summary>
/// The function definitions and call sites of every .c file of a kernel tree, built once with
/// <see cref="FunctionIndexer"/>, cached on disk and refreshed file by file when sizes or times change.
/// Answers the question tree mode asks: who calls this function, in which file.
/// </summary>
/// <remarks>
/// Built for speed on a whole tree (34,000 files): files are read as bytes and widened to chars without
/// decoding (identifiers are ASCII; other bytes only ever sit in comments and strings), names are interned per
/// worker, and the index is held as flat arrays: files sorted by path, their functions, the callees of each, and
/// the inverted index (callers of each name) precomputed. The cache file is those arrays as they are, so a warm
/// load is one read and a few block copies; names stay UTF-8 in one sorted blob, found by binary search.
/// </remarks>
internal sealed class TreeIndex
{
    /// <summary>Files indexed afresh above which the dead indexing state is collected before the merge.</summary>
    private const int MergeCollectThreshold = 1000;

    private const int FormatVersion = 3; // 3: calls through members ("->probe") among the callees
    private static readonly byte[] Magic = "PBTI"u8.ToArray();

    private readonly Model _m;
    private readonly Dictionary<string, int> _fileIds;

    private TreeIndex(string root, Model model)
    {
        Root = root;
        _m = model;
        _fileIds = new Dictionary<string, int>(model.Paths.Length, StringComparer.Ordinal);
        for (int i = 0; i < model.Paths.Length; i++)
        {
            _fileIds[model.Paths[i]] = i;
        }
    }

    public string Root { get; }

    public int FileCount => _m.Paths.Length;

    public int FunctionCount => _m.FunctionName.Length;

    /// <summary>The (file, function) pairs whose body calls <paramref name="function"/>, in path order.</summary>
    public IReadOnlyList<(string File, string Caller)> CallersOf(string function)
    {
        int id = _m.Names.Find(function);
        if (id < 0)
        {
            return [];
        }

        var result = new List<(string, string)>(_m.CallerStart[id + 1] - _m.CallerStart[id]);
        for (int k = _m.CallerStart[id]; k < _m.CallerStart[id + 1]; k++)
        {
            int f = _m.Callers[k];
            result.Add((_m.Paths[_m.FunctionFile[f]], _m.Names.Get(_m.FunctionName[f])));
        }

        return result;
    }

    /// <summary>Whether <paramref name="function"/> is defined in <paramref name="file"/> without static (callable from other files).</summary>
    public bool IsGlobal(string file, string function)
    {
        int id = _m.Names.Find(function);
        if (id < 0 || !_fileIds.TryGetValue(file, out int fileId))
        {
            return false;
        }

        for (int f = _m.FileFunctionStart[fileId]; f < _m.FileFunctionStart[fileId + 1]; f++)
        {
            if (_m.FunctionName[f] == id && _m.FunctionStatic[f] == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The files that define <paramref name="function"/>.</summary>
    public IReadOnlyList<string> FilesDefining(string function)
    {
        int id = _m.Names.Find(function);
        if (id < 0)
        {
            return [];
        }

        var result = new List<string>();
        for (int k = _m.DefinitionStart[id]; k < _m.DefinitionStart[id + 1]; k++)
        {
            result.Add(_m.Paths[_m.FunctionFile[_m.Definitions[k]]]);
        }

        return result;
    }

    /// <summary>Loads the cached index of the folder <paramref name="root"/> from <paramref name="cacheDirectory"/>, refreshing changed files, or builds it.</summary>
    public static TreeIndex LoadOrBuild(string root, string cacheDirectory, out TreeIndexStats stats, int threads = 0) =>
        LoadOrBuild(new FolderFiles(root), cacheDirectory, out stats, threads);

    /// <summary>Loads the cached index of <paramref name="source"/> from <paramref name="cacheDirectory"/>, refreshing
    /// changed files, or builds it (starting from the newest cache of a related source, another commit of the same
    /// clone, when there is no cache of its own).</summary>
    public static TreeIndex LoadOrBuild(TreeFiles source, string cacheDirectory, out TreeIndexStats stats, int threads = 0)
    {
        var clock = Stopwatch.StartNew();
        string root = source.Identity;
        string cacheFile = Path.Combine(cacheDirectory, source.CacheName);
        int workerCount = threads > 0 ? threads : Environment.ProcessorCount;
        var loading = Task.Run(() => TryRead(cacheFile, root) ?? TryReadSeed(cacheDirectory, source));
        var sources = source.List(workerCount);
        var cached = loading.GetAwaiter().GetResult();
        var cachedIds = cached is null ? null : new TreeIndex(root, cached);

        var stale = new List<int>();
        bool same = cachedIds is not null && cachedIds.FileCount == sources.Count && cached!.Identity == root;
        for (int i = 0; i < sources.Count; i++)
        {
            var (rel, length, ticks) = sources[i];
            if (cachedIds is not null && cachedIds._fileIds.TryGetValue(rel, out int id) && cached!.Lengths[id] == length && cached.Ticks[id] == ticks)
            {
                continue;
            }

            same = false;
            stale.Add(i);
        }

        if (same)
        {
            stats = new TreeIndexStats(cachedIds!.FileCount, 0, cachedIds.FunctionCount, clock.Elapsed, FromCache: true);
            return cachedIds;
        }

        // The workers share one name table (each name held once); a file's functions are held as a few int arrays in
        // its ids, not as objects, until the merge gives every name its place in the sorted table.
        var interner = new NameInterner();
        var fresh = new FileFunctions[stale.Count];
        Parallel.For(0, stale.Count, new ParallelOptions { MaxDegreeOfParallelism = workerCount },
            () => new Worker(interner, source.OpenReader()),
            (i, _, worker) =>
            {
                fresh[i] = worker.Index(sources[stale[i]]);
                return worker;
            },
            worker => worker.Release());

        // Unchanged files keep their cached functions (in the cached index's name ids, one more table); changed and
        // new files take the fresh ones.
        var tables = new List<string[]> { interner.ToArray() };
        interner = null; // its dictionary goes before the merge allocates the model
        if (stale.Count > MergeCollectThreshold)
        {
            // A whole tree's indexing leaves a few hundred MB of dead worker state (the name dictionary, the read
            // buffers); collecting it once here lets the merge reuse that memory instead of growing the heap past it.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        var functions = new FileFunctions[sources.Count];
        for (int k = 0; k < stale.Count; k++)
        {
            functions[stale[k]] = fresh[k];
        }

        if (cachedIds is not null)
        {
            int table = tables.Count;
            tables.Add(cached!.Names.All());
            for (int i = 0; i < sources.Count; i++)
            {
                if (functions[i].Names is null)
                {
                    functions[i] = cachedIds.FunctionsOf(cachedIds._fileIds[sources[i].Path], table);
                }
            }
        }

        var model = Model.Build(sources, functions, tables, root);
        TryWrite(cacheFile, root, model);
        PruneSeeds(cacheDirectory, source, cacheFile);
        var index = new TreeIndex(root, model);
        stats = new TreeIndexStats(index.FileCount, stale.Count, index.FunctionCount, clock.Elapsed, FromCache: cachedIds is not null);
        return index;
    }

    private FileFunctions FunctionsOf(int file, int table)
    {
        int first = _m.FileFunctionStart[file], count = _m.FileFunctionStart[file + 1] - first;
        int calleeFirst = _m.CalleeStart[first];
        var calleeStart = new int[count + 1];
        for (int f = 0; f <= count; f++)
        {
            calleeStart[f] = _m.CalleeStart[first + f] - calleeFirst;
        }

        return new FileFunctions(
            table,
            _m.FunctionName.AsSpan(first, count).ToArray(),
            _m.FunctionStatic.AsSpan(first, count).ToArray(),
            _m.FunctionLine.AsSpan(first, count).ToArray(),
            calleeStart,
            _m.Callees.AsSpan(calleeFirst, calleeStart[count]).ToArray());
    }

    /// <summary>One file's functions: name ids local to <see cref="Table"/> (a worker's names or the cached index's);
    /// the callees of function f are Callees[CalleeStart[f]..CalleeStart[f + 1]].</summary>
    private readonly record struct FileFunctions(int Table, int[] Names, byte[] Static, int[] Lines, int[] CalleeStart, int[] Callees);

    /// <summary>Reads and indexes one file with reused buffers: bytes widened to chars (Latin-1), no string for the text.</summary>
    private sealed class Worker(NameInterner interner, TreeFiles.Reader reader)
    {
        private static readonly FileFunctions Empty = new(0, [], [], [], [0], []);

        private byte[] _bytes = new byte[256 * 1024];
        private char[] _chars = new char[256 * 1024];

        /// <summary>Gives back the read buffers and the reader once the worker is done.</summary>
        public void Release()
        {
            _bytes = [];
            _chars = [];
            reader.Dispose();
        }

        public FileFunctions Index(in TreeFile file)
        {
            var list = Read(file);
            int calleeCount = 0;
            foreach (var f in list)
            {
                calleeCount += f.Callees.Count;
            }

            var result = new FileFunctions(0, new int[list.Count], new byte[list.Count], new int[list.Count], new int[list.Count + 1], new int[calleeCount]);
            int c = 0;
            for (int i = 0; i < list.Count; i++)
            {
                result.Names[i] = Id(list[i].Name);
                result.Static[i] = list[i].IsStatic ? (byte)1 : (byte)0;
                result.Lines[i] = list[i].Line;
                result.CalleeStart[i] = c;
                foreach (var callee in list[i].Callees)
                {
                    result.Callees[c++] = Id(callee);
                }
            }

            result.CalleeStart[list.Count] = c;
            return list.Count == 0 ? Empty : result;
        }

        private int Id(string name) => interner.IdOf(name);

        private IReadOnlyList<IndexedFunction> Read(in TreeFile file)
        {
            int length = reader.Read(file, ref _bytes, int.MaxValue / 4);
            if (length < 0)
            {
                return [];
            }

            if (_chars.Length < length)
            {
                _chars = new char[_bytes.Length];
            }

            int chars = Encoding.Latin1.GetChars(_bytes.AsSpan(0, length), _chars);
            return FunctionIndexer.Index(_chars.AsSpan(0, chars), interner);
        }
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

    /// <summary>The index as flat arrays (what the cache file holds).</summary>
    private sealed class Model
    {
        public required string Identity { get; init; }          // the source (folder, or git repository and commit)
        public required string[] Paths { get; init; }           // sorted, ordinal
        public required long[] Lengths { get; init; }
        public required long[] Ticks { get; init; }
        public required int[] FileFunctionStart { get; init; }   // files + 1
        public required int[] FunctionFile { get; init; }
        public required int[] FunctionName { get; init; }
        public required byte[] FunctionStatic { get; init; }
        public required int[] FunctionLine { get; init; }
        public required int[] CalleeStart { get; init; }         // functions + 1
        public required int[] Callees { get; init; }
        public required NameTable Names { get; init; }
        public required int[] CallerStart { get; init; }         // names + 1
        public required int[] Callers { get; init; }             // function indexes, in path order
        public required int[] DefinitionStart { get; init; }     // names + 1
        public required int[] Definitions { get; init; }         // function indexes

        public static Model Build(List<TreeFile> files, FileFunctions[] functions, List<string[]> tables, string identity)
        {
            // One sorted table of every name; each source table's ids mapped into it (a sort of all the names with
            // their positions, no dictionary: the tables of a whole tree are large).
            int total = tables.Sum(t => t.Length);
            var keys = new string[total];
            var positions = new int[total];
            var remap = new int[tables.Count][];
            int at = 0;
            for (int t = 0; t < tables.Count; t++)
            {
                tables[t].CopyTo(keys, at);
                remap[t] = new int[tables[t].Length];
                at += tables[t].Length;
            }

            for (int i = 0; i < total; i++)
            {
                positions[i] = i;
            }

            Array.Sort(keys, positions, StringComparer.Ordinal); // code point order: the UTF-8 byte order the table searches in
            var distinct = new List<string>(tables.Count == 1 ? total : total / 2);
            for (int i = 0; i < total; i++)
            {
                if (distinct.Count == 0 || !string.Equals(distinct[^1], keys[i], StringComparison.Ordinal))
                {
                    distinct.Add(keys[i]);
                }

                int position = positions[i], t = 0;
                while (position >= tables[t].Length)
                {
                    position -= tables[t++].Length;
                }

                remap[t][position] = distinct.Count - 1;
            }

            keys = null;
            positions = null;
            var names = NameTable.FromSorted(distinct);
            distinct = null;

            int functionCount = 0, calleeCount = 0;
            foreach (var file in functions)
            {
                functionCount += file.Names.Length;
                calleeCount += file.Callees.Length;
            }

            var fileStart = new int[files.Count + 1];
            var functionFile = new int[functionCount];
            var functionName = new int[functionCount];
            var functionStatic = new byte[functionCount];
            var functionLine = new int[functionCount];
            var calleeStart = new int[functionCount + 1];
            var callees = new int[calleeCount];
            int fn = 0, cn = 0;
            for (int i = 0; i < files.Count; i++)
            {
                fileStart[i] = fn;
                var file = functions[i];
                var ids = remap[file.Table];
                for (int f = 0; f < file.Names.Length; f++)
                {
                    functionFile[fn] = i;
                    functionName[fn] = ids[file.Names[f]];
                    functionStatic[fn] = file.Static[f];
                    functionLine[fn] = file.Lines[f];
                    calleeStart[fn] = cn;
                    for (int k = file.CalleeStart[f]; k < file.CalleeStart[f + 1]; k++)
                    {
                        callees[cn++] = ids[file.Callees[k]];
                    }

                    fn++;
                }

                functions[i] = default; // its arrays are copied: let them go
            }

            fileStart[files.Count] = fn;
            calleeStart[fn] = cn;
            var (callerStart, callerList) = Invert(names.Count, callees, calleeStart);
            var (definitionStart, definitionList) = Invert(names.Count, functionName, null);
            return new Model
            {
                Identity = identity,
                Paths = [.. files.Select(f => f.Path)],
                Lengths = [.. files.Select(f => f.Length)],
                Ticks = [.. files.Select(f => f.Stamp)],
                FileFunctionStart = fileStart,
                FunctionFile = functionFile,
                FunctionName = functionName,
                FunctionStatic = functionStatic,
                FunctionLine = functionLine,
                CalleeStart = calleeStart,
                Callees = callees,
                Names = names,
                CallerStart = callerStart,
                Callers = callerList,
                DefinitionStart = definitionStart,
                Definitions = definitionList,
            };
        }

        /// <summary>A counting sort of positions by the name at them: for each name, the owners of its positions in order.</summary>
        /// <param name="ownerStart">The positions of owner o are ownerStart[o]..ownerStart[o + 1]; null: each position is its own owner.</param>
        private static (int[] Start, int[] Owners) Invert(int names, int[] nameAt, int[]? ownerStart)
        {
            var start = new int[names + 1];
            foreach (int id in nameAt)
            {
                start[id + 1]++;
            }

            for (int i = 0; i < names; i++)
            {
                start[i + 1] += start[i];
            }

            var next = (int[])start.Clone();
            var owners = new int[nameAt.Length];
            if (ownerStart is null)
            {
                for (int k = 0; k < nameAt.Length; k++)
                {
                    owners[next[nameAt[k]]++] = k;
                }
            }
            else
            {
                for (int o = 0; o + 1 < ownerStart.Length; o++)
                {
                    for (int k = ownerStart[o]; k < ownerStart[o + 1]; k++)
                    {
                        owners[next[nameAt[k]]++] = o;
                    }
                }
            }

            return (start, owners);
        }
    }

    /// <summary>Names as UTF-8 in one blob, sorted by bytes: found by binary search, decoded only when asked for.</summary>
    private sealed class NameTable(byte[] blob, int[] offsets)
    {
        public byte[] Blob => blob;

        public int[] Offsets => offsets;

        public int Count => offsets.Length - 1;

        public static NameTable Create(IEnumerable<string> names, out Dictionary<string, int> ids, bool sort = true)
        {
            var encoded = names.Select(n => (Name: n, Bytes: Encoding.UTF8.GetBytes(n))).ToList();
            if (sort)
            {
                encoded.Sort((a, b) => a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
            }

            var offsets = new int[encoded.Count + 1];
            var blob = new byte[encoded.Sum(e => e.Bytes.Length)];
            ids = new Dictionary<string, int>(encoded.Count, StringComparer.Ordinal);
            int at = 0;
            for (int i = 0; i < encoded.Count; i++)
            {
                offsets[i] = at;
                encoded[i].Bytes.CopyTo(blob, at);
                at += encoded[i].Bytes.Length;
                ids[encoded[i].Name] = i;
            }

            offsets[encoded.Count] = at;
            return new NameTable(blob, offsets);
        }

        /// <summary>The table of <paramref name="sorted"/> (already in code point order, which is UTF-8 byte order), written straight into the blob.</summary>
        public static NameTable FromSorted(List<string> sorted)
        {
            var offsets = new int[sorted.Count + 1];
            int total = 0;
            for (int i = 0; i < sorted.Count; i++)
            {
                offsets[i] = total;
                total += Encoding.UTF8.GetByteCount(sorted[i]);
            }

            offsets[sorted.Count] = total;
            var blob = new byte[total];
            for (int i = 0; i < sorted.Count; i++)
            {
                Encoding.UTF8.GetBytes(sorted[i], blob.AsSpan(offsets[i]));
            }

            return new NameTable(blob, offsets);
        }

        private ReadOnlySpan<byte> Bytes(int id) => blob.AsSpan(offsets[id], offsets[id + 1] - offsets[id]);

        public string Get(int id) => Encoding.UTF8.GetString(Bytes(id));

        public string[] All()
        {
            var all = new string[Count];
            for (int i = 0; i < all.Length; i++)
            {
                all[i] = Get(i);
            }

            return all;
        }

        /// <summary>The id of <paramref name="name"/>, or -1.</summary>
        public int Find(string name)
        {
            int max = Encoding.UTF8.GetMaxByteCount(name.Length);
            byte[]? rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
            Span<byte> key = rented ?? stackalloc byte[512];
            key = key[..Encoding.UTF8.GetBytes(name, key)];
            int lo = 0, hi = Count - 1, found = -1;
            while (lo <= hi)
            {
                int mid = lo + ((hi - lo) >> 1);
                int c = Bytes(mid).SequenceCompareTo(key);
                if (c == 0)
                {
                    found = mid;
                    break;
                }

                if (c < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            return found;
        }
    }

    /// <summary>The newest cache of a source related to <paramref name="source"/> (another commit of the same clone): its
    /// files whose stamps match are taken as they are.</summary>
    private static Model? TryReadSeed(string cacheDirectory, TreeFiles source)
    {
        if (source.SeedPrefix is not { } prefix || !Directory.Exists(cacheDirectory))
        {
            return null;
        }

        try
        {
            var newest = new DirectoryInfo(cacheDirectory).EnumerateFiles(prefix + "*.idx")
                .Where(f => f.Name != source.CacheName)
                .OrderByDescending(f => f.LastWriteTimeUtc)
                .FirstOrDefault();
            return newest is null ? null : TryRead(newest.FullName, identity: null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Caches kept per family of related sources (commits of one clone); older ones are deleted.</summary>
    public const int CachesPerClone = 4;

    private static void PruneSeeds(string cacheDirectory, TreeFiles source, string keep)
    {
        if (source.SeedPrefix is not { } prefix || !Directory.Exists(cacheDirectory))
        {
            return;
        }

        try
        {
            foreach (var old in new DirectoryInfo(cacheDirectory).EnumerateFiles(prefix + "*.idx")
                .Where(f => f.FullName != keep)
                .OrderByDescending(f => f.LastWriteTimeUtc)
                .Skip(CachesPerClone - 1))
            {
                old.Delete();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // an old cache left behind only takes room
        }
    }

    /// <summary>The cache of <paramref name="identity"/> at <paramref name="cacheFile"/>, or (identity null) whatever source it
    /// holds; null when absent, unreadable, not this user's or inconsistent.</summary>
    private static Model? TryRead(string cacheFile, string? identity)
    {
        FileStream stream;
        try
        {
            if (!IsPrivateCacheFolder(Path.GetDirectoryName(cacheFile)!))
            {
                return null; // an index another user could have written is not trusted
            }

            // Each array is read straight into its place (no copy of the whole file in between: on a VM every page of
            // fresh memory costs a fault, and the file is 60 MB).
            stream = new FileStream(cacheFile, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        using var _ = stream;
        try
        {
            var r = new StreamArrayReader(stream);
            if (!r.Bytes(4).SequenceEqual(Magic) || r.Int() != FormatVersion)
            {
                return null;
            }

            string stored = r.String();
            if (identity is not null && stored != identity)
            {
                return null;
            }

            var pathTable = new NameTable(r.Array<byte>(), r.Array<int>());
            var paths = pathTable.All();
            var model = new Model
            {
                Identity = stored,
                Paths = paths,
                Lengths = r.Array<long>(),
                Ticks = r.Array<long>(),
                FileFunctionStart = r.Array<int>(),
                FunctionFile = r.Array<int>(),
                FunctionName = r.Array<int>(),
                FunctionStatic = r.Array<byte>(),
                FunctionLine = r.Array<int>(),
                CalleeStart = r.Array<int>(),
                Callees = r.Array<int>(),
                Names = new NameTable(r.Array<byte>(), r.Array<int>()),
                CallerStart = r.Array<int>(),
                Callers = r.Array<int>(),
                DefinitionStart = r.Array<int>(),
                Definitions = r.Array<int>(),
            };
            int files = paths.Length, functions = model.FunctionName.Length, names = model.Names.Count;
            bool consistent = r.AtEnd && model.Lengths.Length == files && model.Ticks.Length == files && model.FileFunctionStart.Length == files + 1
                && model.FunctionFile.Length == functions && model.FunctionStatic.Length == functions && model.FunctionLine.Length == functions
                && model.CalleeStart.Length == functions + 1 && model.CallerStart.Length == names + 1 && model.DefinitionStart.Length == names + 1
                && model.Callers.Length == model.Callees.Length && model.Definitions.Length == functions
                && model.FileFunctionStart[files] == functions && model.CalleeStart[functions] == model.Callees.Length
                && InRange(model.FunctionName, names) && InRange(model.Callees, names) && InRange(model.FunctionFile, files)
                && InRange(model.Callers, functions) && InRange(model.Definitions, functions);
            return consistent ? model : null;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidDataException or IndexOutOfRangeException or IOException)
        {
            return null;
        }
    }

    private static bool InRange(int[] values, int count)
    {
        foreach (int v in values)
        {
            if ((uint)v >= (uint)count)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether the cache folder is this user's alone (created so if missing): in a folder others can write, another
    /// user could plant an index or a symlink where PatchBot writes. Such a folder is not used at all.
    /// </summary>
    internal static bool IsPrivateCacheFolder(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return true;
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const UnixFileMode othersWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        if (UnixFile.Stat(directory) is { } status)
        {
            return status.Kind == UnixFileKind.Directory && (status.Mode & othersWrite) == 0
                && (UnixFile.EffectiveUser() is not { } user || status.Owner == user);
        }

        return (File.GetUnixFileMode(directory) & othersWrite) == 0;
    }

    private static void TryWrite(string cacheFile, string root, Model m)
    {
        string? temp = null;
        try
        {
            if (!IsPrivateCacheFolder(Path.GetDirectoryName(cacheFile)!))
            {
                return;
            }

            var pathTable = NameTable.Create(m.Paths, out _, sort: false);

            // A name nobody can guess, created exclusively (O_CREAT|O_EXCL: an existing file or a symlink there is
            // an error, never followed), readable by this user only.
            temp = cacheFile + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 20 };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Magic);
                WriteInt(stream, FormatVersion);
                byte[] rootBytes = Encoding.UTF8.GetBytes(root);
                WriteInt(stream, rootBytes.Length);
                stream.Write(rootBytes);

                WriteArray<byte>(stream, pathTable.Blob);
                WriteArray<int>(stream, pathTable.Offsets);
                WriteArray<long>(stream, m.Lengths);
                WriteArray<long>(stream, m.Ticks);
                WriteArray<int>(stream, m.FileFunctionStart);
                WriteArray<int>(stream, m.FunctionFile);
                WriteArray<int>(stream, m.FunctionName);
                WriteArray<byte>(stream, m.FunctionStatic);
                WriteArray<int>(stream, m.FunctionLine);
                WriteArray<int>(stream, m.CalleeStart);
                WriteArray<int>(stream, m.Callees);
                WriteArray<byte>(stream, m.Names.Blob);
                WriteArray<int>(stream, m.Names.Offsets);
                WriteArray<int>(stream, m.CallerStart);
                WriteArray<int>(stream, m.Callers);
                WriteArray<int>(stream, m.DefinitionStart);
                WriteArray<int>(stream, m.Definitions);
            }

            File.Move(temp, cacheFile, overwrite: true); // rename(2): replaces a symlink at cacheFile, never follows it
            temp = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs time next run.
        }
        finally
        {
            if (temp is not null)
            {
                try
                {
                    File.Delete(temp);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left behind; it has a name of its own and is never read.
                }
            }
        }
    }

    private static void WriteInt(Stream s, int value)
    {
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b, value);
        s.Write(b);
    }

    private static void WriteArray<T>(Stream s, T[] values)
        where T : unmanaged
    {
        WriteInt(s, values.Length);
        s.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <summary>Reads what <see cref="TryWrite"/> wrote (little-endian, as the machine that wrote it).</summary>
    /// <summary>Reads the cache file's fields in order; a count larger than what is left of the file is an error, not an allocation.</summary>
    private sealed class StreamArrayReader(Stream stream)
    {
        private readonly long _length = stream.Length;

        public bool AtEnd => stream.Position == _length;

        public byte[] Bytes(int n)
        {
            if (n < 0 || n > _length - stream.Position)
            {
                throw new InvalidDataException("truncated index");
            }

            var bytes = new byte[n];
            stream.ReadExactly(bytes);
            return bytes;
        }

        public int Int()
        {
            Span<byte> b = stackalloc byte[4];
            if (_length - stream.Position < 4)
            {
                throw new InvalidDataException("truncated index");
            }

            stream.ReadExactly(b);
            return System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(b);
        }

        public string String() => Encoding.UTF8.GetString(Bytes(Int()));

        public T[] Array<T>()
            where T : unmanaged
        {
            int count = Int();
            int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            if (count < 0 || count > (_length - stream.Position) / size)
            {
                throw new InvalidDataException("truncated index");
            }

            var values = GC.AllocateUninitializedArray<T>(count);
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            return values;
        }
    }
}
