namespace PatchBot.Bot.Tests.Tree;

/// <summary><c>check --git</c> in a kernel checkout: the checkout is the tree, and callers in files a commit does not
/// touch come from its index. Real kernel files, real git.</summary>
public sealed class GitTreeTests : IDisposable
{
    private const string Library = "drivers/ata/libahci.c";

    private const string Caller = "drivers/ata/acard-ahci.c";

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("patchbot-gittree-");

    private Dictionary<string, string> Env => new() { ["XDG_CACHE_HOME"] = Path.Combine(_temp.FullName, "cache") };

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void A_commit_to_an_exported_helper_is_checked_with_its_caller_in_another_file_from_the_index()
    {
        using var repo = KernelGitRepo.Create(Library, Caller);
        repo.Edit(Library, "\t/* make sure AHCI mode is enabled before accessing CAP */\n",
            "\tif (dev_is_pci(dev))\n\t\tpci_add_dma_alias(to_pci_dev(dev), 0, 1);\n\n\t/* make sure AHCI mode is enabled before accessing CAP */\n");
        repo.Commit("ata: libahci: alias function 0 for DMA");

        var result = CliProcess.Run(["check", "--format", "json", "--git", "HEAD~1..HEAD"], workingDirectory: repo.Path, environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(TreeBaseTests.Findings(result));
        Assert.Equal(Library, finding.GetProperty("file").GetString());
        Assert.Equal(["acard_ahci_init_one (pci_driver.probe)", "ahci_save_initial_config", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));
        int line = File.ReadLines(Path.Combine(repo.Path, Library)).Select((text, i) => (text, i)).First(l => l.text.Contains("pci_add_dma_alias", StringComparison.Ordinal)).i + 1;
        Assert.Equal(line, finding.GetProperty("line").GetInt32()); // the commit's own line

        var alone = CliProcess.Run(["check", "--format", "json", "--no-tree", "--git", "HEAD~1..HEAD"], workingDirectory: repo.Path, environment: Env);
        Assert.Empty(TreeBaseTests.Findings(alone));
        Assert.Contains(TreeBaseTests.Coverage(alone), c => c.Contains("run with --tree", StringComparison.Ordinal));
    }

    [Fact]
    public void A_patch_that_only_calls_a_helper_of_another_file_already_in_the_tree_is_found_at_the_call()
    {
        using var repo = KernelGitRepo.Create(Library, Caller);
        repo.Edit(Library, "static int ahci_skip_host_reset;\n", "static int ahci_skip_host_reset;\n\nvoid ahci_alias_func0(struct pci_dev *pdev)\n{\n\tpci_add_dma_alias(pdev, 0, 1);\n}\nEXPORT_SYMBOL_GPL(ahci_alias_func0);\n");
        repo.Commit("ata: libahci: a helper that aliases function 0");
        repo.Edit(Caller, "\trc = pcim_enable_device(pdev);\n\tif (rc)\n\t\treturn rc;\n", "\trc = pcim_enable_device(pdev);\n\tif (rc)\n\t\treturn rc;\n\tahci_alias_func0(pdev);\n");
        repo.Commit("ata: acard: alias function 0");
        string patch = Assert.Single(repo.FormatPatch(1, Path.Combine(_temp.FullName, "out")));
        repo.Git("checkout", "-q", "HEAD~1"); // the tree at the patch's base: the helper is there, the call is not

        var result = CliProcess.Run(["check", "--format", "json", "--tree", repo.Path, patch], environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(TreeBaseTests.Findings(result));
        Assert.Equal(Caller, finding.GetProperty("file").GetString());
        Assert.Equal(TreeBaseTests.MailedLine(patch, "ahci_alias_func0"), finding.GetProperty("line").GetInt32());
        Assert.Equal(["acard_ahci_init_one (pci_driver.probe)", "ahci_alias_func0", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));

        var alone = CliProcess.Run(["check", "--format", "json", "--no-tree", patch], environment: Env);
        Assert.Empty(TreeBaseTests.Findings(alone));
    }
}
