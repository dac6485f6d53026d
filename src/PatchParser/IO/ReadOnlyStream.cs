namespace PatchBot.PatchParser.IO;

/// <summary>The boilerplate of a forward-only, read-only stream: subclasses implement <see cref="Read(byte[], int, int)"/>.</summary>
internal abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    /// <summary>Bytes read so far.</summary>
    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    protected abstract long BytesRead { get; }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
