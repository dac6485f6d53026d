using System.IO.Compression;
using System.IO.Hashing;
using PatchBot.PatchParser.IO;

namespace PatchBot.PatchParser.Mail;

/// <summary>
/// Decompresses gzip data (RFC 1952), member after member as <see cref="GZipStream"/> does, but checks that each
/// member ends with its trailer (the CRC-32 and the length of its data): <see cref="GZipStream"/> ends quietly where a
/// truncated file stops, so a cut archive would look whole. A member that ends early, a trailer that does not match
/// and data after the last member that is not gzip throw <see cref="InvalidDataException"/>, after everything before
/// the cut was returned.
/// </summary>
/// <remarks>
/// The deflate data of a member is read by <see cref="DeflateStream"/> (zlib), which reads its input ahead and does
/// not say where the data ended; the trailer is then found in the last input it was handed: the first place where
/// the member's CRC-32 and length (known by now) follow, which a cut input does not have.
/// </remarks>
internal sealed class CheckedGzipStream(Stream compressed) : ReadOnlyStream
{
    private const int Chunk = 16 * 1024;       // the most handed to the deflate reader at a time
    private const int Window = 4 * Chunk;      // handed-out bytes kept to find the trailer in
    private const int TrailerLength = 8;

    private readonly byte[] buffer = new byte[Window + Chunk + TrailerLength];
    private readonly Crc32 crc = new();
    private int pos;   // next byte to hand out
    private int end;   // end of the bytes read from the source
    private long bufferStart; // offset in the compressed input of buffer[0]
    private bool sourceEnded;
    private DeflateStream? member;
    private uint memberLength;
    private long produced;
    private bool ended;

    protected override long BytesRead => produced;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        while (!ended && destination.Length > 0)
        {
            if (member is null && !StartMember())
            {
                ended = true;
                break;
            }

            int n = member!.Read(destination);
            if (n > 0)
            {
                crc.Append(destination[..n]);
                memberLength += (uint)n;
                produced += n;
                return n;
            }

            EndMember();
        }

        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            member?.Dispose(); // zlib's state, when the reader stopped inside a member
            member = null;
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads a member header; false at the end of the input (or of zero padding after the last member).</summary>
    private bool StartMember()
    {
        long at = bufferStart + pos;
        if (!Ensure(1))
        {
            if (at == 0)
            {
                throw new InvalidDataException("empty gzip input");
            }

            return false;
        }

        if (buffer[pos] == 0 && at > 0)
        {
            // Zero padding after the last member (tape and block devices write it): nothing else may follow.
            while (Ensure(1))
            {
                if (buffer[pos] != 0)
                {
                    throw new InvalidDataException($"data after the end of the gzip data at compressed byte {bufferStart + pos}");
                }

                pos++;
            }

            return false;
        }

        if (!Ensure(10))
        {
            throw Truncated("in a member header");
        }

        if (buffer[pos] != 0x1f || buffer[pos + 1] != 0x8b)
        {
            throw new InvalidDataException($"data after the end of the gzip data at compressed byte {at}");
        }

        if (buffer[pos + 2] != 8)
        {
            throw new InvalidDataException($"gzip member at compressed byte {at}: unknown compression method {buffer[pos + 2]}");
        }

        byte flags = buffer[pos + 3];
        pos += 10;
        if ((flags & 0x04) != 0) // FEXTRA
        {
            if (!Ensure(2))
            {
                throw Truncated("in a member header");
            }

            int extra = buffer[pos] | (buffer[pos + 1] << 8);
            pos += 2;
            Skip(extra);
        }

        if ((flags & 0x08) != 0) // FNAME
        {
            SkipZeroTerminated();
        }

        if ((flags & 0x10) != 0) // FCOMMENT
        {
            SkipZeroTerminated();
        }

        if ((flags & 0x02) != 0) // FHCRC
        {
            Skip(2);
        }

        crc.Reset();
        memberLength = 0;
        member = new DeflateStream(new Feeder(this), CompressionMode.Decompress, leaveOpen: true);
        return true;
    }

    /// <summary>The deflate data ended (or the input did): find the trailer in what was handed out and after it.</summary>
    private void EndMember()
    {
        member!.Dispose();
        member = null;
        Ensure(TrailerLength); // the trailer may not have been handed out yet
        Span<byte> trailer = stackalloc byte[TrailerLength];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc.GetCurrentHashAsUInt32());
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], memberLength);
        int from = Math.Max(0, pos - Window);
        int found = buffer.AsSpan(from, end - from).IndexOf(trailer);
        if (found < 0)
        {
            throw sourceEnded && pos >= end - TrailerLength
                ? Truncated("before the end of its compressed data")
                : new InvalidDataException($"gzip member ending near compressed byte {bufferStart + pos}: its check sum does not match its data");
        }

        pos = from + found + TrailerLength; // what the deflate reader read past its data belongs to the next member
    }

    private InvalidDataException Truncated(string where) =>
        new($"the gzip input is truncated: it ends at compressed byte {bufferStart + end} {where}, after {produced} bytes of data");

    private void Skip(int count)
    {
        while (count > 0)
        {
            if (!Ensure(1))
            {
                throw Truncated("in a member header");
            }

            int n = Math.Min(count, end - pos);
            pos += n;
            count -= n;
        }
    }

    private void SkipZeroTerminated()
    {
        while (true)
        {
            if (!Ensure(1))
            {
                throw Truncated("in a member header");
            }

            if (buffer[pos++] == 0)
            {
                return;
            }
        }
    }

    /// <summary>At least <paramref name="count"/> unread bytes in the buffer, unless the input ends first.</summary>
    private bool Ensure(int count)
    {
        while (end - pos < count && !sourceEnded)
        {
            if (end == buffer.Length)
            {
                // Keep the last Window handed-out bytes (the trailer is looked for there), drop the rest. The buffer
                // holds more than Window + count, so there is always something to drop here.
                int keep = Math.Max(0, pos - Window);
                Buffer.BlockCopy(buffer, keep, buffer, 0, end - keep);
                pos -= keep;
                end -= keep;
                bufferStart += keep;
            }

            int n = compressed.Read(buffer, end, buffer.Length - end);
            if (n == 0)
            {
                sourceEnded = true;
            }

            end += n;
        }

        return end - pos >= count;
    }

    /// <summary>Hands the compressed bytes to the deflate reader, a chunk at a time.</summary>
    private int Feed(Span<byte> destination)
    {
        if (!Ensure(1))
        {
            return 0;
        }

        int n = Math.Min(Math.Min(destination.Length, end - pos), Chunk);
        buffer.AsSpan(pos, n).CopyTo(destination);
        pos += n;
        return n;
    }

    private sealed class Feeder(CheckedGzipStream owner) : ReadOnlyStream
    {
        private long fed;

        protected override long BytesRead => fed;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = owner.Feed(buffer);
            fed += n;
            return n;
        }
    }
}
