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
}
