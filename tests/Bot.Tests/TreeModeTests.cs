using System.Diagnostics;
using System.Text.Json;
using PatchBot.Engine.Check;
using PatchBot.Engine.Tree;

namespace PatchBot.Bot.Tests;

/// <summary>Tree mode: patches applied to a kernel checkout in memory, callers found through the tree index.</summary>
public sealed class TreeModeTests : IDisposable
{
    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("patchbot-cache-");

    private static string FixtureTree => Path.Combine(RepoPaths.Fixtures, "tree");

    private static string HelperPatch => Path.Combine(RepoPaths.Fixtures, "tree-patches", "tree-alias-in-shared-helper.patch");

    private Dictionary<string, string> Env => new() { ["XDG_CACHE_HOME"] = _cache.FullName };

    public void Dispose() => _cache.Delete(recursive: true);

    private static List<JsonElement> Findings(CliProcess.Result result)
    {
        using var doc = JsonDocument.Parse(result.Stdout);
        return [.. doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.Clone())];
    }

    [Fact]
    public void The_patch_alone_cannot_see_the_probe_and_says_so()
    {
        var result = CliProcess.Run(["check", "--format", "json", HelperPatch], environment: Env);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(Findings(result));
        Assert.Contains("run with --tree", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_tree_the_caller_in_another_file_is_found()
    {
        var result = CliProcess.Run(["check", "--format", "json", "--tree", FixtureTree, HelperPatch], environment: Env);

        Assert.Equal(1, result.ExitCode);
        var finding = Assert.Single(Findings(result));
        Assert.Equal("dma-alias-after-iommu-group", finding.GetProperty("rule").GetString());
        Assert.Equal(("drivers/foo/foo-core.c", 23), (finding.GetProperty("file").GetString(), finding.GetProperty("line").GetInt32()));
        Assert.Equal(["foo_pci_probe (pci_driver.probe)", "foo_setup_device", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public void Inside_a_kernel_checkout_tree_mode_is_automatic_unless_no_tree()
    {
        var auto = CliProcess.Run(["check", "--format", "terse", HelperPatch], workingDirectory: Path.Combine(FixtureTree, "drivers"), environment: Env);
        Assert.Equal(1, auto.ExitCode);
        Assert.StartsWith("drivers/foo/foo-core.c:23: ERROR: [dma-alias-after-iommu-group]", auto.Stdout, StringComparison.Ordinal);

        var off = CliProcess.Run(["check", "--format", "terse", "--no-tree", HelperPatch], workingDirectory: FixtureTree, environment: Env);
        Assert.Equal(0, off.ExitCode);
        Assert.DoesNotContain(": ERROR:", off.Stdout, StringComparison.Ordinal); // without the tree the caller is not seen:
        Assert.Contains(": CHECK: not analysed: ", off.Stdout, StringComparison.Ordinal); // said, not passed silently
    }

    [Fact]
    public void A_hunk_that_does_not_apply_is_analysed_from_the_patch_with_the_trees_callers_and_says_why()
    {
        string patch = File.ReadAllText(HelperPatch).Replace("\tpci_set_master(pdev);", "\tpci_set_master(other);", StringComparison.Ordinal);
        string path = Path.Combine(_cache.FullName, "moved.patch");
        File.WriteAllText(path, patch);

        var result = CliProcess.Run(["check", "--format", "json", "--tree", FixtureTree, path], environment: Env);

        using (var doc = JsonDocument.Parse(result.Stdout))
        {
            Assert.Contains(doc.RootElement.GetProperty("coverage").EnumerateArray(), c => c.GetProperty("reason").GetString()!.Contains(
                "does not apply to the tree; analysed from the patch, with the tree's callers and registrations of the functions it touches", StringComparison.Ordinal));
        }

        var finding = Assert.Single(Findings(result)); // foo_setup_device() is still called from the probe in the other file
        Assert.Equal(("drivers/foo/foo-core.c", 23), (finding.GetProperty("file").GetString(), finding.GetProperty("line").GetInt32()));
        Assert.Equal("foo_pci_probe (pci_driver.probe)", finding.GetProperty("trace")[0].GetString());
    }

    [Fact]
    public void The_index_is_cached_and_refreshed_file_by_file()
    {
        var tree = Directory.CreateDirectory(Path.Combine(_cache.FullName, "tree"));
        foreach (var file in Directory.GetFiles(FixtureTree, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(tree.FullName, Path.GetRelativePath(FixtureTree, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        string cache = Path.Combine(_cache.FullName, "index");
        var first = TreeIndex.LoadOrBuild(tree.FullName, cache, out var cold);
        Assert.Equal((3, 3, false), (cold.Files, cold.Reindexed, cold.FromCache));
        Assert.Equal([("drivers/foo/foo-pci.c", "foo_pci_probe")], first.CallersOf("foo_setup_device"));

        TreeIndex.LoadOrBuild(tree.FullName, cache, out var warm);
        Assert.Equal((3, 0, true), (warm.Files, warm.Reindexed, warm.FromCache));

        string caller = Path.Combine(tree.FullName, "drivers", "foo", "foo-plat.c");
        File.WriteAllText(caller, "int foo_plat_probe(struct platform_device *pdev)\n{\n\treturn foo_setup_device(NULL);\n}\n");
        var refreshed = TreeIndex.LoadOrBuild(tree.FullName, cache, out var after);
        Assert.Equal((4, 1, true), (after.Files, after.Reindexed, after.FromCache));
        Assert.Equal(2, refreshed.CallersOf("foo_setup_device").Count);
    }

    /// <summary>The real kernel tree (Debian's linux-source-6.12, unpacked by the test command).</summary>
    [Fact]
    public void Real_kernel_tree_finds_probe_callers_outside_the_hunk()
    {
        string kernel = RepoPaths.KernelTree;
        Assert.True(File.Exists(Path.Combine(kernel, "MAINTAINERS")), $"kernel tree missing at {kernel}: run scripts/install-deps.sh");

        // A helper of mei_me_probe() gains a pci_add_dma_alias() call: its caller and the .probe registration
        // are far outside the hunk.
        const string file = "drivers/misc/mei/pci-me.c";
        string original = File.ReadAllText(Path.Combine(kernel, file));
        const string anchor = "static bool mei_me_quirk_probe(struct pci_dev *pdev,\n\t\t\t\tconst struct mei_cfg *cfg)\n{\n";
        Assert.Contains(anchor, original, StringComparison.Ordinal);
        string changed = original.Replace(anchor, anchor + "\tpci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 7), 1);\n", StringComparison.Ordinal);
        string patch = UnifiedDiff(file, original, changed);

        var alone = CliProcess.Run(["check", "--format", "json", "--no-tree", patch], environment: Env);
        Assert.Empty(Findings(alone));

        var clock = Stopwatch.StartNew();
        var result = CliProcess.Run(["check", "--format", "json", "--tree", kernel, patch], environment: Env);
        Assert.True(result.ExitCode == 1, result.Stderr);
        var finding = Assert.Single(Findings(result), f => f.GetProperty("rule").GetString() == "dma-alias-after-iommu-group");
        Assert.Equal(file, finding.GetProperty("file").GetString());
        Assert.Equal("mei_me_probe (pci_driver.probe)", finding.GetProperty("trace")[0].GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), $"tree run took {clock.Elapsed}");
    }

    /// <summary>The real kernel tree's index: an exported libahci helper gains an alias; its callers are AHCI probes in other files.</summary>
    [Fact]
    public void Real_kernel_tree_index_finds_callers_in_other_files()
    {
        string kernel = RepoPaths.KernelTree;
        Assert.True(File.Exists(Path.Combine(kernel, "MAINTAINERS")), $"kernel tree missing at {kernel}: run scripts/install-deps.sh");

        const string file = "drivers/ata/libahci.c";
        string original = File.ReadAllText(Path.Combine(kernel, file));
        const string anchor = "\t/* make sure AHCI mode is enabled before accessing CAP */\n\tahci_enable_ahci(mmio);\n";
        Assert.Contains(anchor, original, StringComparison.Ordinal);
        string changed = original.Replace(anchor, "\tif (dev_is_pci(dev))\n\t\tpci_add_dma_alias(to_pci_dev(dev), 0, 1);\n\n" + anchor, StringComparison.Ordinal);
        string patch = UnifiedDiff(file, original, changed);

        var result = CliProcess.Run(["check", "--format", "json", "--tree", kernel, patch], environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(Findings(result), f => f.GetProperty("rule").GetString() == "dma-alias-after-iommu-group");
        var trace = finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Equal(["ahci_save_initial_config", "pci_add_dma_alias"], trace[^2..]);
        Assert.Contains("_driver.probe", trace[0], StringComparison.Ordinal);
        Assert.True(Directory.EnumerateFiles(Path.Combine(_cache.FullName, "patchbot"), "tree-*.idx").Any(), "the index is cached on disk");
    }

    /// <summary>
    /// A core function many drivers call (pci_enable_msi() in drivers/pci/msi) gains a sysfs group: no driver's probe
    /// is its path. The index knows callers in many folders (the first by path, acard_ahci_init_one(), used to be
    /// taken as its probe), but they are users of a library, not the patched driver's own code.
    /// </summary>
    [Fact]
    public void Real_kernel_tree_a_core_function_called_by_many_drivers_is_on_no_driver_probe_path()
    {
        string kernel = RepoPaths.KernelTree;
        Assert.True(File.Exists(Path.Combine(kernel, "MAINTAINERS")), $"kernel tree missing at {kernel}: run scripts/install-deps.sh");
        const string file = "drivers/pci/msi/api.c";
        string patch = Insertion(kernel, file, "int pci_enable_msi(struct pci_dev *dev)\n{\n\tint rc = __pci_enable_msi_range(dev, 1, 1, NULL);\n",
            "\tif (!rc)\n\t\trc = sysfs_create_group(&dev->dev.kobj, &msi_irqs_group);\n");

        var result = CliProcess.Run(["check", "--format", "json", "--tree", kernel, patch], environment: Env);

        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        Assert.Empty(Findings(result));
        Assert.Contains("pci_enable_msi: no caller in the patch reaches sysfs_create_group()", result.Stdout, StringComparison.Ordinal);
        var index = TreeIndex.LoadOrBuild(kernel, Path.Combine(_cache.FullName, "patchbot"), out _);
        var callerFolders = index.CallersOf("pci_enable_msi").Select(c => Path.GetDirectoryName(c.File)).Distinct().ToList();
        Assert.Contains("drivers/ata", callerFolders); // what the expansion could have taken
        Assert.True(callerFolders.Count > SeriesAnalyzer.LibraryCallerFiles, $"{callerFolders.Count} caller folders");
    }

    /// <summary>
    /// A library next to its users (libata's ata_host_activate(), called by the probes of the drivers in the same
    /// folder) is no probe path of theirs either, nor do the callers of the file's other functions make it one.
    /// </summary>
    [Fact]
    public void Real_kernel_tree_a_library_called_by_many_drivers_of_its_folder_is_on_no_driver_probe_path()
    {
        string kernel = RepoPaths.KernelTree;
        Assert.True(File.Exists(Path.Combine(kernel, "MAINTAINERS")), $"kernel tree missing at {kernel}: run scripts/install-deps.sh");
        string patch = Insertion(kernel, "drivers/ata/libata-core.c",
            "\t\t      const struct scsi_host_template *sht)\n{\n\tint i, rc;\n\tchar *irq_desc;\n",
            "\n\tif (dev_is_pci(host->dev))\n\t\tpci_add_dma_alias(to_pci_dev(host->dev), 0, 1);\n");

        var result = CliProcess.Run(["check", "--format", "json", "--tree", kernel, patch], environment: Env);

        Assert.DoesNotContain(Findings(result), f => f.GetProperty("rule").GetString() == "dma-alias-after-iommu-group");
        Assert.Contains("ata_host_activate: no caller in the patch reaches pci_add_dma_alias()", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>A driver's helper in a subfolder (mlx5/core/lib/clock.c) is reached from the probe in the folder above it.</summary>
    [Fact]
    public void Real_kernel_tree_a_driver_helper_in_a_subfolder_is_reached_from_its_probe()
    {
        string kernel = RepoPaths.KernelTree;
        Assert.True(File.Exists(Path.Combine(kernel, "MAINTAINERS")), $"kernel tree missing at {kernel}: run scripts/install-deps.sh");
        const string file = "drivers/net/ethernet/mellanox/mlx5/core/lib/clock.c";
        string patch = Insertion(kernel, file, "void mlx5_init_clock(struct mlx5_core_dev *mdev)\n{\n\tstruct mlx5_clock *clock = &mdev->clock;\n",
            "\n\tif (sysfs_create_group(&mdev->pdev->dev.kobj, &mlx5_clock_group))\n\t\treturn;\n");

        var result = CliProcess.Run(["check", "--format", "json", "--tree", kernel, patch], environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(Findings(result));
        Assert.Equal(("sysfs-after-device-add", file), (finding.GetProperty("rule").GetString(), finding.GetProperty("file").GetString()));
        var trace = finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Equal("probe_one (pci_driver.probe)", trace[0]);
        Assert.Equal(["mlx5_init_clock", "sysfs_create_group"], trace[^2..]);
    }

    /// <summary>A patch of <paramref name="file"/> of the tree inserting <paramref name="text"/> after <paramref name="anchor"/>.</summary>
    private string Insertion(string kernel, string file, string anchor, string text)
    {
        string original = File.ReadAllText(Path.Combine(kernel, file));
        Assert.Contains(anchor, original, StringComparison.Ordinal);
        return UnifiedDiff(file, original, original.Replace(anchor, anchor + text, StringComparison.Ordinal));
    }

    /// <summary>A git-style unified diff of one file, made by git itself.</summary>
    private string UnifiedDiff(string path, string before, string after)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_cache.FullName, "diff-" + Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(Path.Combine(dir.FullName, "a", Path.GetDirectoryName(path)!));
        Directory.CreateDirectory(Path.Combine(dir.FullName, "b", Path.GetDirectoryName(path)!));
        File.WriteAllText(Path.Combine(dir.FullName, "a", path), before);
        File.WriteAllText(Path.Combine(dir.FullName, "b", path), after);
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir.FullName, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "diff", "--no-index", "--no-prefix", "a/" + path, "b/" + path })
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        string diff = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        string patchFile = Path.Combine(dir.FullName, "change.patch");
        File.WriteAllText(patchFile, diff);
        return patchFile;
    }
}
