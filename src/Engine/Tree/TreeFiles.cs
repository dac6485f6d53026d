using System.Globalization;
using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;
using PatchBot.Engine.Inputs;

namespace PatchBot.Engine.Tree;

/// <summary>One .c file an index is built from: its path in the tree (with '/'), and two numbers that change when
/// its content does (a folder: size and write time; a git commit: size and the blob id).</summary>
internal readonly record struct TreeFile(string Path, long Length, long Stamp);

/// <summary>
/// Where a <see cref="TreeIndex"/> takes its files from: a folder on disk, or the objects of one git commit (no
/// checkout). A file is indexed again only when its stamp changed, so an index of another commit of the same clone
/// serves as the start of a new one and only the blobs that differ are read.
/// </summary>
internal abstract class TreeFiles
{
    /// <summary>Written in the cache file: a cache of another identity is never taken for this one.</summary>
    public abstract string Identity { get; }

    /// <summary>The cache file's name for this source (in the cache folder).</summary>
    public abstract string CacheName { get; }

    /// <summary>A prefix shared by the caches whose files can be reused for this one (other commits of one clone), or null.</summary>
    public virtual string? SeedPrefix => null;

    /// <summary>Every .c file, sorted by path (ordinal).</summary>
    public abstract List<TreeFile> List(int workers);

    /// <summary>A reader for one worker thread.</summary>
    public abstract Reader OpenReader();

    /// <summary>Reads file contents into a reused buffer.</summary>
    internal abstract class Reader : IDisposable
    {
        /// <summary>The bytes of <paramref name="file"/> into <paramref name="buffer"/> (grown when needed): their count,
        /// or -1 when it cannot be read (gone, unreadable, larger than <paramref name="limit"/>).</summary>
        public abstract int Read(in TreeFile file, ref byte[] buffer, long limit);

        public virtual void Dispose() => GC.SuppressFinalize(this);
    }

    protected static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}

/// <summary>The .c files of a folder (a kernel checkout): size and write time tell a changed file.</summary>
internal sealed class FolderFiles(string root) : TreeFiles
{
    public string Root { get; } = Path.GetFullPath(root);

    public override string Identity => Root;

    public override string CacheName => "tree-" + Hash(Root) + ".idx";

    /// <summary>Sorted by path; the top-level folders are walked in parallel.</summary>
    public override List<TreeFile> List(int workers)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.ReparsePoint,
        };
        var top = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.ReparsePoint };
        var dirs = Directory.Exists(Root) ? Directory.GetDirectories(Root, "*", top) : [];
        var parts = new List<TreeFile>[dirs.Length + 1];
        parts[dirs.Length] = Walk(Root, top);
        Parallel.For(0, dirs.Length, new ParallelOptions { MaxDegreeOfParallelism = workers }, i => parts[i] = Walk(dirs[i], options));
        var all = new List<TreeFile>(parts.Sum(p => p.Count));
        foreach (var part in parts)
        {
            all.AddRange(part);
        }

        all.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return all;
    }

    private List<TreeFile> Walk(string dir, EnumerationOptions options)
    {
        int skip = Root.Length + 1;
        var files = new FileSystemEnumerable<TreeFile>(dir,
            (ref FileSystemEntry e) => new TreeFile(e.ToFullPath()[skip..].Replace('\\', '/'), e.Length, e.LastWriteTimeUtc.UtcTicks), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && e.FileName.EndsWith(".c", StringComparison.Ordinal),
        };
        return [.. files];
    }

    public override Reader OpenReader() => new FileReader(Root);

    private sealed class FileReader(string root) : Reader
    {
        public override int Read(in TreeFile file, ref byte[] buffer, long limit)
        {
            try
            {
                using var handle = File.OpenHandle(Path.Combine(root, file.Path), FileMode.Open, FileAccess.Read, FileShare.Read);
                long size = RandomAccess.GetLength(handle);
                if (size > limit)
                {
                    return -1;
                }

                if (buffer.Length < size)
                {
                    buffer = new byte[Math.Max(size, buffer.Length * 2L)];
                }

                int length = 0;
                int n;
                while (length < size && (n = RandomAccess.Read(handle, buffer.AsSpan(length, (int)size - length), length)) > 0)
                {
                    length += n;
                }

                return length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return -1;
            }
        }
    }
}

/// <summary>
/// The .c files of one commit of a git repository, read from its objects (<c>git ls-tree</c>, <c>git cat-file
/// --batch</c>): no checkout. The blob id is the stamp, so caches of other commits of the same repository are reused
/// file by file.
/// </summary>
internal sealed class GitCommitFiles(string repository, string commit) : TreeFiles
{
    private readonly Dictionary<string, string> _blobs = new(StringComparer.Ordinal);

    public string Repository { get; } = Path.GetFullPath(repository);

    /// <summary>The full object id of the commit.</summary>
    public string Commit { get; } = commit;

    public override string Identity => "git:" + Repository + "@" + Commit;

    public override string CacheName => SeedPrefix + Commit[..Math.Min(16, Commit.Length)] + ".idx";

    public override string SeedPrefix => "git-" + Hash(Repository) + "-";

    public override List<TreeFile> List(int workers)
    {
        var result = new GitCli(Repository, TimeSpan.FromMinutes(5)).Run("ls-tree", "-r", "-z", "--full-tree", Commit);
        if (!result.Ok)
        {
            throw new IOException($"git ls-tree {Commit}: {result.Stderr}");
        }

        var files = new List<TreeFile>();
        lock (_blobs)
        {
            _blobs.Clear();
            foreach (var entry in ParseLsTree(result.Stdout))
            {
                files.Add(new TreeFile(entry.Path, 0, StampOf(entry.Blob))); // the blob id says it all; sizes would cost a read of every blob
                _blobs[entry.Path] = entry.Blob;
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    /// <summary>The regular .c blobs of <c>git ls-tree -r -z</c> output ("mode type id\tpath\0"): symbolic links
    /// (mode 120000) and submodules are not files of the tree.</summary>
    internal static IEnumerable<(string Path, string Blob)> ParseLsTree(byte[] output)
    {
        int start = 0;
        while (start < output.Length)
        {
            int end = Array.IndexOf(output, (byte)0, start);
            if (end < 0)
            {
                end = output.Length;
            }

            string line = Encoding.UTF8.GetString(output, start, end - start);
            start = end + 1;
            int tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab < 0)
            {
                continue;
            }

            string path = line[(tab + 1)..];
            var fields = line[..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 3 && fields[1] == "blob" && fields[0] != "120000" && path.EndsWith(".c", StringComparison.Ordinal))
            {
                yield return (path, fields[2]);
            }
        }
    }

    private static long StampOf(string blob) =>
        blob.Length >= 16 && long.TryParse(blob.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long v) ? v : blob.GetHashCode(StringComparison.Ordinal);

    public override Reader OpenReader() => new BlobReader(this);

    private string? BlobOf(string path)
    {
        lock (_blobs)
        {
            return _blobs.GetValueOrDefault(path);
        }
    }

    private sealed class BlobReader(GitCommitFiles files) : Reader
    {
        private readonly GitObjectReader _git = new(files.Repository);

        public override int Read(in TreeFile file, ref byte[] buffer, long limit) =>
            files.BlobOf(file.Path) is { } blob ? _git.Read(blob, ref buffer, limit) : -1;

        public override void Dispose()
        {
            _git.Dispose();
            base.Dispose();
        }
    }
}

/// <summary>
/// One long-running <c>git cat-file --batch</c>: objects by id or "commit:path", each read in one round trip.
/// Not thread-safe; a reader that fails once (git gone, output out of step) is restarted on the next read.
/// </summary>
internal sealed class GitObjectReader(string repository) : IDisposable
{
    private System.Diagnostics.Process? _process;
    private BufferedStream? _out;

    /// <summary>The bytes of blob <paramref name="spec"/> into <paramref name="buffer"/>: their count, or -1 when there is
    /// no such blob, it is larger than <paramref name="limit"/>, or git failed.</summary>
    public int Read(string spec, ref byte[] buffer, long limit)
    {
        if (spec.Length == 0 || spec.AsSpan().IndexOfAny('\n', '\r', '\0') >= 0)
        {
            return -1; // one request per line: a name with a line break could not be asked for
        }

        try
        {
            var input = Start();
            input.Write(Encoding.UTF8.GetBytes(spec + "\n"));
            input.Flush();
            string header = ReadLine();
            var fields = header.Split(' ');
            if (fields.Length != 3 || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out long size))
            {
                return -1; // "<spec> missing" or "ambiguous": nothing follows
            }

            if (fields[1] != "blob" || size > limit)
            {
                Skip(size + 1);
                return -1;
            }

            if (buffer.Length < size)
            {
                buffer = new byte[Math.Max(size, buffer.Length * 2L)];
            }

            ReadExactly(buffer.AsSpan(0, (int)size));
            Skip(1); // the line feed after the content
            return (int)size;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Stop();
            return -1;
        }
    }

    private Stream Start()
    {
        if (_process is { HasExited: false })
        {
            return _process.StandardInput.BaseStream;
        }

        Stop();
        var start = new System.Diagnostics.ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            WorkingDirectory = repository,
        };
        start.Environment["LC_ALL"] = "C";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.ArgumentList.Add("cat-file");
        start.ArgumentList.Add("--batch");
        _process = System.Diagnostics.Process.Start(start) ?? throw new IOException("cannot run git cat-file");
        _out = new BufferedStream(_process.StandardOutput.BaseStream, 1 << 16);
        return _process.StandardInput.BaseStream;
    }

    private string ReadLine()
    {
        var bytes = new List<byte>(96);
        while (true)
        {
            int b = _out!.ReadByte();
            if (b < 0)
            {
                throw new IOException("git cat-file ended");
            }

            if (b == '\n')
            {
                return Encoding.UTF8.GetString([.. bytes]);
            }

            if (bytes.Count > 4096)
            {
                throw new IOException("git cat-file: header line too long");
            }

            bytes.Add((byte)b);
        }
    }

    private void ReadExactly(Span<byte> into) => _out!.ReadExactly(into);

    private void Skip(long count)
    {
        Span<byte> scratch = stackalloc byte[8192];
        while (count > 0)
        {
            int n = _out!.Read(scratch[..(int)Math.Min(scratch.Length, count)]);
            if (n <= 0)
            {
                throw new IOException("git cat-file ended");
            }

            count -= n;
        }
    }

    private void Stop()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(2000))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
        _process = null;
        _out = null;
    }

    public void Dispose() => Stop();
}
