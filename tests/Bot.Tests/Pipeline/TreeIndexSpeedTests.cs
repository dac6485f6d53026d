using PatchBot.Engine.Tree;
using PatchBot.PatchParser.Tree;

namespace PatchBot.Bot.Tests.Pipeline;

/// <summary>The fast tree index (bytes widened without decoding, flat arrays, block-copy cache) answers as the plain indexer does.</summary>
public sealed class TreeIndexSpeedTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("patchbot-index-");

    public void Dispose() => _temp.Delete(recursive: true);

    /// <summary>A small tree of real kernel files (from the kernel tree when present, else the fixture tree).</summary>
    private string CopyTree()
    {
        string kernel = RepoPaths.KernelTree;
        string source = File.Exists(Path.Combine(kernel, "drivers", "pci", "quirks.c")) ? kernel : Path.Combine(RepoPaths.Fixtures, "tree");
        string[] files = ["drivers/pci/quirks.c", "drivers/pci/probe.c", "drivers/misc/mei/pci-me.c", "drivers/ata/ahci.c", "drivers/ata/libahci.c", "drivers/foo/foo-core.c", "drivers/foo/foo-pci.c"];
        string root = Path.Combine(_temp.FullName, "tree");
        foreach (string rel in files)
        {
            string from = Path.Combine(source, rel);
            if (File.Exists(from))
            {
                string to = Path.Combine(root, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(from, to);
            }
        }

        return root;
    }

    /// <summary>What the plain indexer (decoded text) says: callers of each callee, in path order.</summary>
    private static Dictionary<string, List<(string, string)>> Expected(string root, out List<(string File, IndexedFunction Function)> all)
    {
        all = [];
        var callers = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(root, "*.c", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal))
        {
            foreach (var f in FunctionIndexer.Index(File.ReadAllText(Path.Combine(root, file))))
            {
                all.Add((file, f));
                foreach (var callee in f.Callees)
                {
                    if (!callers.TryGetValue(callee, out var list))
                    {
                        callers[callee] = list = [];
                    }

                    list.Add((file, f.Name));
                }
            }
        }

        return callers;
    }

    [Fact]
    public void Cold_and_warm_indexes_answer_as_the_plain_indexer()
    {
        string root = CopyTree();
        string cache = Path.Combine(_temp.FullName, "cache");
        var expected = Expected(root, out var all);
        Assert.NotEmpty(all);

        var cold = TreeIndex.LoadOrBuild(root, cache, out var coldStats);
        var warm = TreeIndex.LoadOrBuild(root, cache, out var warmStats);

        Assert.False(coldStats.FromCache);
        Assert.Equal((true, 0), (warmStats.FromCache, warmStats.Reindexed));
        Assert.Equal(all.Count, coldStats.Functions);
        foreach (var index in new[] { cold, warm })
        {
            foreach (var (callee, callers) in expected)
            {
                Assert.Equal(callers, index.CallersOf(callee));
            }

            foreach (var (file, f) in all)
            {
                Assert.Contains(file, index.FilesDefining(f.Name));
                Assert.Equal(all.Any(a => a.File == file && a.Function.Name == f.Name && !a.Function.IsStatic), index.IsGlobal(file, f.Name));
            }

            Assert.Empty(index.CallersOf("no_such_function_anywhere"));
        }
    }

    [Fact]
    public void A_damaged_cache_is_rebuilt_not_trusted()
    {
        string root = CopyTree();
        string cache = Path.Combine(_temp.FullName, "cache");
        var first = TreeIndex.LoadOrBuild(root, cache, out _);
        string file = Directory.GetFiles(cache, "tree-*.idx").Single();
        byte[] bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        var again = TreeIndex.LoadOrBuild(root, cache, out var stats);

        Assert.False(stats.FromCache);
        Assert.Equal(first.FileCount, again.FileCount);
        Assert.Equal(File.ReadAllBytes(file).Length, bytes.Length);
    }
}
