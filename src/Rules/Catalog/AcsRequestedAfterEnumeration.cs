using System.Runtime.CompilerServices;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>pci_request_acs() where the devices it should affect were already enumerated and IOMMU-configured.</summary>
internal sealed class AcsRequestedAfterEnumeration : Rule
{
    public const string Id = "acs-requested-after-enumeration";

    private static readonly KernelEffect RequestsAcs = new("RequestsAcs");

    [ModuleInitializer]
    internal static void Register() => RuleCatalog.Register(7, () => new AcsRequestedAfterEnumeration());

    public override RuleMetadata Metadata { get; } = new(
        Id,
        "ACS requested after the devices were enumerated",
        Severity.Warning,
        "pci_request_acs() reached from a PCI driver's probe() or other callbacks, an ENABLE/RESUME/SUSPEND fixup or a "
        + "late_initcall(), or called after iommu_device_register() (legacy bus_set_iommu()) or after the host bridge "
        + "scanned its bus (pci_host_probe(), pci_scan_root_bus_bridge(), ...). Early __init detection, host-bridge setup "
        + "before the scan and IOMMU code before registration are in time and not reported.",
        "pci_request_acs() (drivers/pci/pci.c) only sets pci_acs_enable, which pci_enable_acs() reads when it configures a "
        + "device. On mainline (7a126c1b6cfa, \"PCI: Enable ACS after configuring IOMMU for OF platforms\") that happens in "
        + "pci_dma_configure(), which the IOMMU core runs when it probes the device (iommu_init_device(), since v6.15) and "
        + "again at driver bind (drivers/base/dd.c really_probe()); up to v6.19 it happened once, in pci_acs_init() at "
        + "enumeration. A PCI driver's probe() runs after its own device and the ports above it were configured, "
        + "iommu_device_register() probes every device already on the bus (bus_iommu_probe()), and late initcalls run "
        + "after the boot scan: a request from there leaves ACS off on the devices already present, while devices added "
        + "later (hotplug, VFs) get it. IOMMU grouping reads the live ACS Control register (pci_acs_enabled()), so the "
        + "groups come out coarser than intended (VFIO cannot assign functions separately) and Source Validation and P2P "
        + "redirection are lost. Bjorn Helgaas: \"pci_request_acs() sets pci_acs_enable, which tells us to enable ACS when "
        + "enumerating PCI devices in the future. But we only call pci_request_acs() if we already *have* a PCI device.\"",
        "Request ACS where the IOMMU is detected, before PCI enumeration: in arch or ACPI table parsing (__init, like "
        + "detect_intel_iommu(), iort_enable_acs(), acpi_viot_early_init()) or in host-bridge setup before the bus is "
        + "scanned. On mainline an IOMMU driver may also call it before iommu_device_register(), since pci_dma_configure() "
        + "enables ACS for each device after the IOMMU probed it; up to v6.19 only a request before the PCI scan is in time.",
        """
        static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
        {
                pci_request_acs();
                return pcim_enable_device(pdev);
        }
        """,
        """
        static int __init foo_iommu_init(void)
        {
                pci_request_acs();
                return platform_driver_register(&foo_iommu_driver);
        }
        subsys_initcall(foo_iommu_init);
        """,
        [
            "drivers/pci/pci.c pci_request_acs(), pci_enable_acs(), pci_acs_init()",
            "drivers/pci/pci-driver.c pci_dma_configure(); drivers/base/dd.c really_probe()",
            "drivers/iommu/iommu.c iommu_device_register() -> bus_iommu_probe(), iommu_init_device()",
            "linux-pci, 2021-06-04, Bjorn Helgaas, Re: [PATCH v4] PCI: Move pci_request_acs() to devm_of_pci_bridge_init() <20210604190430.GA2220179@bjorn-Precision-5520>",
            "linux-pci, 2026-01-02, [PATCH v3] PCI: Enable ACS after configuring IOMMU for OF platforms <20260102-pci_acs-v3-1-72280b94d288@oss.qualcomm.com>",
        ],
        NeedsFor(RequestsAcs, registrations: false));

    public override KernelEffect Effect => RequestsAcs;

    public override Finding? Evaluate(SiteReplay replay, RuleContext context)
    {
        var site = replay.Site;
        var effect = context.Model.Effect(RequestsAcs);
        foreach (var path in replay.Paths.OrderBy(p => p.Calls.Count))
        {
            if (EnumerationOrder.IsMoved(site, path, context.Graph))
            {
                continue;
            }

            string message;
            if (effect.Judges(path.Entry) && path.FailsIn(replay.ScenarioCount))
            {
                var when = context.Model.Event(path.EntryEvent).Name;
                message = $"pci_request_acs() in {site.Function}() runs from {Narration.EntryLabel(path.Entry)} at {when}: "
                    + "the devices it should affect were already configured, so ACS stays off for them";
            }
            else if (EnumerationOrder.EnumeratedBefore(path, site, context) is { } before)
            {
                message = $"pci_request_acs() in {site.Function}() runs after {before[0]}() called {before[^1]}(), which already "
                    + "probed and configured the existing devices: ACS stays off for them";
            }
            else
            {
                continue;
            }

            var explanation = "pci_request_acs() only sets pci_acs_enable; pci_enable_acs() reads it when a device is configured "
                + "(mainline: pci_dma_configure() on the IOMMU probe path and at driver bind; up to v6.19: pci_acs_init() at "
                + "enumeration). " + Narration.Order(context.Model, path, replay.Consumer, path.Entry.Function, effect.Deadline);
            var fix = "Request ACS where the IOMMU is detected, before PCI enumeration (arch/ACPI table parsing in __init code, "
                + "or host-bridge setup before the scan); on mainline an IOMMU driver must call it before iommu_device_register()"
                + $", not from {path.Entry.Function}() ({path.Entry.Idiom}).";
            return NewFinding(site, message, explanation.TrimEnd(), fix, Narration.Trace(path, site), [.. path.Failed.Select(s => s.Id)]);
        }

        return null;
    }
}
