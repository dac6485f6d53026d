using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Tests;

/// <summary>aspm-disable-in-late-fixup on hand-built graphs: late fixups are reported, HEADER quirks and drivers are not.</summary>
public sealed class AspmDisableInLateFixupTests
{
    private const string Rule = "aspm-disable-in-late-fixup";

    private static GraphBuilder Quirk(string api, RoleKind role, string idiom) => new GraphBuilder()
        .Function("quirk_foo_aspm", Kernel.Quirks, 2530, 2534, parameters: "struct pci_dev *dev")
        .Call("quirk_foo_aspm", api, Kernel.Quirks, 2532, "dev, PCIE_LINK_STATE_L1")
        .Register(role, "quirk_foo_aspm", Kernel.Quirks, 2535, idiom);

    [Theory]
    [InlineData(RoleKind.FixupFinal, "DECLARE_PCI_FIXUP_FINAL")]
    [InlineData(RoleKind.FixupEnable, "DECLARE_PCI_FIXUP_ENABLE")]
    [InlineData(RoleKind.FixupResume, "DECLARE_PCI_FIXUP_RESUME")]
    public void Late_fixups_are_reported_at_the_call_with_the_version_dependent_fix(RoleKind role, string idiom)
    {
        var finding = Assert.Single(Quirk("pci_disable_link_state", role, idiom).Analyze().Findings);
        Assert.Equal((Rule, Severity.Warning, 2532), (finding.Rule, finding.Severity, finding.Line));
        Assert.Equal(["quirk_foo_aspm (" + idiom + ")", "pci_disable_link_state"], finding.Trace);
        Assert.Contains("pcie_aspm_remove_cap()", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("before v6.18", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("ASPM link state set up", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Remove_cap_in_a_late_fixup_has_no_effect_and_is_reported()
    {
        var finding = Assert.Single(Quirk("pcie_aspm_remove_cap", RoleKind.FixupFinal, "DECLARE_PCI_FIXUP_FINAL").Analyze().Findings);
        Assert.Contains("no effect", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pcie_aspm_remove_cap", RoleKind.FixupHeader, "DECLARE_PCI_FIXUP_HEADER")]
    [InlineData("pcie_aspm_remove_cap", RoleKind.FixupEarly, "DECLARE_PCI_FIXUP_EARLY")]
    [InlineData("pci_disable_link_state", RoleKind.FixupHeader, "DECLARE_PCI_FIXUP_HEADER")]
    [InlineData("pci_disable_link_state", RoleKind.DriverProbe, "pci_driver.probe")]
    public void Header_quirks_and_drivers_are_not_reported(string api, RoleKind role, string idiom) =>
        Assert.DoesNotContain(Quirk(api, role, idiom).Analyze().Findings, f => f.Rule == Rule);

    [Fact]
    public void A_late_registration_of_a_mainline_quirk_is_reported_at_the_registration()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupHeader, "quirk_disable_aspm_l0s", Kernel.Quirks, 2510, "DECLARE_PCI_FIXUP_HEADER", DiffLineKind.Context)
            .Register(RoleKind.FixupFinal, "quirk_disable_aspm_l0s", Kernel.Quirks, 2521, "DECLARE_PCI_FIXUP_FINAL")
            .Analyze();
        var finding = Assert.Single(result.Findings);
        Assert.Equal((Rule, 2521, "quirk_disable_aspm_l0s"), (finding.Rule, finding.Line, finding.Function));
    }

    [Fact]
    public void Removed_final_registrations_are_the_fix_direction()
    {
        var result = new GraphBuilder()
            .Register(RoleKind.FixupFinal, "quirk_disable_aspm_l0s", Kernel.Quirks, 2510, "DECLARE_PCI_FIXUP_FINAL", DiffLineKind.Removed)
            .Register(RoleKind.FixupHeader, "quirk_disable_aspm_l0s", Kernel.Quirks, 2510, "DECLARE_PCI_FIXUP_HEADER")
            .Analyze();
        Assert.Empty(result.Findings);
    }
}

/// <summary>mpss-quirk-after-mps-config: writes of the fixup's own pcie_mpss after EARLY.</summary>
public sealed class MpssQuirkAfterMpsConfigTests
{
    private const string Rule = "mpss-quirk-after-mps-config";

    private static GraphBuilder Write(string target, RoleKind role, string idiom) => new GraphBuilder()
        .Function("quirk_foo_mpss", Kernel.Quirks, 3440, 3446, parameters: "struct pci_dev *dev")
        .Assign("quirk_foo_mpss", Kernel.Quirks, 3444, target, "1")
        .Register(role, "quirk_foo_mpss", Kernel.Quirks, 3447, idiom);

    [Theory]
    [InlineData(RoleKind.FixupHeader, "DECLARE_PCI_FIXUP_HEADER")]
    [InlineData(RoleKind.FixupFinal, "DECLARE_PCI_FIXUP_FINAL")]
    public void A_write_after_early_is_reported(RoleKind role, string idiom)
    {
        var finding = Assert.Single(Write("dev->pcie_mpss", role, idiom).Analyze().Findings);
        Assert.Equal((Rule, 3444), (finding.Rule, finding.Line));
        Assert.Contains("DECLARE_PCI_FIXUP_EARLY", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Early_and_other_devices_are_not_reported()
    {
        Assert.Empty(Write("dev->pcie_mpss", RoleKind.FixupEarly, "DECLARE_PCI_FIXUP_EARLY").Analyze().Findings);
        Assert.Empty(Write("bridge->pcie_mpss", RoleKind.FixupHeader, "DECLARE_PCI_FIXUP_HEADER").Analyze().Findings);
    }

    [Fact]
    public void A_header_registration_of_a_known_writer_is_reported()
    {
        var finding = Assert.Single(new GraphBuilder()
            .Register(RoleKind.FixupHeader, "fixup_mpss_256", Kernel.Quirks, 3242, "DECLARE_PCI_FIXUP_HEADER")
            .Analyze().Findings);
        Assert.Equal((Rule, 3242, "fixup_mpss_256"), (finding.Rule, finding.Line, finding.Function));
    }
}

/// <summary>acs-requested-after-enumeration: PCI driver callbacks, after IOMMU registration, late initcalls.</summary>
public sealed class AcsRequestedAfterEnumerationTests
{
    private const string Rule = "acs-requested-after-enumeration";
    private const string Iommu = "drivers/iommu/foo.c";

    [Fact]
    public void A_pci_driver_probe_is_reported()
    {
        var result = new GraphBuilder()
            .Function("foo_probe", "drivers/misc/foo.c", 10, 20, parameters: [Kernel.PciProbe, Kernel.PciId])
            .Call("foo_probe", "pci_request_acs", "drivers/misc/foo.c", 12, "")
            .Register(RoleKind.DriverProbe, "foo_probe", "drivers/misc/foo.c", 30, "pci_driver.probe", detail: "pci_driver")
            .Analyze();
        var finding = Assert.Single(result.Findings);
        Assert.Equal((Rule, 12), (finding.Rule, finding.Line));
        Assert.Contains("iommu_device_register()", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(14, 12, true)]
    [InlineData(12, 14, false)]
    public void Iommu_driver_code_is_reported_only_after_iommu_device_register(int requestLine, int registerLine, bool reported)
    {
        var result = new GraphBuilder()
            .Function("foo_iommu_probe", Iommu, 10, 20, parameters: "struct platform_device *pdev")
            .Call("foo_iommu_probe", "iommu_device_register", Iommu, registerLine, "&iommu, &ops, &pdev->dev")
            .Call("foo_iommu_probe", "pci_request_acs", Iommu, requestLine, "")
            .Register(RoleKind.DriverProbe, "foo_iommu_probe", Iommu, 30, "platform_driver.probe", detail: "platform_driver")
            .Analyze();
        Assert.Equal(reported, result.Findings.Any(f => f.Rule == Rule && f.Line == requestLine));
    }

    [Theory]
    [InlineData("late", true)]
    [InlineData("arch", false)]
    [InlineData("subsys", false)]
    public void Initcalls_are_reported_when_late(string level, bool reported)
    {
        var result = new GraphBuilder()
            .Function("foo_init", Iommu, 10, 20)
            .Call("foo_init", "pci_request_acs", Iommu, 12, "")
            .Register(RoleKind.Initcall, "foo_init", Iommu, 22, level + "_initcall", detail: level)
            .Analyze();
        Assert.Equal(reported, result.Findings.Any(f => f.Rule == Rule));
    }

    [Fact]
    public void A_call_moved_into_a_helper_called_from_the_same_place_is_not_new()
    {
        var result = new GraphBuilder()
            .Function("foo_iommu_probe", Iommu, 10, 20, parameters: "struct platform_device *pdev")
            .Function("foo_set_bus_ops", Iommu, 2, 6)
            .Call("foo_iommu_probe", "iommu_device_register", Iommu, 12, "&iommu, &ops, &pdev->dev")
            .Call("foo_iommu_probe", "pci_request_acs", Iommu, 14, "", DiffLineKind.Removed)
            .Call("foo_iommu_probe", "foo_set_bus_ops", Iommu, 14, "")
            .Call("foo_set_bus_ops", "pci_request_acs", Iommu, 4, "")
            .Register(RoleKind.DriverProbe, "foo_iommu_probe", Iommu, 30, "platform_driver.probe", detail: "platform_driver")
            .Analyze();
        Assert.DoesNotContain(result.Findings, f => f.Rule == Rule);
    }
}

/// <summary>capability-used-before-init: the fixup's own device, EARLY/HEADER only, first use per field.</summary>
public sealed class CapabilityUsedBeforeInitTests
{
    private const string Rule = "capability-used-before-init";

    private static GraphBuilder Quirk(RoleKind role, string idiom) => new GraphBuilder()
        .Function("quirk_foo", Kernel.Quirks, 6020, 6030, parameters: "struct pci_dev *dev")
        .Register(role, "quirk_foo", Kernel.Quirks, 6031, idiom);

    [Fact]
    public void The_first_read_of_a_field_on_the_own_device_is_reported_once()
    {
        var result = Quirk(RoleKind.FixupHeader, "DECLARE_PCI_FIXUP_HEADER")
            .Access("quirk_foo", Kernel.Quirks, 6024, "dev", "msix_cap")
            .Access("quirk_foo", Kernel.Quirks, 6026, "dev", "msix_cap")
            .Analyze();
        var finding = Assert.Single(result.Findings);
        Assert.Equal((Rule, 6024), (finding.Rule, finding.Line));
        Assert.Contains("FINAL", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("capabilities initialised", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_devices_later_phases_and_primed_fields_are_not_reported()
    {
        Assert.Empty(Quirk(RoleKind.FixupHeader, "DECLARE_PCI_FIXUP_HEADER")
            .Access("quirk_foo", Kernel.Quirks, 6024, "bridge", "acs_cap")
            .Access("quirk_foo", Kernel.Quirks, 6025, "dev", "dpc_rp_log_size", write: true)
            .Access("quirk_foo", Kernel.Quirks, 6026, "dev", "pcie_cap")
            .Analyze().Findings);
        Assert.Empty(Quirk(RoleKind.FixupFinal, "DECLARE_PCI_FIXUP_FINAL")
            .Access("quirk_foo", Kernel.Quirks, 6024, "dev", "msix_cap")
            .Analyze().Findings);
    }

    [Fact]
    public void Resources_are_valid_in_header_but_not_in_early()
    {
        GraphBuilder Reading(RoleKind role, string idiom) => Quirk(role, idiom).Access("quirk_foo", Kernel.Quirks, 6024, "dev", "resource");
        Assert.Empty(Reading(RoleKind.FixupHeader, "DECLARE_PCI_FIXUP_HEADER").Analyze().Findings);
        Assert.Equal(Rule, Assert.Single(Reading(RoleKind.FixupEarly, "DECLARE_PCI_FIXUP_EARLY").Analyze().Findings).Rule);
    }

    [Fact]
    public void Dependent_api_and_writes_on_the_own_device_are_reported()
    {
        var result = Quirk(RoleKind.FixupEarly, "DECLARE_PCI_FIXUP_EARLY")
            .Call("quirk_foo", "pci_set_power_state", Kernel.Quirks, 6024, "dev, PCI_D3hot")
            .Assign("quirk_foo", Kernel.Quirks, 6025, "dev->pm_cap", "0")
            .Call("quirk_foo", "pci_find_ext_capability", Kernel.Quirks, 6026, "dev, PCI_EXT_CAP_ID_DPC")
            .Analyze();
        Assert.Equal([6024, 6025], result.Findings.Where(f => f.Rule == Rule).Select(f => f.Line).Order());
    }
}
