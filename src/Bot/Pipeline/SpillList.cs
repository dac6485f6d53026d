namespace PatchBot.Bot.Pipeline;

/// <summary>
/// An append-only list that keeps its first <see cref="MemoryLimit"/> items in memory and writes the rest to a
/// temporary file (deleted when closed), read back in order when enumerated. The report of a long archive (one
/// coverage note or series note for many of its messages) then costs disk, not memory.
/// </summary>
internal sealed class SpillList<T> : IReadOnlyCollection<T>, IDisposable
{
    /// <summary>Items kept in memory before the rest go to disk.</summary>
    public const int DefaultMemoryLimit = 4096;

    private readonly List<T> _memory = [];
    private readonly Action<BinaryWriter, T> _write;
    private readonly Func<BinaryReader, T> _read;
    private FileStream? _file;
    private BinaryWriter? _writer;
    private int _spilled;

    public SpillList(Action<BinaryWriter, T> write, Func<BinaryReader, T> read, int memoryLimit = DefaultMemoryLimit)
    {
        _write = write;
        _read = read;
        MemoryLimit = Math.Max(0, memoryLimit);
    }

    public int MemoryLimit { get; }

    public int Count => _memory.Count + _spilled;

    /// <summary>Items on disk (for tests and measurements).</summary>
    public int Spilled => _spilled;

    public void Add(T item)
    {
        if (_memory.Count < MemoryLimit)
        {
            _memory.Add(item);
            return;
        }

        if (_writer is null)
        {
            string path = Path.Combine(Path.GetTempPath(), $"patchbot-report-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            _writer = new BinaryWriter(_file);
        }

        _write(_writer, item);
        _spilled++;
    }

    public IEnumerator<T> GetEnumerator()
    {
        foreach (var item in _memory)
        {
            yield return item;
        }

        if (_file is null || _writer is null)
        {
            yield break;
        }

        // Read back through the same stream (not enumerated while items are added), then back to the end.
        _writer.Flush();
        long end = _file.Position;
        _file.Position = 0;
        try
        {
            using var binary = new BinaryReader(_file, System.Text.Encoding.UTF8, leaveOpen: true);
            for (int i = 0; i < _spilled; i++)
            {
                yield return _read(binary);
            }
        }
        finally
        {
            _file.Position = end;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        _writer?.Dispose();
        _file?.Dispose();
        _writer = null;
        _file = null;
    }

    /// <summary>Writes a string that may be null.</summary>
    public static void WriteOptional(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null)
        {
            w.Write(s);
        }
    }

    public static string? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}

/// <summary>Two collections read one after the other.</summary>
internal sealed class ConcatenatedCollection<T>(IReadOnlyCollection<T> first, IReadOnlyCollection<T> second) : IReadOnlyCollection<T>
{
    public int Count => first.Count + second.Count;

    public IEnumerator<T> GetEnumerator() => first.Concat(second).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
