using System.Security.Cryptography;
using System.Text;
using PatchBot.Engine.Tree;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary>
/// The tree-index cache in a shared folder: another user must not be able to make PatchBot overwrite a file of
/// theirs (a symlink at a predictable temporary name) or feed it an index. Temporary files are created
/// exclusively under names nobody can guess, and a folder others can write is not used.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TreeCacheTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("patchbot-cache-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Tree()
    {
        string root = Path.Combine(_dir.FullName, "linux");
        Directory.CreateDirectory(Path.Combine(root, "drivers"));
        File.WriteAllText(Path.Combine(root, "drivers", "a.c"), "static int helper(int x)\n{\n\treturn x;\n}\n\nint f(void)\n{\n\treturn helper(1);\n}\n");
        return root;
    }

    private static string CacheFile(string cache, string root) =>
        Path.Combine(cache, "tree-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..16] + ".idx");

    [Fact]
    public void A_symlink_at_the_old_temporary_name_is_not_followed()
    {
        string root = Tree();
        string cache = Directory.CreateDirectory(Path.Combine(_dir.FullName, "cache")).FullName;
        File.SetUnixFileMode(cache, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string victim = Path.Combine(_dir.FullName, "victim.txt");
        File.WriteAllText(victim, "keep me\n");
        File.CreateSymbolicLink(CacheFile(cache, root) + "." + Environment.ProcessId + ".tmp", victim);

        TreeIndex.LoadOrBuild(root, cache, out _);

        Assert.Equal("keep me\n", File.ReadAllText(victim));
        Assert.True(File.Exists(CacheFile(cache, root)), "the index is still cached");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CacheFile(cache, root)));
    }

    [Fact]
    public void A_cache_folder_others_can_write_is_not_used()
    {
        string root = Tree();
        string cache = Directory.CreateDirectory(Path.Combine(_dir.FullName, "open-to-others")).FullName;
        File.SetUnixFileMode(cache, (UnixFileMode)Convert.ToInt32("777", 8));

        var index = TreeIndex.LoadOrBuild(root, cache, out var stats);

        Assert.Equal(1, stats.Files);
        Assert.Empty(Directory.GetFiles(cache));
        Assert.True(index.FileCount == 1);
    }

    [Fact]
    public void A_missing_cache_folder_is_created_private()
    {
        string root = Tree();
        string cache = Path.Combine(_dir.FullName, "new-cache");

        TreeIndex.LoadOrBuild(root, cache, out _);
        TreeIndex.LoadOrBuild(root, cache, out var second);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cache));
        Assert.True(second.FromCache);
    }
}
