using System.Diagnostics;
using PatchBot.Engine.Inputs;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary>
/// Folders are walked once each: a symlink loop does not read the same files again and again, and a FIFO (which
/// blocks a reader until a writer comes), a socket or a device is skipped with a note in a folder and refused as
/// an argument.
/// </summary>
public sealed class FolderInputTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("patchbot-folders-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Make(string relative, string text = "x\n")
    {
        string path = Path.Combine(_dir.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    [Fact]
    public void Symlink_loops_read_each_file_once()
    {
        Make("a/one.patch");
        Make("a/b/two.patch");
        Directory.CreateSymbolicLink(Path.Combine(_dir.FullName, "a", "b", "up"), Path.Combine(_dir.FullName, "a"));
        Directory.CreateSymbolicLink(Path.Combine(_dir.FullName, "a", "b", "self"), Path.Combine(_dir.FullName, "a", "b"));
        Directory.CreateSymbolicLink(Path.Combine(_dir.FullName, "a", "again"), Path.Combine(_dir.FullName, "a", "b"));

        var notes = new List<string>();
        var (sources, errors) = InputExpander.Expand([_dir.FullName], () => Stream.Null, notes);

        Assert.Empty(errors);
        Assert.Equal(2, sources.Count);
        Assert.Equal(["one.patch", "two.patch"], sources.Select(s => Path.GetFileName(s.Name)).Order(StringComparer.Ordinal));
        Assert.Contains(notes, n => n.Contains("already read", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fifo_in_a_folder_is_skipped_with_a_note_and_refused_as_an_argument()
    {
        Make("in/one.patch");
        string fifo = Path.Combine(_dir.FullName, "in", "pipe.patch");
        MakeFifo(fifo);

        var notes = new List<string>();
        var (sources, errors) = InputExpander.Expand([Path.Combine(_dir.FullName, "in")], () => Stream.Null, notes);
        Assert.Empty(errors);
        Assert.Equal("one.patch", Path.GetFileName(Assert.Single(sources).Name));
        Assert.Contains(notes, n => n.Contains("pipe.patch", StringComparison.Ordinal) && n.Contains("FIFO", StringComparison.Ordinal));

        var (direct, directErrors) = InputExpander.Expand([fifo], () => Stream.Null);
        Assert.Empty(direct);
        Assert.Contains("FIFO", Assert.Single(directErrors).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_as_an_argument_is_an_error()
    {
        var (sources, errors) = InputExpander.Expand(["/dev/null"], () => Stream.Null);

        Assert.Empty(sources);
        Assert.Contains("device", Assert.Single(errors).Reason, StringComparison.Ordinal);
    }
}
