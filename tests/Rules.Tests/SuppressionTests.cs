using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Tests;

public sealed class SuppressionTests
{
    private const string File = "drivers/misc/foo.c";

    private static GraphBuilder Probe() => new GraphBuilder()
        .Function("foo_probe", File, 10, 40, parameters: [Kernel.PciProbe, Kernel.PciId])
        .Call("foo_probe", "pci_add_dma_alias", File, 20, "pdev, 0, 1")
        .Register(RoleKind.DriverProbe, "foo_probe", File, 60, "pci_driver.probe");

    [Fact]
    public void Comment_on_the_line_suppresses()
    {
        var result = Probe()
            .Line(File, 20, "\tpci_add_dma_alias(pdev, 0, 1); /* patchbot: ignore dma-alias-after-iommu-group */")
            .Analyze();

        Assert.Empty(result.Findings);
        Assert.Single(result.Suppressed);
    }

    [Fact]
    public void Comment_in_the_function_suppresses()
    {
        var result = Probe()
            .Line(File, 12, "\t// patchbot: ignore sysfs-after-device-add, dma-alias-after-iommu-group")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Comment_for_another_rule_or_outside_the_function_does_not()
    {
        var result = Probe()
            .Line(File, 20, "\tpci_add_dma_alias(pdev, 0, 1); /* patchbot: ignore sysfs-after-device-add */")
            .Line(File, 50, "/* patchbot: ignore dma-alias-after-iommu-group */")
            .Analyze();

        Assert.Single(result.Findings);
    }

    [Fact]
    public void Suppression_can_be_turned_off()
    {
        var result = Probe()
            .Line(File, 20, "\tpci_add_dma_alias(pdev, 0, 1); /* patchbot: ignore dma-alias-after-iommu-group */")
            .Analyze(new AnalysisOptions { InlineSuppression = false });

        Assert.Single(result.Findings);
    }

    [Theory]
    [InlineData("/* patchbot: ignore foo-rule */", true)]
    [InlineData("/* patchbot: ignore other, foo-rule */", true)]
    [InlineData("/* patchbot: ignore foo-rule-2 */", false)]
    [InlineData("/* patchbot: ignore */ foo-rule", false)]
    [InlineData("/* patchbot: check foo-rule */", false)]
    [InlineData("// patchbot:ignore foo-rule", true)]
    public void Comment_syntax(string text, bool names) =>
        Assert.Equal(names, InlineSuppression.Names(text, "foo-rule"));
}
