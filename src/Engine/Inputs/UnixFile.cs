using System.Runtime.InteropServices;

namespace PatchBot.Engine.Inputs;

/// <summary>What a path is, as the file system says: its type, its identity and its owner.</summary>
/// <param name="Device">With <paramref name="Inode"/>, the identity of the file whatever the path it was reached by.</param>
internal readonly record struct UnixFileStatus(UnixFileKind Kind, ulong Device, ulong Inode, uint Owner, UnixFileMode Mode);

internal enum UnixFileKind
{
    Other,
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
}

/// <summary>
/// <c>statx(2)</c>, which .NET does not expose: the file type (a FIFO opened for reading blocks until a writer
/// comes), the device and inode (a folder reached again through a symlink loop is the same folder) and the owner.
/// Its buffer has the same layout on every Linux architecture. Elsewhere (no statx) it answers null and callers
/// fall back to what .NET can tell.
/// </summary>
internal static partial class UnixFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    private static bool unavailable;

    /// <summary>The status of <paramref name="path"/>, following a final symlink unless <paramref name="followLink"/> is false; null when it cannot be read.</summary>
    public static UnixFileStatus? Stat(string path, bool followLink = true)
    {
        if (unavailable || !OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            if (Statx(AtFdCwd, path, followLink ? 0 : AtSymlinkNoFollow, StatxBasicStats, out var buffer) != 0)
            {
                return null;
            }

            var kind = (buffer.Mode & 0xf000) switch
            {
                0x8000 => UnixFileKind.Regular,
                0x4000 => UnixFileKind.Directory,
                0xa000 => UnixFileKind.SymbolicLink,
                0x1000 => UnixFileKind.Fifo,
                0xc000 => UnixFileKind.Socket,
                0x2000 => UnixFileKind.CharacterDevice,
                0x6000 => UnixFileKind.BlockDevice,
                _ => UnixFileKind.Other,
            };
            ulong device = ((ulong)buffer.DevMajor << 32) | buffer.DevMinor;
            return new UnixFileStatus(kind, device, buffer.Inode, buffer.Uid, (UnixFileMode)(buffer.Mode & 0xfff));
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            unavailable = true;
            return null;
        }
    }

    /// <summary>The effective user id of this process.</summary>
    public static uint? EffectiveUser()
    {
        if (unavailable || !OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return GetEuid();
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    /// <summary>struct statx (include/uapi/linux/stat.h): 256 bytes, the fields read here.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(136)]
        public uint DevMajor;

        [FieldOffset(140)]
        public uint DevMinor;
    }
}
