namespace PatchBot.Bot.Tests.Tree;

/// <summary>
/// A patch whose only new element on a late path is a slot of the driver's own ops table (<c>.setup = bar_setup_pf</c>):
/// the probe already calls through the member, the function already adds the alias; the slot makes the path, so the
/// finding is at the slot's line. Real git, the tree at the patch's base.
/// </summary>
public sealed class OpsSlotAnchorTests : IDisposable
{
    private const string Nic = "drivers/net/bar/bar_nic.c";

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("patchbot-slot-");

    private Dictionary<string, string> Env => new() { ["XDG_CACHE_HOME"] = Path.Combine(_temp.FullName, "cache") };

    public void Dispose() => _temp.Delete(recursive: true);

    private const string NicFile = """
        // SPDX-License-Identifier: GPL-2.0
        #include <linux/pci.h>
        #include "bar.h"

        static int bar_setup_pf(struct bar_nic *nic)
        {
        	pci_add_dma_alias(nic->pdev, 0, 1);
        	return 0;
        }

        const struct bar_nic_type bar_pf_nic_type = {
        	.revision = 2,
        	.remove = bar_remove_pf,
        };

        """;

    private const string PciFile = """
        // SPDX-License-Identifier: GPL-2.0
        #include <linux/pci.h>
        #include "bar.h"

        static int bar_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
        {
        	struct bar_nic *nic = pci_get_drvdata(pdev);

        	nic->type = (const struct bar_nic_type *)id->driver_data;
        	if (nic->type->setup)
        		return nic->type->setup(nic);
        	return 0;
        }

        static struct pci_driver bar_driver = {
        	.name = "bar",
        	.probe = bar_pci_probe,
        };
        module_pci_driver(bar_driver);

        """;

    [Fact]
    public void An_added_ops_table_slot_completing_the_path_is_the_anchor()
    {
        using var repo = KernelGitRepo.Create();
        repo.Write(Nic, NicFile);
        repo.Write("drivers/net/bar/bar_pci.c", PciFile);
        repo.Commit("bar: a driver");
        repo.Edit(Nic, "\t.revision = 2,\n", "\t.revision = 2,\n\t.setup = bar_setup_pf,\n");
        repo.Commit("bar: set up the PF");
        string patch = Assert.Single(repo.FormatPatch(1, Path.Combine(_temp.FullName, "out")));
        repo.Git("checkout", "-q", "HEAD~1");

        var result = CliProcess.Run(["check", "--format", "json", "--tree", repo.Path, patch], environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(TreeBaseTests.Findings(result));
        Assert.Equal(Nic, finding.GetProperty("file").GetString());
        Assert.Equal(TreeBaseTests.MailedLine(patch, ".setup = bar_setup_pf"), finding.GetProperty("line").GetInt32());
        Assert.Contains("this patch adds bar_setup_pf() as bar_nic_type.setup, called by bar_pci_probe() on the way",
            finding.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["bar_pci_probe (pci_driver.probe)", "bar_setup_pf (through bar_nic_type.setup)", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));
    }
}
