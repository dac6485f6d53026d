using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Tests;

/// <summary>
/// Findings for paths a patch completes without adding the effect: anchored at the first element it adds on the
/// path from the entry point, once per path end; the effect line and registration-only anchors stay as they were.
/// </summary>
public sealed class PathCompletionTests
{
    private const string Alias = "dma-alias-after-iommu-group";
    private const string Sysfs = "sysfs-after-device-add";
    private const string Foo = "drivers/misc/foo/foo-pci.c";

    /// <summary>The file after commit 1 of the classic split: a helper adds the alias, nothing calls it yet.</summary>
    private static GraphBuilder SplitBase(DiffLineKind alias = DiffLineKind.Context) => new GraphBuilder()
        .Function("foo_add_aliases", Foo, 3, 6, parameters: Kernel.PciProbe)
        .Call("foo_add_aliases", "pci_add_dma_alias", Foo, 5, "pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 7), 1", alias)
        .Function("foo_probe", Foo, 8, 17, parameters: [Kernel.PciProbe, Kernel.PciId])
        .Call("foo_probe", "pcim_enable_device", Foo, 12, "pdev", DiffLineKind.Context)
        .Register(RoleKind.DriverProbe, "foo_probe", Foo, 21, "pci_driver.probe", DiffLineKind.Context);

    [Fact]
    public void The_added_call_from_probe_to_an_aliasing_helper_is_the_anchor()
    {
        var result = SplitBase().Call("foo_probe", "foo_add_aliases", Foo, 15, "pdev").Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal((Alias, Foo, 15, "foo_probe"), (finding.Rule, finding.File, finding.Line, finding.Function));
        Assert.Equal(["foo_probe (pci_driver.probe)", "foo_add_aliases", "pci_add_dma_alias"], finding.Trace);
        Assert.True(finding.CompletesPath);
        Assert.Equal($"{Foo}:foo_add_aliases:pci_add_dma_alias", finding.PathEnd);
        Assert.Contains("pci_add_dma_alias() in foo_add_aliases()", finding.Message, StringComparison.Ordinal);
        Assert.Contains("adds the call of foo_add_aliases() in foo_probe()", finding.Message, StringComparison.Ordinal);
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void A_path_the_patch_adds_nothing_to_is_not_reported()
    {
        var result = SplitBase()
            .Call("foo_probe", "foo_add_aliases", Foo, 15, "pdev", DiffLineKind.Context)
            .Call("foo_probe", "foo_enable_bar", Foo, 16, "pdev")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_call_moved_within_its_caller_adds_nothing()
    {
        var result = SplitBase()
            .Call("foo_probe", "foo_add_aliases", Foo, 13, "pdev", DiffLineKind.Removed)
            .Call("foo_probe", "foo_add_aliases", Foo, 15, "pdev")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void When_the_patch_adds_the_alias_too_the_finding_stays_at_the_alias()
    {
        var result = SplitBase(alias: DiffLineKind.Added).Call("foo_probe", "foo_add_aliases", Foo, 15, "pdev").Analyze();

        var finding = Assert.Single(result.Findings, f => f.Rule == Alias);
        Assert.Equal((5, "foo_add_aliases"), (finding.Line, finding.Function));
        Assert.False(finding.CompletesPath);
    }

    [Fact]
    public void The_first_added_element_counting_from_the_entry_is_the_anchor()
    {
        // probe -> (added) foo_setup -> (added) foo_add_aliases -> alias: the call in probe comes first.
        var result = SplitBase()
            .Function("foo_setup", Foo, 7, 7, parameters: Kernel.PciProbe)
            .Call("foo_setup", "foo_add_aliases", Foo, 7, "pdev")
            .Call("foo_probe", "foo_setup", Foo, 15, "pdev")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal((15, "foo_probe"), (finding.Line, finding.Function));
        Assert.Equal(["foo_probe (pci_driver.probe)", "foo_setup", "foo_add_aliases", "pci_add_dma_alias"], finding.Trace);
    }

    [Fact]
    public void Two_added_ways_to_one_alias_give_one_finding_at_the_shorter()
    {
        var result = SplitBase()
            .Function("foo_setup", Foo, 7, 7, parameters: Kernel.PciProbe)
            .Call("foo_setup", "foo_add_aliases", Foo, 7, "pdev", DiffLineKind.Context)
            .Call("foo_probe", "foo_setup", Foo, 14, "pdev")
            .Call("foo_probe", "foo_add_aliases", Foo, 15, "pdev")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(15, finding.Line);
        Assert.Equal(3, finding.Trace.Count);
    }

    [Fact]
    public void A_path_completed_in_a_later_part_is_reported_in_that_part()
    {
        const string part2 = "<patch-2@example.org>";
        var result = SplitBase().Call("foo_probe", "foo_add_aliases", Foo, 15, "pdev", origin: part2).Analyze();

        Assert.Equal(part2, Assert.Single(result.Findings).Origin);
    }

    [Fact]
    public void The_module_rule_judges_only_added_calls()
    {
        var result = SplitBase()
            .Call("foo_probe", "foo_add_aliases", Foo, 15, "pdev")
            .Register(RoleKind.ModuleInit, "foo_init", Foo, 25, "module_pci_driver", DiffLineKind.Context)
            .Analyze();

        Assert.DoesNotContain(result.Findings, f => f.Rule == "dma-alias-from-module");
        Assert.Single(result.Findings, f => f.Rule == Alias);
    }

    [Fact]
    public void A_registration_only_patch_for_sysfs_is_anchored_at_the_registration()
    {
        const string drv = "drivers/misc/bar.c";
        var graph = new GraphBuilder()
            .Function("bar_probe", drv, 10, 20, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("bar_probe", "sysfs_create_group", drv, 14, "&pdev->dev.kobj, &bar_group", DiffLineKind.Context);

        Assert.Empty(graph.Analyze().Findings);

        var result = graph.Register(RoleKind.DriverProbe, "bar_probe", drv, 30, "pci_driver.probe").Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal((Sysfs, 30, "bar_probe"), (finding.Rule, finding.Line, finding.Function));
        Assert.Contains("the registration of bar_probe() (pci_driver.probe)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registration_only_patch_for_an_alias_keeps_the_registration_only_anchor()
    {
        var result = new GraphBuilder()
            .Function("quirk_foo", Kernel.Quirks, 10, 14, parameters: Kernel.PciProbe)
            .Call("quirk_foo", "pci_add_dma_alias", Kernel.Quirks, 12, "pdev, 0, 1", DiffLineKind.Context)
            .Register(RoleKind.FixupFinal, "quirk_foo", Kernel.Quirks, 16, "DECLARE_PCI_FIXUP_FINAL")
            .Register(RoleKind.FixupFinal, "quirk_foo", Kernel.Quirks, 17, "DECLARE_PCI_FIXUP_FINAL")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(("dma-alias-in-final-fixup", 16, "quirk_foo"), (finding.Rule, finding.Line, finding.Function));
        Assert.False(finding.CompletesPath);
    }
}
