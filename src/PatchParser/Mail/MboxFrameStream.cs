using PatchBot.PatchParser.IO;

namespace PatchBot.PatchParser.Mail;

/// <summary>
/// Presents an mbox one message at a time: <see cref="Read(Span{byte})"/> ends (returns 0) before the next line that
/// starts with "From ", so each message goes to its own <see cref="MimeKit.MimeParser"/> (which does the real mbox and
/// MIME work). A message MimeKit cannot parse then costs only that message, and a message over the size limit is cut
/// off instead of being read into memory.
/// </summary>
internal sealed class MboxFrameStream(Stream source, long maxFrameSize) : ReadOnlyStream
{
    private static ReadOnlySpan<byte> Marker => "From "u8;

    private static ReadOnlySpan<byte> LineMarker => "\nFrom "u8;

    private readonly byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int len;
    private bool sourceEnded;
    private bool atLineStart = true;
    private int markerAt = -1; // buffer index of the '\n' of the next "\nFrom " found, when >= pos
    private int scannedTo;     // no "\nFrom " starts before this buffer index (at or after pos)
    private long frameLength;
    private bool frameEnded = true;
    private long offset;

    /// <summary>Byte offset of the current message's "From " line.</summary>
    public long FrameStart { get; private set; }

    /// <summary>Bytes of the current message (so far).</summary>
    public long FrameLength => frameLength;

    /// <summary>The current message was longer than the limit; reading stopped at the limit.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Skips what is left of the current message and starts the next; false at the end of the input.</summary>
    public bool NextFrame()
    {
        if (!frameEnded)
        {
            var scratch = new byte[16 * 1024];
            Overflowed = false; // drain without the limit
            while (ReadCore(scratch, limit: false) > 0)
            {
            }
        }
        if (pos >= len && !Fill())
        {
            return false;
        }
        FrameStart = offset;
        frameLength = 0;
        frameEnded = false;
        Overflowed = false;
        return true;
    }

    public override int Read(Span<byte> destination) => ReadCore(destination, limit: true);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private int ReadCore(Span<byte> destination, bool limit)
    {
        if (frameEnded)
        {
            return 0;
        }
        int written = 0;
        while (written < destination.Length)
        {
            if (limit && frameLength >= maxFrameSize)
            {
                Overflowed = true;
                break;
            }
            if (len - pos <= Marker.Length && !sourceEnded)
            {
                Fill(); // enough lookahead to see a whole "\nFrom " or "From " at the current position
            }
            if (pos >= len)
            {
                frameEnded = true;
                break;
            }
            if (atLineStart && frameLength > 0 && buffer.AsSpan(pos, len - pos).StartsWith(Marker))
            {
                frameEnded = true;
                break;
            }

            // Up to and including the newline before the next "From " line; without one, all but the last bytes
            // (a "\nFrom " may straddle the next read) unless the input has ended.
            // The search resumes where the last one stopped: small reads of a large message scan it once.
            var window = buffer.AsSpan(pos, len - pos);
            if (markerAt < pos)
            {
                int from = Math.Max(pos, scannedTo);
                int found = buffer.AsSpan(from, len - from).IndexOf(LineMarker);
                markerAt = found >= 0 ? from + found : -1;
                scannedTo = found >= 0 ? from + found : Math.Max(pos, len - (LineMarker.Length - 1));
            }
            int next = markerAt >= pos ? markerAt - pos : -1;
            int n = next >= 0 ? next + 1 : sourceEnded ? window.Length : window.Length - Marker.Length;
            if (n <= 0)
            {
                if (!Fill())
                {
                    frameEnded = true;
                    break;
                }
                continue;
            }
            n = Math.Min(n, destination.Length - written);
            if (limit)
            {
                n = (int)Math.Min(n, maxFrameSize - frameLength);
            }
            buffer.AsSpan(pos, n).CopyTo(destination[written..]);
            pos += n;
            written += n;
            offset += n;
            frameLength += n;
            atLineStart = buffer[pos - 1] == (byte)'\n';
        }
        return written;
    }

    /// <summary>Moves the unread bytes to the front and reads more; false when nothing is left at all.</summary>
    private bool Fill()
    {
        if (pos > 0)
        {
            Buffer.BlockCopy(buffer, pos, buffer, 0, len - pos);
            len -= pos;
            markerAt -= pos;
            scannedTo = Math.Max(0, scannedTo - pos);
            pos = 0;
        }
        if (!sourceEnded && len < buffer.Length)
        {
            int n = source.Read(buffer, len, buffer.Length - len);
            if (n == 0)
            {
                sourceEnded = true;
            }
            len += n;
        }
        return len > pos;
    }

    protected override long BytesRead => frameLength;
}
