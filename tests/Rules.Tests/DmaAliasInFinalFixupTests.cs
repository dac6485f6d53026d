using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Tests;

public sealed class DmaAliasInFinalFixupTests
{
    private const string Rule = "dma-alias-in-final-fixup";

    [Fact]
    public void New_final_quirk_with_a_call_is_a_warning_at_the_call()
    {
        var result = new GraphBuilder()
            .Function("quirk_dma_func7_alias", Kernel.Quirks, 4160, 4170, parameters: "struct pci_dev *dev")
            .Call("quirk_dma_func7_alias", "pci_add_dma_alias", Kernel.Quirks, 4168, "dev, PCI_DEVFN(PCI_SLOT(dev->devfn), 7), 1")
            .Register(RoleKind.FixupFinal, "quirk_dma_func7_alias", Kernel.Quirks, 4172, "DECLARE_PCI_FIXUP_FINAL")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(Rule, finding.Rule);
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal((4168, "quirk_dma_func7_alias"), (finding.Line, finding.Function));
        Assert.Equal(["hot-add"], finding.Scenarios);
        Assert.Equal(["quirk_dma_func7_alias (DECLARE_PCI_FIXUP_FINAL)", "pci_add_dma_alias"], finding.Trace);
        Assert.Contains("FINAL fixups", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Mainline_handler_registered_final_is_a_warning_at_the_registration()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupFinal, "quirk_dma_func1_alias", Kernel.Quirks, 4002, "DECLARE_PCI_FIXUP_FINAL")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal((Rule, 4002, "quirk_dma_func1_alias"), (finding.Rule, finding.Line, finding.Function));
    }

    [Fact]
    public void Wrapper_invocations_give_one_finding_at_the_first_added_one()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupFinal, "quirk_switchtec_ntb_dma_alias", Kernel.Quirks, 5370, "DECLARE_PCI_FIXUP_CLASS_FINAL", DiffLineKind.Context, via: "SWITCHTEC_QUIRK")
            .Register(RoleKind.FixupFinal, "quirk_switchtec_ntb_dma_alias", Kernel.Quirks, 5377, "DECLARE_PCI_FIXUP_CLASS_FINAL", via: "SWITCHTEC_QUIRK")
            .Register(RoleKind.FixupFinal, "quirk_switchtec_ntb_dma_alias", Kernel.Quirks, 5376, "DECLARE_PCI_FIXUP_CLASS_FINAL", via: "SWITCHTEC_QUIRK")
            .Register(RoleKind.FixupFinal, "quirk_switchtec_ntb_dma_alias", Kernel.Quirks, 5378, "DECLARE_PCI_FIXUP_CLASS_FINAL", via: "SWITCHTEC_QUIRK")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(5376, finding.Line);
        Assert.Equal("quirk_switchtec_ntb_dma_alias (SWITCHTEC_QUIRK -> DECLARE_PCI_FIXUP_CLASS_FINAL)", finding.Trace[0]);
    }

    [Fact]
    public void Added_wrapper_definition_anchors_at_its_declare_line()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupFinal, "quirk_switchtec_ntb_dma_alias", Kernel.Quirks, 5090, "DECLARE_PCI_FIXUP_FINAL",
                via: "SWITCHTEC_QUIRK", definitionLine: 5086, definitionKind: DiffLineKind.Added)
            .Register(RoleKind.FixupFinal, "quirk_switchtec_ntb_dma_alias", Kernel.Quirks, 5091, "DECLARE_PCI_FIXUP_FINAL",
                via: "SWITCHTEC_QUIRK", definitionLine: 5086, definitionKind: DiffLineKind.Added)
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(5086, finding.Line);
    }

    [Fact]
    public void Context_only_wrapper_lines_are_not_flagged()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupFinal, "quirk_switchtec_ntb_dma_alias", Kernel.Quirks, 5090, "DECLARE_PCI_FIXUP_CLASS_FINAL", DiffLineKind.Context, via: "SWITCHTEC_QUIRK")
            .Function("quirk_other", Kernel.Quirks, 5100, 5110, parameters: "struct pci_dev *pdev")
            .Call("quirk_other", "pci_read_config_word", Kernel.Quirks, 5105, "pdev, PCI_COMMAND, &cmd")
            .Register(RoleKind.FixupHeader, "quirk_other", Kernel.Quirks, 5112, "DECLARE_PCI_FIXUP_HEADER")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Final_fixup_without_an_alias_is_not_flagged()
    {
        var result = new GraphBuilder()
            .Function("quirk_reset_lenovo_thinkpad_p50_nvgpu", Kernel.Quirks, 5200, 5230, parameters: "struct pci_dev *pdev")
            .Call("quirk_reset_lenovo_thinkpad_p50_nvgpu", "pci_iomap", Kernel.Quirks, 5210, "pdev, 0, 0")
            .Register(RoleKind.FixupFinal, "quirk_reset_lenovo_thinkpad_p50_nvgpu", Kernel.Quirks, 5232, "DECLARE_PCI_FIXUP_CLASS_FINAL")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Api_refactor_inside_a_final_quirk_is_not_flagged()
    {
        var result = new GraphBuilder()
            .Function("quirk_switchtec_ntb_dma_alias", Kernel.Quirks, 5000, 5080, parameters: "struct pci_dev *pdev")
            .Call("quirk_switchtec_ntb_dma_alias", "pci_add_dma_alias", Kernel.Quirks, 5070, "pdev, devfn", DiffLineKind.Removed)
            .Call("quirk_switchtec_ntb_dma_alias", "pci_add_dma_alias", Kernel.Quirks, 5070, "pdev, devfn, 1")
            .Register(RoleKind.FixupFinal, "quirk_switchtec_ntb_dma_alias", Kernel.Quirks, 5090, "DECLARE_PCI_FIXUP_CLASS_FINAL", DiffLineKind.Context, via: "SWITCHTEC_QUIRK")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Call_and_registration_both_added_give_one_finding_at_the_call()
    {
        var result = new GraphBuilder()
            .Function("quirk_foo", Kernel.Quirks, 100, 110, parameters: "struct pci_dev *pdev")
            .Call("quirk_foo", "pci_add_dma_alias", Kernel.Quirks, 105, "pdev, 0, 1")
            .Register(RoleKind.FixupFinal, "quirk_foo", Kernel.Quirks, 112, "DECLARE_PCI_FIXUP_FINAL")
            .Register(RoleKind.FixupFinal, "quirk_foo", Kernel.Quirks, 113, "DECLARE_PCI_FIXUP_FINAL")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(105, finding.Line);
    }

    [Fact]
    public void New_final_registration_of_a_visible_handler_with_a_context_call_is_flagged()
    {
        var result = new GraphBuilder()
            .Function("quirk_foo", Kernel.Quirks, 100, 110, parameters: "struct pci_dev *pdev")
            .Call("quirk_foo", "foo_helper", Kernel.Quirks, 104, "pdev", DiffLineKind.Context)
            .Function("foo_helper", Kernel.Quirks, 80, 90, parameters: "struct pci_dev *pdev")
            .Call("foo_helper", "pci_add_dma_alias", Kernel.Quirks, 85, "pdev, 0, 1", DiffLineKind.Context)
            .Register(RoleKind.FixupFinal, "quirk_foo", Kernel.Quirks, 120, "DECLARE_PCI_FIXUP_FINAL")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal((Rule, 120, "quirk_foo"), (finding.Rule, finding.Line, finding.Function));
        Assert.Equal(["quirk_foo (DECLARE_PCI_FIXUP_FINAL)", "foo_helper", "pci_add_dma_alias"], finding.Trace);
    }

    [Fact]
    public void Registrations_in_two_files_give_one_finding_each()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupFinal, "quirk_dma_func0_alias", Kernel.Quirks, 10, "DECLARE_PCI_FIXUP_FINAL")
            .Register(RoleKind.FixupFinal, "quirk_dma_func0_alias", "arch/x86/pci/fixup.c", 20, "DECLARE_PCI_FIXUP_FINAL")
            .Analyze();

        Assert.Equal(2, result.Findings.Count);
    }
}
