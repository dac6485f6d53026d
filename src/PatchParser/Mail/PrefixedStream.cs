using PatchBot.PatchParser.IO;

namespace PatchBot.PatchParser.Mail;

/// <summary>A read-only stream that replays bytes already read for sniffing, then continues with the source;
/// it ends after <paramref name="limit"/> bytes (so an oversized message is never read into memory whole).</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream inner, long limit = long.MaxValue) : ReadOnlyStream
{
    private int prefixPos;
    private long position;

    protected override long BytesRead => position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Reading stopped at the limit.</summary>
    public bool AtLimit => position >= limit;

    public override int Read(Span<byte> buffer)
    {
        if (position >= limit)
        {
            return 0;
        }

        if (buffer.Length > limit - position)
        {
            buffer = buffer[..(int)(limit - position)];
        }

        int n;
        if (prefixPos < prefixLength)
        {
            n = Math.Min(buffer.Length, prefixLength - prefixPos);
            prefix.AsSpan(prefixPos, n).CopyTo(buffer);
            prefixPos += n;
        }
        else
        {
            n = inner.Read(buffer);
        }
        position += n;
        return n;
    }
}
