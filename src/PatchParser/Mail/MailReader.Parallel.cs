using System.Buffers;
using System.Threading.Channels;
using MimeKit;

namespace PatchBot.PatchParser.Mail;

/// <summary>
/// The parallel entry point: mbox framing stays sequential (one reader over the stream), while MIME parsing,
/// classification, body decoding and diff reading of each message run on <c>parallelism</c> workers. Items
/// come out in input order, identical to the sequential reader; the channels between the stages are bounded,
/// so at most a few frames per worker are in memory whatever the size of the mbox.
/// </summary>
public static partial class MailReader
{
    /// <summary>Batches in flight per worker: enough to keep every worker busy, few enough to bound memory.</summary>
    private const int BatchesPerWorker = 2;

    /// <summary>Ordered-queue depth in work-queue lengths.</summary>
    private const int OrderedDepth = 4;

    /// <summary>Messages per batch at most: a batch, not a message, crosses the channels, so synchronisation costs little.</summary>
    private const int BatchMessages = 8;

    /// <summary>Bytes per batch at most (a batch also closes at a large message).</summary>
    private const int BatchBytes = 1 << 20;

    /// <summary>
    /// Reads every message of <paramref name="stream"/> lazily, in input order, parsing up to
    /// <paramref name="parallelism"/> messages at a time (1 is the sequential reader).
    /// </summary>
    /// <param name="sourceName">The input's name for items and problems (a path, "-" for stdin).</param>
    public static IEnumerable<MailItem> Read(Stream stream, string sourceName, MailOptions? options, int parallelism)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        return ReadCore(stream, sourceName, options ?? MailOptions.Default, Math.Max(1, parallelism));
    }

    /// <summary>
    /// The framing stage alone: cuts <paramref name="stream"/> (an mbox) into messages and counts them, reading
    /// every byte. For measurements (what the sequential stage costs); no parsing.
    /// </summary>
    public static int CountFrames(Stream stream, MailOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var frames = new MboxFrameStream(stream, (options ?? MailOptions.Default).MaxMessageSize);
        var scratch = new byte[64 * 1024];
        int count = 0;
        while (frames.NextFrame())
        {
            count++;
            while (frames.Read(scratch, 0, scratch.Length) > 0)
            {
            }
        }

        return count;
    }

    /// <summary>One raw message between the framing stage and a worker.</summary>
    private sealed class Frame
    {
        public int Ordinal;
        public long Offset;
        public byte[]? Bytes;
        public int Length;
        public bool Overflowed;
        public MailItem? Item; // set by the worker, or by the framing stage when the input itself could not be read
    }

    /// <summary>Consecutive frames parsed by one worker; the consumer waits on <see cref="Done"/>.</summary>
    private sealed class Batch
    {
        public readonly List<Frame> Frames = new(BatchMessages);
        public int Bytes;
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static IEnumerable<MailItem> ReadMboxParallel(Stream input, string source, MailOptions options, int parallelism)
    {
        int capacity = parallelism * BatchesPerWorker;
        var work = Channel.CreateBounded<Batch>(new BoundedChannelOptions(capacity) { SingleWriter = true });

        // The consumer takes batches in input order, so a slow batch (a large message) holds back the ones after
        // it: the ordered queue is deeper than the work queue, so the other workers keep going meanwhile. What it
        // holds beyond the work queue is parsed items, not raw messages.
        var ordered = Channel.CreateBounded<Batch>(new BoundedChannelOptions(capacity * OrderedDepth) { SingleWriter = true, SingleReader = true });
        using var cancel = new CancellationTokenSource();
        var parserOptions = ParserOptionsFor(options);
        var framing = Task.Run(() => FrameAsync(input, source, options, work.Writer, ordered.Writer, cancel.Token));
        var workers = new Task[parallelism];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => ParseAsync(work.Reader, source, options, parserOptions, cancel.Token));
        }

        try
        {
            while (true)
            {
                if (!ordered.Reader.TryRead(out var batch))
                {
                    if (!ordered.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
                    {
                        break;
                    }

                    continue;
                }

                batch.Done.Task.GetAwaiter().GetResult();
                foreach (var frame in batch.Frames)
                {
                    yield return frame.Item!;
                }
            }

            // Surfaces a bug in the framing stage instead of silently ending early.
            framing.GetAwaiter().GetResult();
        }
        finally
        {
            // The consumer may stop early: stop the stages and wait for them, since the caller disposes the stream next.
            cancel.Cancel();
            try
            {
                Task.WaitAll([framing, .. workers]);
            }
            catch (AggregateException)
            {
                // Cancellation, or a failure already surfaced above.
            }
        }
    }

    /// <summary>The sequential stage: cuts the mbox into frames, in batches, for the workers and, in order, for the consumer.</summary>
    private static async Task FrameAsync(Stream input, string source, MailOptions options, ChannelWriter<Batch> work, ChannelWriter<Batch> ordered, CancellationToken cancel)
    {
        var frames = new MboxFrameStream(input, options.MaxMessageSize);
        int ordinal = 0;
        var batch = new Batch();
        try
        {
            bool more = true;
            while (more && !cancel.IsCancellationRequested)
            {
                var frame = new Frame();
                try
                {
                    if (frames.NextFrame())
                    {
                        ordinal++;
                        frame.Ordinal = ordinal;
                        frame.Offset = frames.FrameStart;
                        ReadFrame(frames, frame);
                        frame.Overflowed = frames.Overflowed;
                        batch.Frames.Add(frame);
                        batch.Bytes += frame.Length;
                    }
                    else
                    {
                        more = false;
                    }
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException)
                {
                    ReturnBytes(frame);
                    frame.Item = Unreadable(source, Math.Max(ordinal, 1), frames.FrameStart, $"cannot parse message: {ex.Message}");
                    batch.Frames.Add(frame);
                    more = false;
                }

                if (batch.Frames.Count > 0 && (!more || batch.Frames.Count >= BatchMessages || batch.Bytes >= BatchBytes))
                {
                    await ordered.WriteAsync(batch, cancel).ConfigureAwait(false);
                    await work.WriteAsync(batch, cancel).ConfigureAwait(false);
                    batch = new Batch();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The consumer stopped reading.
        }
        finally
        {
            work.TryComplete();
            ordered.TryComplete();
        }
    }

    /// <summary>Copies the current frame into a pooled buffer (the frame stream already stops at the size limit).</summary>
    private static void ReadFrame(Stream frames, Frame frame)
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(16 * 1024);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == bytes.Length)
                {
                    byte[] bigger = ArrayPool<byte>.Shared.Rent(bytes.Length * 2);
                    bytes.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(bytes);
                    bytes = bigger;
                }

                int n = frames.Read(bytes, length, bytes.Length - length);
                if (n == 0)
                {
                    break;
                }

                length += n;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw;
        }

        frame.Bytes = bytes;
        frame.Length = length;
    }

    private static void ReturnBytes(Frame frame)
    {
        if (frame.Bytes is { } bytes)
        {
            frame.Bytes = null;
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>A worker: MIME parse, classification, body decoding and diff reading of one batch at a time.</summary>
    private static async Task ParseAsync(ChannelReader<Batch> work, string source, MailOptions options, ParserOptions parserOptions, CancellationToken cancel)
    {
        try
        {
            // One parser per worker, its buffers reused for every message (SetStream resets it).
            var parser = new MimeParser(parserOptions, Stream.Null, MimeFormat.Mbox, persistent: false);
            await foreach (var batch in work.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                try
                {
                    foreach (var frame in batch.Frames)
                    {
                        frame.Item ??= ParseFrame(parser, frame, source, options);
                        ReturnBytes(frame);
                    }

                    batch.Done.TrySetResult();
                }
#pragma warning disable CA1031 // A bug in one message must reach the consumer, not hang it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    foreach (var frame in batch.Frames)
                    {
                        ReturnBytes(frame);
                    }

                    batch.Done.TrySetException(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The consumer stopped reading.
        }
    }

    private static MailItem ParseFrame(MimeParser parser, Frame frame, string source, MailOptions options)
    {
        MimeMessage message;
        bool partsCut;
        try
        {
            message = Parse(parser, frame.Bytes!, frame.Length, MimeFormat.Mbox, options, out partsCut);
        }
        catch (FormatException ex)
        {
            return Unreadable(source, frame.Ordinal, frame.Offset, $"cannot parse message: {ex.Message}");
        }

        // Disposed as soon as it is read: an undisposed MimeMessage waits for its finalizer, so every GC would
        // promote it and its parts (the profile showed half the pipeline's GC time there).
        using (message)
        {
            return frame.Overflowed
                ? TooLarge(message, source, frame.Ordinal, frame.Offset, frame.Length, options)
                : ReadMessage(message, source, frame.Ordinal, frame.Offset, options, fromMbox: true, partsCut);
        }
    }
}
