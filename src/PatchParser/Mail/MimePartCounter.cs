using MimeKit;

namespace PatchBot.PatchParser.Mail;

/// <summary>
/// Finds where a message passes the MIME part limit before it is parsed: MimeKit's <see cref="MimeParser"/> builds an
/// object graph for every part (a 27 MB message of millions of empty parts took gigabytes), so a message over the
/// limit is cut before its first part over the limit and only the part that fits is parsed. The counting is
/// MimeKit's own <see cref="MimeReader"/>, which builds nothing, and it runs only when a cheap scan shows that the
/// message could be over the limit.
/// </summary>
internal sealed class MimePartCounter : MimeReader
{
    private readonly int limit;
    private int parts;
    private long cutAt = -1;

    private MimePartCounter(ParserOptions options, Stream stream, MimeFormat format, int limit)
        : base(options, stream, format) => this.limit = limit;

    /// <summary>
    /// The length of the longest prefix of <paramref name="message"/> holding at most <paramref name="limit"/> MIME parts
    /// (multiparts, leaves and attached messages, counted as MimeKit reads them), or null when the whole message is
    /// within the limit.
    /// </summary>
    public static int? CutBeforeLimit(byte[] message, int length, MimeFormat format, ParserOptions options, int limit)
    {
        // A part of a multipart begins after a boundary line ("--" at the start of a line); without boundaries a
        // message is one chain of attached messages, bounded by the nesting limit. A message with no more such
        // lines than the limit cannot hold more than limit * depth parts: few enough to build, and the part walk
        // reports what is over. Only messages with more of them are counted exactly.
        if (message.AsSpan(0, length).Count("\n--"u8) <= limit)
        {
            return null;
        }

        using var stream = new MemoryStream(message, 0, length, writable: false);
        var counter = new MimePartCounter(options, stream, format, limit);
        try
        {
            counter.ReadMessage(CancellationToken.None);
        }
        catch (LimitReachedException)
        {
            return (int)counter.cutAt;
        }
        catch (FormatException)
        {
            // Not a message MimeKit can read: the parser gives the same error and it is reported from there.
        }

        return null;
    }

    protected override void OnMimePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) =>
        Count(beginOffset);

    protected override void OnMultipartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) =>
        Count(beginOffset);

    protected override void OnMessagePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) =>
        Count(beginOffset);

    private void Count(long beginOffset)
    {
        if (++parts > limit)
        {
            cutAt = beginOffset;
            throw new LimitReachedException();
        }
    }

    /// <summary>Stops the reader at the first part over the limit (MimeReader has no other way to stop early).</summary>
    private sealed class LimitReachedException : Exception
    {
    }
}
