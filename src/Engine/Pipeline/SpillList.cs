using System.Runtime.InteropServices;

namespace PatchBot.Engine.Pipeline;

/// <summary>
/// An append-only list that keeps its first <see cref="MemoryLimit"/> items in memory and writes the rest to a
/// temporary file (deleted when closed), read back in order when enumerated. The report of a long archive (one
/// coverage note or series note for many of its messages) then costs disk, not memory. If the temporary file
/// cannot be created or written (no space, no temporary folder), the items stay in memory from there on: nothing
/// is lost, and a disk problem is never taken for a problem of the input.
/// </summary>
internal sealed class SpillList<T> : IReadOnlyCollection<T>, IDisposable
{
    /// <summary>Items kept in memory before the rest go to disk.</summary>
    public const int DefaultMemoryLimit = 4096;

    private readonly List<T> _memory = [];
    private readonly List<T> _afterDiskFailure = [];
    private readonly Action<BinaryWriter, T> _write;
    private readonly Func<BinaryReader, T> _read;
    private readonly MemoryStream _record = new();
    private readonly BinaryWriter _recordWriter;
    private FileStream? _file;
    private int _spilled;
    private bool _diskFailed;
    private bool _disposed;

    public SpillList(Action<BinaryWriter, T> write, Func<BinaryReader, T> read, int memoryLimit = DefaultMemoryLimit)
    {
        _write = write;
        _read = read;
        _recordWriter = new BinaryWriter(_record);
        MemoryLimit = Math.Max(0, memoryLimit);
    }

    public int MemoryLimit { get; }

    public int Count => _memory.Count + _spilled + _afterDiskFailure.Count;

    /// <summary>Items on disk (for tests and measurements).</summary>
    public int Spilled => _spilled;

    /// <summary>The temporary file could not be created or written; later items stayed in memory.</summary>
    public bool DiskFailed => _diskFailed;

    /// <summary>Where temporary files go: the system's temporary folder unless a test says otherwise.</summary>
    public string TempDirectory { get; init; } = Path.GetTempPath();

    public void Add(T item)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_memory.Count < MemoryLimit)
        {
            _memory.Add(item);
        }
        else if (_diskFailed || !TryWrite(item))
        {
            _afterDiskFailure.Add(item);
        }
        else
        {
            _spilled++;
        }
    }

    /// <summary>Writes one whole record, or nothing: a failed write is cut off again so the file stays readable.</summary>
    private bool TryWrite(T item)
    {
        _record.SetLength(0);
        _write(_recordWriter, item);
        _recordWriter.Flush();
        long good = 0;
        try
        {
            _file ??= new FileStream(
                Path.Combine(TempDirectory, $"patchbot-report-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp"),
                FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.DeleteOnClose);
            good = _file.Position;
            _file.Write(_record.GetBuffer(), 0, (int)_record.Length);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _diskFailed = true;
            try
            {
                _file?.SetLength(good);
                if (_file is not null)
                {
                    _file.Position = good;
                }
            }
            catch (IOException)
            {
                // The records before this one are whole; what follows is never read (_spilled did not count it).
            }

            return false;
        }
    }

    public IEnumerator<T> GetEnumerator()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var item in _memory)
        {
            yield return item;
        }

        if (_file is not null && _spilled > 0)
        {
            // Read back through the same stream (not enumerated while items are added), then back to the end.
            long end = _file.Position;
            _file.Position = 0;
            try
            {
                using var reader = new BinaryReader(_file, System.Text.Encoding.UTF8, leaveOpen: true);
                for (int i = 0; i < _spilled; i++)
                {
                    yield return _read(reader);
                }
            }
            finally
            {
                _file.Position = end;
            }
        }

        foreach (var item in _afterDiskFailure)
        {
            yield return item;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        _disposed = true;
        _file?.Dispose();
        _file = null;
        _recordWriter.Dispose();
    }

    /// <summary>Writes a string exactly as it is in memory (UTF-16, lone surrogates included).</summary>
    public static void WriteString(BinaryWriter w, string s)
    {
        w.Write(s.Length);
        w.Write(MemoryMarshal.AsBytes(s.AsSpan()));
    }

    public static string ReadString(BinaryReader r)
    {
        int length = r.ReadInt32();
        return string.Create(length, r.BaseStream, static (chars, stream) => stream.ReadExactly(MemoryMarshal.AsBytes(chars)));
    }

    /// <summary>Writes a string that may be null.</summary>
    public static void WriteOptional(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null)
        {
            WriteString(w, s);
        }
    }

    public static string? ReadOptional(BinaryReader r) => r.ReadBoolean() ? ReadString(r) : null;
}

/// <summary>Two collections read one after the other.</summary>
internal sealed class ConcatenatedCollection<T>(IReadOnlyCollection<T> first, IReadOnlyCollection<T> second) : IReadOnlyCollection<T>
{
    public int Count => first.Count + second.Count;

    public IEnumerator<T> GetEnumerator() => first.Concat(second).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
