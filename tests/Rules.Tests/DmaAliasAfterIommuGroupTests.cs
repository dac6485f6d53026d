using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Tests;

public sealed class DmaAliasAfterIommuGroupTests
{
    private const string Rule = "dma-alias-after-iommu-group";
    private const string Mei = "drivers/misc/mei/pci-me.c";

    private static IEnumerable<Finding> Of(AnalysisResult result, string rule = Rule) => result.Findings.Where(f => f.Rule == rule);

    [Fact]
    public void Probe_helper_call_is_an_error_with_the_trace()
    {
        var result = new GraphBuilder()
            .Function("mei_me_add_func7_alias", Mei, 150, 160, parameters: Kernel.PciProbe)
            .Call("mei_me_add_func7_alias", "pci_add_dma_alias", Mei, 157, "pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 7), 1")
            .Function("mei_me_probe", Mei, 170, 240, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("mei_me_probe", "mei_me_add_func7_alias", Mei, 201, "pdev")
            .Register(RoleKind.DriverProbe, "mei_me_probe", Mei, 300, "pci_driver.probe", DiffLineKind.Context)
            .Analyze();

        var finding = Assert.Single(Of(result));
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Equal((Mei, 157, "mei_me_add_func7_alias"), (finding.File, finding.Line, finding.Function));
        Assert.Equal(["mei_me_probe (pci_driver.probe)", "mei_me_add_func7_alias", "pci_add_dma_alias"], finding.Trace);
        Assert.Equal(["hot-add", "boot"], finding.Scenarios);
        Assert.Equal(GraphBuilder.Origin, finding.Origin);
        Assert.Contains("IOMMU group", finding.Explanation, StringComparison.Ordinal);
        Assert.True(finding.Explanation.IndexOf("IOMMU group creation", StringComparison.Ordinal)
            < finding.Explanation.IndexOf("driver probe()", StringComparison.Ordinal), finding.Explanation);
        Assert.Contains("DECLARE_PCI_FIXUP_HEADER", finding.Fix, StringComparison.Ordinal);
        Assert.Empty(Of(result, "dma-alias-in-final-fixup"));
    }

    [Fact]
    public void Direct_call_in_probe_is_an_error()
    {
        var result = new GraphBuilder()
            .Function("ahci_init_one", "drivers/ata/ahci.c", 1900, 2000, isStatic: true, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("ahci_init_one", "pci_add_dma_alias", "drivers/ata/ahci.c", 1925, "pdev, PCI_DEVFN(0, 1), 1")
            .Register(RoleKind.DriverProbe, "ahci_init_one", "drivers/ata/ahci.c", 600, "pci_driver.probe", DiffLineKind.Context)
            .Analyze();

        var finding = Assert.Single(Of(result));
        Assert.Equal(1925, finding.Line);
        Assert.Equal(["ahci_init_one (pci_driver.probe)", "pci_add_dma_alias"], finding.Trace);
    }

    [Theory]
    [InlineData(RoleKind.FixupEarly, "DECLARE_PCI_FIXUP_EARLY")]
    [InlineData(RoleKind.FixupHeader, "DECLARE_PCI_FIXUP_HEADER")]
    [InlineData(RoleKind.IommuProbeDevice, "iommu_ops.probe_device")]
    public void Hooks_before_the_group_are_fine(RoleKind role, string idiom)
    {
        var result = new GraphBuilder()
            .Function("quirk_foo_alias", "drivers/pci/quirks.c", 10, 14, parameters: Kernel.PciProbe)
            .Call("quirk_foo_alias", "pci_add_dma_alias", Kernel.Quirks, 12, "pdev, 0, 1")
            .Register(role, "quirk_foo_alias", Kernel.Quirks, 15, idiom)
            .Analyze();

        Assert.Empty(result.Findings);
        Assert.Empty(result.Notes);
    }

    [Theory]
    [InlineData(RoleKind.FixupEnable, "DECLARE_PCI_FIXUP_ENABLE")]
    [InlineData(RoleKind.FixupResumeEarly, "DECLARE_PCI_FIXUP_RESUME_EARLY")]
    [InlineData(RoleKind.FixupSuspend, "DECLARE_PCI_FIXUP_SUSPEND")]
    [InlineData(RoleKind.DriverRemove, "pci_driver.remove")]
    [InlineData(RoleKind.SriovConfigure, "pci_driver.sriov_configure")]
    [InlineData(RoleKind.ErrorHandler, "pci_error_handlers.slot_reset")]
    [InlineData(RoleKind.PmCallback, "dev_pm_ops.resume")]
    [InlineData(RoleKind.ClassInterfaceAddDev, "class_interface.add_dev")]
    [InlineData(RoleKind.Initcall, "late_initcall")]
    [InlineData(RoleKind.ModuleInit, "module_init")]
    public void Hooks_after_the_group_are_errors(RoleKind role, string idiom)
    {
        var result = new GraphBuilder()
            .Function("foo_hook", "drivers/misc/foo.c", 10, 14, parameters: Kernel.PciProbe)
            .Call("foo_hook", "pci_add_dma_alias", "drivers/misc/foo.c", 12, "pdev, 0, 1")
            .Register(role, "foo_hook", "drivers/misc/foo.c", 20, idiom)
            .Analyze();

        var finding = Assert.Single(Of(result));
        Assert.Equal(12, finding.Line);
        Assert.Equal($"foo_hook ({idiom})", finding.Trace[0]);
    }

    [Fact]
    public void Enable_registration_of_a_mainline_handler_is_an_error_at_the_registration()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupHeader, "quirk_dma_func0_alias", Kernel.Quirks, 4262, "DECLARE_PCI_FIXUP_HEADER", DiffLineKind.Context)
            .Register(RoleKind.FixupEnable, "quirk_dma_func0_alias", Kernel.Quirks, 4265, "DECLARE_PCI_FIXUP_ENABLE")
            .Register(RoleKind.FixupEnable, "quirk_dma_func0_alias", Kernel.Quirks, 4267, "DECLARE_PCI_FIXUP_ENABLE")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(Rule, finding.Rule);
        Assert.Equal((Kernel.Quirks, 4265, "quirk_dma_func0_alias"), (finding.File, finding.Line, finding.Function));
        Assert.Equal(["quirk_dma_func0_alias (DECLARE_PCI_FIXUP_ENABLE)", "pci_add_dma_alias"], finding.Trace);
    }

    [Fact]
    public void Header_registration_of_a_mainline_handler_is_fine()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupHeader, "quirk_dma_func0_alias", Kernel.Quirks, 4265, "DECLARE_PCI_FIXUP_HEADER")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void In_place_argument_change_is_a_refactor()
    {
        var result = new GraphBuilder()
            .Function("foo_probe", "drivers/ntb/foo.c", 10, 40, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("foo_probe", "pci_add_dma_alias", "drivers/ntb/foo.c", 20, "pdev, devfn", DiffLineKind.Removed)
            .Call("foo_probe", "pci_add_dma_alias", "drivers/ntb/foo.c", 20, "pdev, devfn, 1")
            .Register(RoleKind.DriverProbe, "foo_probe", "drivers/ntb/foo.c", 60, "pci_driver.probe", DiffLineKind.Context)
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Context_only_call_is_not_flagged()
    {
        var result = new GraphBuilder()
            .Function("foo_probe", "drivers/ntb/foo.c", 10, 40, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("foo_probe", "pci_add_dma_alias", "drivers/ntb/foo.c", 20, "pdev, 0, 1", DiffLineKind.Context)
            .Call("foo_probe", "pci_enable_device", "drivers/ntb/foo.c", 22, "pdev")
            .Register(RoleKind.DriverProbe, "foo_probe", "drivers/ntb/foo.c", 60, "pci_driver.probe", DiffLineKind.Context)
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Removed_registration_is_not_flagged()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupEnable, "quirk_dma_func1_alias", Kernel.Quirks, 4000, "DECLARE_PCI_FIXUP_ENABLE", DiffLineKind.Removed)
            .Register(RoleKind.FixupHeader, "quirk_dma_func1_alias", Kernel.Quirks, 4000, "DECLARE_PCI_FIXUP_HEADER")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Iommu_driver_alias_code_is_exempt()
    {
        const string amd = "drivers/iommu/amd/iommu.c";
        var result = new GraphBuilder()
            .Function("setup_aliases", amd, 460, 490, parameters: "struct amd_iommu *iommu, struct device *dev")
            .Call("setup_aliases", "pci_add_dma_alias", amd, 479, "pdev, ivrs_alias & 0xff, 1")
            .Analyze();

        Assert.Empty(result.Findings);
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Pci_core_api_file_is_exempt()
    {
        var result = new GraphBuilder()
            .Function("pci_add_dma_alias", "drivers/pci/pci.c", 6240, 6270, isStatic: false, parameters: Kernel.PciProbe)
            .Assign("pci_add_dma_alias", "drivers/pci/pci.c", 6250, "dev->dma_alias_devfn", "devfn")
            .Call("pci_add_dma_alias", "bitmap_set", "drivers/pci/pci.c", 6260, "dev->dma_alias_mask, devfn_from, nr_devfns")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData("1", false)]
    [InlineData("10", false)]
    [InlineData("0", true)]
    [InlineData(null, true)]
    public void Notifier_priority_decides(string? priority, bool flagged)
    {
        var result = new GraphBuilder()
            .Function("foo_notify", "drivers/misc/foo.c", 10, 30, parameters: "struct notifier_block *nb, unsigned long action, void *data")
            .Call("foo_notify", "pci_add_dma_alias", "drivers/misc/foo.c", 20, "pdev, 0, 1")
            .Register(RoleKind.Notifier, "foo_notify", "drivers/misc/foo.c", 35, "notifier_block.notifier_call", detail: priority)
            .Analyze();

        Assert.Equal(flagged, Of(result).Any());
        Assert.Empty(Of(result, "dma-alias-in-final-fixup"));
    }

    [Fact]
    public void Worst_verdict_wins_and_one_finding_per_line()
    {
        var result = new GraphBuilder()
            .Function("foo_set_alias", "drivers/misc/foo.c", 5, 9, parameters: Kernel.PciProbe)
            .Call("foo_set_alias", "pci_add_dma_alias", "drivers/misc/foo.c", 7, "pdev, 0, 1")
            .Call("quirk_foo", "foo_set_alias", "drivers/misc/foo.c", 12, "pdev")
            .Call("foo_probe", "foo_set_alias", "drivers/misc/foo.c", 22, "pdev")
            .Call("foo_resume", "foo_set_alias", "drivers/misc/foo.c", 32, "pdev")
            .Register(RoleKind.FixupFinal, "quirk_foo", "drivers/misc/foo.c", 14, "DECLARE_PCI_FIXUP_FINAL")
            .Register(RoleKind.FixupHeader, "quirk_foo", "drivers/misc/foo.c", 15, "DECLARE_PCI_FIXUP_HEADER")
            .Register(RoleKind.DriverProbe, "foo_probe", "drivers/misc/foo.c", 40, "pci_driver.probe")
            .Register(RoleKind.PmCallback, "foo_resume", "drivers/misc/foo.c", 41, "dev_pm_ops.resume")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(Rule, finding.Rule);
        Assert.Equal(7, finding.Line);
    }

    [Fact]
    public void Field_writes_add_aliases()
    {
        var result = new GraphBuilder()
            .Function("foo_probe", "drivers/misc/foo.c", 10, 40, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Assign("foo_probe", "drivers/misc/foo.c", 20, "pdev->dma_alias_devfn", "PCI_DEVFN(0, 1)")
            .Assign("foo_probe", "drivers/misc/foo.c", 21, "pdev->dev_flags", "PCI_DEV_FLAGS_DMA_ALIAS_DEVFN", "|=")
            .Call("foo_probe", "bitmap_set", "drivers/misc/foo.c", 22, "pdev->dma_alias_mask, 0, 256")
            .Call("foo_probe", "bitmap_set", "drivers/misc/foo.c", 23, "priv->other_mask, 0, 256")
            .Register(RoleKind.DriverProbe, "foo_probe", "drivers/misc/foo.c", 60, "pci_driver.probe")
            .Analyze();

        Assert.Equal([20, 21, 22], Of(result).Select(f => f.Line));
    }

    [Fact]
    public void Helper_without_caller_gives_a_coverage_note_not_a_finding()
    {
        var result = new GraphBuilder()
            .Function("foo_setup_aliases", "drivers/misc/foo.c", 10, 20, isStatic: false, parameters: Kernel.PciProbe)
            .Call("foo_setup_aliases", "pci_add_dma_alias", "drivers/misc/foo.c", 15, "pdev, 0, 1")
            .Analyze();

        Assert.Empty(result.Findings);
        var note = Assert.Single(result.Notes);
        Assert.Equal("foo_setup_aliases", note.Function);
        Assert.Contains("--tree", note.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Series_finding_is_reported_in_the_message_holding_the_call()
    {
        const string first = "<series-1@example.org>";
        const string second = "<series-2@example.org>";
        var result = new GraphBuilder()
            .Function("foo_probe", "drivers/misc/foo.c", 10, 40, origin: first, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Register(RoleKind.DriverProbe, "foo_probe", "drivers/misc/foo.c", 60, "pci_driver.probe", origin: first)
            .Call("foo_probe", "foo_alias", "drivers/misc/foo.c", 30, "pdev", origin: first)
            .Function("foo_alias", "drivers/misc/foo.c", 70, 75, origin: second, parameters: Kernel.PciProbe)
            .Call("foo_alias", "pci_add_dma_alias", "drivers/misc/foo.c", 72, "pdev, 0, 1", origin: second)
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(second, finding.Origin);
        Assert.Equal(72, finding.Line);
    }

    [Fact]
    public void Static_callee_resolves_in_its_own_file()
    {
        // foo_alias in b.c is static and adds the alias; a.c's probe calls its own foo_alias, which does not.
        var result = new GraphBuilder()
            .Function("foo_alias", "drivers/misc/a.c", 5, 8, parameters: Kernel.PciProbe)
            .Function("foo_alias", "drivers/misc/b.c", 5, 8, parameters: Kernel.PciProbe)
            .Call("foo_alias", "pci_add_dma_alias", "drivers/misc/b.c", 6, "pdev, 0, 1")
            .Function("a_probe", "drivers/misc/a.c", 10, 20, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("a_probe", "foo_alias", "drivers/misc/a.c", 12, "pdev")
            .Register(RoleKind.DriverProbe, "a_probe", "drivers/misc/a.c", 30, "pci_driver.probe")
            .Function("quirk_b", "drivers/misc/b.c", 10, 20, parameters: Kernel.PciProbe)
            .Call("quirk_b", "foo_alias", "drivers/misc/b.c", 12, "pdev")
            .Register(RoleKind.FixupHeader, "quirk_b", "drivers/misc/b.c", 30, "DECLARE_PCI_FIXUP_HEADER")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Recursion_terminates()
    {
        var result = new GraphBuilder()
            .Function("a", "drivers/misc/foo.c", 1, 5, parameters: Kernel.PciProbe)
            .Function("b", "drivers/misc/foo.c", 6, 10, parameters: Kernel.PciProbe)
            .Call("a", "b", "drivers/misc/foo.c", 2, "pdev")
            .Call("b", "a", "drivers/misc/foo.c", 7, "pdev")
            .Call("b", "pci_add_dma_alias", "drivers/misc/foo.c", 8, "pdev, 0, 1")
            .Register(RoleKind.DriverProbe, "a", "drivers/misc/foo.c", 20, "pci_driver.probe")
            .Analyze();

        Assert.Single(Of(result));
    }

    [Fact]
    public void Inferred_probe_is_an_entry_but_never_a_registration_only_anchor()
    {
        const string file = "drivers/misc/foo.c";
        var withCall = new GraphBuilder()
            .Function("foo_probe", file, 10, 40, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("foo_probe", "pci_add_dma_alias", file, 20, "pdev, 0, 1")
            .Register(RoleKind.DriverProbe, "foo_probe", file, 0, "pci_driver.probe", inferred: true)
            .Analyze();
        Assert.Equal(20, Assert.Single(withCall.Findings).Line);

        var contextCall = new GraphBuilder()
            .Function("foo_probe", file, 10, 40, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("foo_probe", "pci_add_dma_alias", file, 20, "pdev, 0, 1", DiffLineKind.Context)
            .Register(RoleKind.DriverProbe, "foo_probe", file, 0, "pci_driver.probe", inferred: true)
            .Analyze();
        Assert.Empty(contextCall.Findings);
    }
}
