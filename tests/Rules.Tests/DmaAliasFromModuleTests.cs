using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Tests;

public sealed class DmaAliasFromModuleTests
{
    private const string Rule = "dma-alias-from-module";
    private const string File = "drivers/ntb/hw/foo/ntb_hw_foo.c";

    private static GraphBuilder Driver() => new GraphBuilder()
        .Function("foo_probe", File, 10, 40, parameters: [Kernel.PciProbe, Kernel.PciId])
        .Call("foo_probe", "pci_add_dma_alias", File, 20, "pdev, 0, 256")
        .Register(RoleKind.DriverProbe, "foo_probe", File, 60, "pci_driver.probe");

    [Fact]
    public void Modular_driver_gets_an_info_finding_beside_the_error()
    {
        var result = Driver()
            .Register(RoleKind.ModuleInit, "foo_driver_init", File, 70, "module_pci_driver", DiffLineKind.Context)
            .Analyze();

        var info = Assert.Single(result.Findings, f => f.Rule == Rule);
        Assert.Equal((Severity.Info, 20), (info.Severity, info.Line));
        Assert.Contains("module_pci_driver", info.Message, StringComparison.Ordinal);
        Assert.Single(result.Findings, f => f.Rule == "dma-alias-after-iommu-group");
    }

    [Fact]
    public void Built_in_code_gets_none()
    {
        var result = Driver()
            .Register(RoleKind.Initcall, "foo_init", File, 70, "device_initcall", detail: "device")
            .Analyze();

        Assert.DoesNotContain(result.Findings, f => f.Rule == Rule);
    }

    [Fact]
    public void Direct_mask_write_is_not_a_link_problem()
    {
        var result = new GraphBuilder()
            .Function("foo_probe", File, 10, 40, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("foo_probe", "bitmap_set", File, 20, "pdev->dma_alias_mask, 0, 256")
            .Register(RoleKind.DriverProbe, "foo_probe", File, 60, "pci_driver.probe")
            .Register(RoleKind.ModuleInit, "foo_init", File, 70, "module_init")
            .Analyze();

        Assert.DoesNotContain(result.Findings, f => f.Rule == Rule);
    }
}
