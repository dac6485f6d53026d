using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sources;

/// <summary>
/// The embedded source, no server needed: a Maildir (new/ and cur/), a folder of .eml files and mboxes, or one mbox
/// file. It reads only what is new: the folder is watched for changes (inotify through <see cref="FileSystemWatcher"/>)
/// and rescanned every <see cref="FolderSourceOptions.PollInterval"/> in case a notification was lost (the kernel drops
/// them when its queue overflows, and network file systems send none). Maildir and .eml files are remembered by name
/// (the part before ":2," so flag changes do not count as new mail), in memory and in the state, so a rescan opens no
/// file it read before. An mbox is read from where the last read stopped (<see cref="MboxPosition"/>, kept in the state
/// with each message, so a restart reads only what came since); when the bytes around that position no longer match
/// (the file was rewritten, truncated or replaced), it is read again from the start, and the messages already stored
/// are skipped by Message-ID.
/// </summary>
/// <remarks>
/// A message is read only when it is whole: an mbox message when the next "From " line follows it, or, for the last
/// one, when the file ends with a line break and was not written to for <see cref="Settle"/>; a .eml file likewise
/// (a Maildir's files are whole by design: they are written in tmp/ and renamed).
/// </remarks>
internal sealed class FolderSource(FolderSourceOptions options, MailIntake intake, BotStore store, TimeProvider time, ILogger logger)
{
    /// <summary>Bytes at the start of an mbox and before its read position that identify what was read.</summary>
    internal const int IdentityBytes = 4096;

    /// <summary>How long a file must be left alone before its last message is taken as whole.</summary>
    internal static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    /// <summary>Bursts of change notifications (an appender writing in chunks) are gathered this long into one scan.</summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);

    private static ReadOnlySpan<byte> FromLine => "From "u8;

    private readonly Dictionary<string, MboxFollower> mboxes = new(StringComparer.Ordinal);
    private HashSet<string>? seen;
    private long messagesRead;
    private long bytesRead;
    private long scans;

    public string Name => options.DisplayName;

    /// <summary>Messages read into memory so far (each mbox message and each file once, unless an mbox was rewritten).</summary>
    public long MessagesRead => Interlocked.Read(ref messagesRead);

    /// <summary>Bytes read from mail files so far (message data and the identity checks of mboxes).</summary>
    public long BytesRead => Interlocked.Read(ref bytesRead);

    /// <summary>Scans done so far (one per change notification burst or rescan).</summary>
    public long Scans => Interlocked.Read(ref scans);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var changes = new SemaphoreSlim(0);
        using var watcher = Watch(changes);
        while (!stoppingToken.IsCancellationRequested)
        {
            bool waiting = false;
            try
            {
                waiting = Scan();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                BotLog.SourceItemUnreadable(logger, Name, options.Path, e.Message);
            }

            // A message still being written is looked at again once it has settled; otherwise at the next change, or the rescan.
            var wait = waiting && Settle < options.PollInterval ? Settle : options.PollInterval;
            using var rescan = new CancellationTokenSource(wait, time);
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(rescan.Token, stoppingToken);
            try
            {
                await changes.WaitAsync(wake.Token).ConfigureAwait(false);
                await Task.Delay(Gather, time, stoppingToken).ConfigureAwait(false);
                while (changes.Wait(0, CancellationToken.None))
                {
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // the rescan
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Reads what is new. True when a message was left for later because it may still be being written.</summary>
    public bool Scan()
    {
        Interlocked.Increment(ref scans);
        if (File.Exists(options.Path))
        {
            return Follow(options.Path);
        }

        bool maildir = Directory.Exists(Path.Combine(options.Path, "new")) && Directory.Exists(Path.Combine(options.Path, "cur"));
        bool firstScan = seen is null;
        seen ??= new HashSet<string>(store.FolderSeenNames(Name), StringComparer.Ordinal);
        if (firstScan)
        {
            foreach (var (name, position) in store.MboxPositions(Name))
            {
                mboxes[name] = new MboxFollower(position);
            }
        }

        IEnumerable<string> files = maildir
            ? Directory.EnumerateFiles(Path.Combine(options.Path, "cur")).Concat(Directory.EnumerateFiles(Path.Combine(options.Path, "new")))
            : Directory.EnumerateFiles(options.Path);
        bool waiting = false;
        foreach (var file in files.OrderBy(f => f, StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            if (name.StartsWith('.'))
            {
                continue;
            }

            if (!maildir && mboxes.ContainsKey(name))
            {
                waiting |= Follow(file);
                continue;
            }

            int colon = name.IndexOf(':', StringComparison.Ordinal);
            string key = colon < 0 ? name : name[..colon];
            if (seen.Contains(key))
            {
                // Before read positions were kept, an mbox in a folder was marked seen once read: follow it from now on.
                if (firstScan && !maildir && IsMbox(file))
                {
                    mboxes[name] = new MboxFollower(new MboxPosition(name, 0, [], []));
                    waiting |= Follow(file);
                }

                continue;
            }

            try
            {
                waiting |= ReadFile(file, name, key, maildir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A Maildir file renamed new/ -> cur/ between listing and reading: seen on the next scan.
                BotLog.SourceItemUnreadable(logger, Name, name, e.Message);
            }
        }

        return waiting;
    }

    /// <summary>One file of the folder not read before: an mbox from now on followed, or one message.</summary>
    private bool ReadFile(string file, string name, string key, bool maildir)
    {
        var info = new FileInfo(file);
        long length = info.Length;
        if (!maildir)
        {
            if (IsMbox(file))
            {
                mboxes[name] = new MboxFollower(new MboxPosition(name, 0, [], []));
                return Follow(file);
            }

            if (!Settled(info))
            {
                return true;
            }
        }

        byte[] bytes = length > intake.MaxMessageSize ? ReadPrefix(file, 256 * 1024) : File.ReadAllBytes(file);
        Interlocked.Increment(ref messagesRead);
        Interlocked.Add(ref bytesRead, bytes.Length);
        if (length > bytes.Length)
        {
            intake.ReceiveOversized(Name, MailIntake.HeaderBlock(bytes), length, folderName: key); // never read whole
        }
        else
        {
            intake.Receive(Name, bytes, folderName: key);
        }

        seen!.Add(key);
        return false;
    }

    private bool IsMbox(string file) => ReadPrefix(file, FromLine.Length).AsSpan().SequenceEqual(FromLine);

    private bool Settled(FileInfo info) => time.GetUtcNow().UtcDateTime - info.LastWriteTimeUtc >= Settle;

    private byte[] ReadPrefix(string file, int count)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[count];
        int read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        Interlocked.Add(ref bytesRead, read);
        return buffer[..read];
    }

    /// <summary>Reads the whole messages an mbox gained since the last read. True when its last message may still be
    /// being written.</summary>
    private bool Follow(string path)
    {
        string name = Path.GetFileName(path);
        if (!mboxes.TryGetValue(name, out var mbox))
        {
            var stored = store.MboxPositions(Name);
            mbox = new MboxFollower(stored.TryGetValue(name, out var p) ? p : new MboxPosition(name, 0, [], []));
            mboxes[name] = mbox;
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return false;
        }

        long length = info.Length;
        var written = info.LastWriteTimeUtc;
        if (mbox.Verified && !mbox.Waiting && length == mbox.SeenLength && written == mbox.SeenWritten)
        {
            return false; // nothing changed since the last look: not even opened
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        if (mbox.Position.Offset > 0 && (length < mbox.Position.Offset || !IdentityHolds(stream, mbox.Position)))
        {
            BotLog.MboxRewritten(logger, Name, name, mbox.Position.Offset, length);
            mbox.Position = new MboxPosition(name, 0, [], []);
            mbox.SearchedTo = 0;
        }

        mbox.Verified = true;
        mbox.SeenLength = length;
        mbox.SeenWritten = written;
        mbox.Waiting = ReadNew(stream, mbox, length, Settled(info));
        return mbox.Waiting;
    }

    /// <summary>Reads the messages from the read position up to <paramref name="length"/>, each handed to the intake
    /// with the position after it. True when the last one was left for later.</summary>
    private bool ReadNew(FileStream stream, MboxFollower mbox, long length, bool settled)
    {
        long start = mbox.Position.Offset;
        if (start == 0)
        {
            // Anything before the first "From " line is not a message.
            long first = FindFromLine(stream, 0, length, mbox);
            if (first < 0)
            {
                return false;
            }

            start = first;
        }

        while (start < length)
        {
            long next = FindFromLine(stream, Math.Max(start + 1, mbox.SearchedTo), length, mbox);
            long end = next >= 0 ? next : length;
            if (next < 0 && !(settled && EndsWithLineBreak(stream, length)))
            {
                return true; // the last message may still be being written
            }

            ReadMessage(stream, start, end, mbox);
            start = end;
        }

        return false;
    }

    /// <summary>The offset of the first line at or after <paramref name="from"/> that starts with "From ", or -1.</summary>
    private long FindFromLine(FileStream stream, long from, long length, MboxFollower mbox)
    {
        const int Chunk = 64 * 1024;
        var buffer = new byte[Chunk + 1];
        long at = from;
        while (at < length)
        {
            // One byte before the chunk tells whether its first byte starts a line.
            long readFrom = at == 0 ? 0 : at - 1;
            stream.Position = readFrom;
            int want = (int)Math.Min(buffer.Length, length - readFrom);
            int got = stream.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
            Interlocked.Add(ref bytesRead, got);
            var span = buffer.AsSpan(0, got);
            if (at == 0 && span.StartsWith(FromLine))
            {
                return 0;
            }

            int i = span.IndexOf("\nFrom "u8);
            if (i >= 0)
            {
                return readFrom + i + 1;
            }

            if (readFrom + got >= length)
            {
                break;
            }

            at = readFrom + got - FromLine.Length; // a "\nFrom " across the chunk border is found in the next one
        }

        mbox.SearchedTo = Math.Max(from, length - FromLine.Length); // resume there when the file grows
        return -1;
    }

    private static bool EndsWithLineBreak(FileStream stream, long length)
    {
        stream.Position = length - 1;
        return stream.ReadByte() == '\n';
    }

    /// <summary>One message, [start, end) of the mbox, "From " line included: stored (the header only when it is over
    /// the size limit) with the read position after it, in one transaction.</summary>
    private void ReadMessage(FileStream stream, long start, long end, MboxFollower mbox)
    {
        long size = end - start;
        bool whole = size <= intake.MaxMessageSize;
        var bytes = new byte[whole ? size : Math.Min(size, 256 * 1024)];
        stream.Position = start;
        stream.ReadExactly(bytes);
        Interlocked.Increment(ref messagesRead);
        Interlocked.Add(ref bytesRead, bytes.Length);
        int lineEnd = bytes.AsSpan().IndexOf((byte)'\n');
        byte[] raw = lineEnd < 0 ? [] : bytes[(lineEnd + 1)..]; // without the "From " line
        var position = PositionAt(stream, mbox.Position, end);
        if (raw.Length == 0)
        {
            store.SetMboxPosition(Name, position);
        }
        else if (whole)
        {
            intake.Receive(Name, raw, mbox: position);
        }
        else
        {
            intake.ReceiveOversized(Name, MailIntake.HeaderBlock(raw), size, mbox: position);
        }

        mbox.Position = position;
        mbox.SearchedTo = end;
    }

    /// <summary>The position <paramref name="offset"/> with the identity of the bytes before it.</summary>
    private MboxPosition PositionAt(FileStream stream, MboxPosition previous, long offset)
    {
        byte[] head = previous.Offset >= IdentityBytes ? previous.Head : HashOf(stream, 0, (int)Math.Min(offset, IdentityBytes));
        int tailLength = (int)Math.Min(offset, IdentityBytes);
        return new MboxPosition(previous.Name, offset, head, HashOf(stream, offset - tailLength, tailLength));
    }

    private bool IdentityHolds(FileStream stream, MboxPosition position)
    {
        int headLength = (int)Math.Min(position.Offset, IdentityBytes);
        return HashOf(stream, 0, headLength).AsSpan().SequenceEqual(position.Head)
            && HashOf(stream, position.Offset - headLength, headLength).AsSpan().SequenceEqual(position.Tail);
    }

    private byte[] HashOf(FileStream stream, long from, int count)
    {
        var buffer = new byte[count];
        stream.Position = from;
        int got = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        Interlocked.Add(ref bytesRead, got);
        return SHA256.HashData(buffer.AsSpan(0, got));
    }

    /// <summary>Change notifications for the folder (or the mbox file), or null when the system gives none (then the
    /// rescan alone finds new mail).</summary>
    private FileSystemWatcher? Watch(SemaphoreSlim changes)
    {
        string full = Path.GetFullPath(options.Path);
        bool file = File.Exists(full);
        void Changed()
        {
            if (changes.CurrentCount == 0)
            {
                changes.Release();
            }
        }

        FileSystemWatcher? watcher = null;
        try
        {
            watcher = file
                ? new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
                : new FileSystemWatcher(full) { IncludeSubdirectories = Directory.Exists(Path.Combine(full, "new")) };
            watcher.NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size;
            watcher.InternalBufferSize = 64 * 1024;
            watcher.Changed += (_, _) => Changed();
            watcher.Created += (_, _) => Changed();
            watcher.Renamed += (_, _) => Changed();
            watcher.Deleted += (_, _) => Changed();
            watcher.Error += (_, e) =>
            {
                BotLog.FolderNotificationsLost(logger, Name, e.GetException().Message);
                Changed(); // rescan now: whatever was lost is found by reading the folder
            };
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            watcher?.Dispose();
            BotLog.FolderNotWatched(logger, Name, e.Message, options.PollInterval);
            return null;
        }
    }

    /// <summary>What is known of one mbox: the stored read position, and in memory what the last look saw.</summary>
    private sealed class MboxFollower(MboxPosition position)
    {
        public MboxPosition Position { get; set; } = position;

        /// <summary>No "From " line starts between the read position and here (so a growing last message is not searched again).</summary>
        public long SearchedTo { get; set; }

        /// <summary>The identity was checked since the service started.</summary>
        public bool Verified { get; set; }

        public bool Waiting { get; set; }

        public long SeenLength { get; set; } = -1;

        public DateTime SeenWritten { get; set; }
    }
}
