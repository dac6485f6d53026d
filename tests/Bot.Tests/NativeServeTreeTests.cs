using System.Text.Json.Nodes;
using PatchBot.Bot.Tests.GitHub;

namespace PatchBot.Bot.Tests;

/// <summary>
/// The shipped build (<c>scripts/patchbot serve</c>, Native AOT) with a kernel clone: the Tree section binds, the series'
/// base-commit is read from the clone's objects and the reply says so. A folder source and dry-run delivery, so no mail
/// server is needed; the mail-server version runs in EndToEnd.
/// </summary>
public sealed class NativeServeTreeTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("patchbot-native-tree-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Native_serve_analyses_a_mailed_patch_at_its_base_commit_from_the_clone()
    {
        using var repo = Tree.KernelGitRepo.Create("drivers/misc/mei/pci-me.c");
        string baseCommit = repo.Git("rev-parse", "HEAD");
        repo.Edit("drivers/misc/mei/pci-me.c", "static bool mei_me_quirk_probe(struct pci_dev *pdev,\n\t\t\t\tconst struct mei_cfg *cfg)\n{\n",
            "static bool mei_me_quirk_probe(struct pci_dev *pdev,\n\t\t\t\tconst struct mei_cfg *cfg)\n{\n\tpci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 7), 1);\n");
        repo.Commit("mei: me: alias function 7");
        string inbox = Directory.CreateDirectory(Path.Combine(_work.FullName, "inbox")).FullName;
        repo.FormatPatch(1, inbox, "--base=" + baseCommit, "--to=linux-pci@example.test", "--thread"); // --thread: a Message-ID, as send-email gives
        repo.Git("reset", "-q", "--hard", baseCommit); // the clone's head is the base; the patch is only in the mail

        string dryRun = Path.Combine(_work.FullName, "dry-run");
        var config = new JsonObject
        {
            ["Identity"] = new JsonObject { ["Address"] = "bot@example.test" },
            ["Sources"] = new JsonObject { ["Folders"] = new JsonArray(new JsonObject { ["Path"] = inbox }) },
            ["State"] = new JsonObject { ["Path"] = Path.Combine(_work.FullName, "state.db") },
            ["Series"] = new JsonObject { ["WaitForMissing"] = "00:00:00", ["Tick"] = "00:00:00.200" },
            ["Delivery"] = new JsonObject { ["DryRunFolder"] = dryRun },
            ["Health"] = new JsonObject { ["Enabled"] = false },
            ["Tree"] = new JsonObject { ["Path"] = repo.Path, ["CacheDirectory"] = Path.Combine(_work.FullName, "cache") },
        };
        string configPath = Path.Combine(_work.FullName, "appsettings.json");
        File.WriteAllText(configPath, config.ToJsonString());

        using var bot = NativeProcess.Start(NativeBinary.Ensure(), ["serve", "--config", configPath], new Dictionary<string, string>());
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < until && !bot.HasExited && (!Directory.Exists(dryRun) || Directory.GetFiles(dryRun, "*.eml").Length == 0))
        {
            Thread.Sleep(200);
        }

        Assert.False(bot.HasExited, bot.Output);
        string reply = File.ReadAllText(Assert.Single(Directory.GetFiles(dryRun, "*.eml")));
        Assert.Contains($"tree:    base-commit {baseCommit[..12]} (from the series)", reply, StringComparison.Ordinal);
        Assert.Contains("[dma-alias-after-iommu-group]", reply, StringComparison.Ordinal);
        Assert.Contains("trace: mei_me_probe (pci_driver.probe) -> mei_me_quirk_probe -> pci_add_dma_alias", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", bot.Output, StringComparison.Ordinal);
    }
}
