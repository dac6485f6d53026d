using System.Text;
using System.Text.Json;

namespace PatchBot.Bot.Tests;

/// <summary>
/// Tree mode and a driver's own ops table, on the real kernel tree: sfc's ef100_probe_main() is stored as
/// <c>.probe</c> of a <c>struct efx_nic_type</c> in ef100_nic.c and called as <c>efx->type->probe(efx)</c> from the
/// PCI probe in ef100.c, a file the patch does not touch.
/// </summary>
public sealed class OpsTableTreeTests : IDisposable
{
    private const string Nic = "drivers/net/ethernet/sfc/ef100_nic.c";

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("patchbot-ops-");

    private Dictionary<string, string> Env => new() { ["XDG_CACHE_HOME"] = Path.Combine(_temp.FullName, "cache") };

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void An_alias_in_a_function_of_the_driver_ops_table_is_reached_from_the_pci_probe()
    {
        string kernel = RepoPaths.KernelTree;
        Assert.True(File.Exists(Path.Combine(kernel, "MAINTAINERS")), $"kernel tree missing at {kernel}: run scripts/install-deps.sh");
        string original = File.ReadAllText(Path.Combine(kernel, Nic));
        Assert.Contains("\t.probe = ef100_probe_main,\n", original, StringComparison.Ordinal);
        string patch = InsertionPatch(Nic, original, "static int ef100_probe_main(struct efx_nic *efx)\n{\n",
            "\tpci_add_dma_alias(efx->pci_dev, PCI_DEVFN(PCI_SLOT(efx->pci_dev->devfn), 0), 1);");

        var alone = CliProcess.Run(["check", "--format", "json", "--no-tree", patch], environment: Env);
        Assert.Empty(Findings(alone));

        var result = CliProcess.Run(["check", "--format", "json", "--tree", kernel, patch], environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(Findings(result));
        Assert.Equal(("dma-alias-after-iommu-group", Nic, "ef100_probe_main"),
            (finding.GetProperty("rule").GetString(), finding.GetProperty("file").GetString(), finding.GetProperty("function").GetString()));
        Assert.Equal(["ef100_pci_probe (pci_driver.probe)", "ef100_probe_main (through efx_nic_type.probe)", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));
    }

    /// <summary>
    /// Two drivers of one folder, drivers/phy/rockchip, with a member of the same name: the naneng combphy stores
    /// rockchip_combphy_init() as <c>.init</c> of its <c>struct phy_ops</c>, while inno-hdmi's probe calls
    /// <c>inno-&gt;plat_data-&gt;ops-&gt;init(inno)</c> through its own <c>struct inno_hdmi_phy_ops</c>, declared in its file.
    /// The call reaches inno-hdmi's own init functions only.
    /// </summary>
    [Fact]
    public void A_member_call_through_a_struct_of_its_own_does_not_reach_a_sibling_driver_table()
    {
        string kernel = RepoPaths.KernelTree;
        Assert.True(File.Exists(Path.Combine(kernel, "MAINTAINERS")), $"kernel tree missing at {kernel}: run scripts/install-deps.sh");
        const string combphy = "drivers/phy/rockchip/phy-rockchip-naneng-combphy.c";
        string original = File.ReadAllText(Path.Combine(kernel, combphy));
        Assert.Contains("\t.init = rockchip_combphy_init,\n", original, StringComparison.Ordinal);
        string patch = InsertionPatch(combphy, original, "static int rockchip_combphy_init(struct phy *phy)\n{\n",
            "\tdev_dbg(&phy->dev, \"init\\n\");");

        var result = CliProcess.Run(["graph", "--format", "json", "--tree", kernel, patch], environment: Env);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var fromProbe = doc.RootElement[0].GetProperty("calls").EnumerateArray()
            .Where(c => c.GetProperty("caller").GetString() == "inno_hdmi_phy_probe")
            .Select(c => c.GetProperty("callee").GetString())
            .ToList();
        Assert.Contains("inno_hdmi_phy_rk3228_init", fromProbe); // its own table: the file was read and linked
        Assert.Contains("inno_hdmi_phy_rk3328_init", fromProbe);
        Assert.DoesNotContain("rockchip_combphy_init", fromProbe);
    }

    /// <summary>A patch of <paramref name="file"/> inserting <paramref name="line"/> right after <paramref name="anchor"/>, with three lines of context.</summary>
    private string InsertionPatch(string file, string original, string anchor, string line)
    {
        int at = original.IndexOf(anchor, StringComparison.Ordinal);
        Assert.True(at >= 0, "anchor not in the tree's file");
        string[] lines = original.Split('\n');
        int after = original[..(at + anchor.Length)].Count(c => c == '\n'); // 0-based index of the line to insert before
        int first = Math.Max(0, after - 3);
        int last = Math.Min(lines.Length, after + 3);
        var text = new StringBuilder();
        text.Append($"--- a/{file}\n+++ b/{file}\n@@ -{first + 1},{last - first} +{first + 1},{last - first + 1} @@\n");
        for (int i = first; i < last; i++)
        {
            if (i == after)
            {
                text.Append('+').Append(line).Append('\n');
            }

            text.Append(' ').Append(lines[i]).Append('\n');
        }

        string path = Path.Combine(_temp.FullName, "alias.patch");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static List<JsonElement> Findings(CliProcess.Result result)
    {
        using var doc = JsonDocument.Parse(result.Stdout);
        return [.. doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.Clone())];
    }
}
