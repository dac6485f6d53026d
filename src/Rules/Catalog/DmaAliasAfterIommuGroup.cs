using System.Runtime.CompilerServices;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>A DMA alias added after the device's IOMMU group was created: from probe() and anything after it.</summary>
internal sealed class DmaAliasAfterIommuGroup : Rule
{
    public const string Id = "dma-alias-after-iommu-group";

    [ModuleInitializer]
    internal static void Register() => RuleCatalog.Register(1, () => new DmaAliasAfterIommuGroup());

    public override RuleMetadata Metadata { get; } = new(
        Id,
        "DMA alias added after the IOMMU group was created",
        Severity.Error,
        "pci_add_dma_alias() (or a direct write to ->dma_alias_mask / ->dma_alias_devfn) reached from a driver's probe() or "
        + "anything it calls, remove/shutdown, sriov_configure, error handlers, PM callbacks, ENABLE/RESUME/SUSPEND fixups, "
        + "late initcalls, default-priority bus notifiers or class_interface add_dev.",
        "The IOMMU core creates a PCI device's IOMMU group inside device_add(): on BUS_NOTIFY_ADD_DEVICE, iommu_bus_notifier() "
        + "calls iommu_probe_device(), whose ops->device_group() is pci_device_group(); it walks pci_for_each_dma_alias() once "
        + "and the default domain's context entries (Intel) or DTEs (AMD) are written for the aliases known then "
        + "(drivers/iommu/iommu.c __iommu_probe_device()). A driver is bound only later, in pci_bus_add_device() -> "
        + "device_initial_probe() -> really_probe() (drivers/base/dd.c), and ENABLE fixups run even later in "
        + "pci_enable_device(). At boot on x86 the groups are built at rootfs_initcall by pci_iommu_init(), still before "
        + "drivers probe at device_initcall. An alias added at those times never moves the device into the right group, so "
        + "DMA from the alias requester ID faults and VFIO isolation is wrong. pci_add_dma_alias()'s own kernel-doc "
        + "(drivers/pci/pci.c) asks for a PCI fixup header quirk.",
        "Add the alias in a DECLARE_PCI_FIXUP_HEADER (or _EARLY) quirk in drivers/pci/quirks.c, keyed on the device's "
        + "vendor and device id, and remove it from the late path.",
        """
        static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
        {
                /* too late: the IOMMU group was built in device_add() */
                pci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 1), 1);
                return foo_init(pdev);
        }
        """,
        """
        /* drivers/pci/quirks.c */
        static void quirk_foo_dma_alias(struct pci_dev *pdev)
        {
                pci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 1), 1);
        }
        DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_dma_alias);
        """,
        [
            "drivers/base/core.c device_add(): BUS_NOTIFY_ADD_DEVICE before KOBJ_ADD and bus_probe_device()",
            "drivers/iommu/iommu.c iommu_bus_notifier(), __iommu_probe_device(), pci_device_group()",
            "drivers/pci/bus.c pci_bus_add_device(): FINAL fixups, then device_initial_probe()",
            "drivers/pci/pci.c pci_add_dma_alias() kernel-doc: \"DMA aliases should therefore be configured via quirks, such as the PCI fixup header quirk\"",
            "linux-pci, May 2018: \"[PATCH 2/2] NTB: PCI Quirk to Enable Switchtec NT Functionality with IOMMU On\" review",
        ],
        NeedsFor(new("AddsDmaAlias"), registrations: true));

    public override KernelEffect Effect => new("AddsDmaAlias");

    public override bool ReportsRegistrationOnly => true;

    public override Finding? Evaluate(SiteReplay replay, RuleContext context)
    {
        if (DmaAliasPaths.LateEverywhere(replay) is not { } path)
        {
            return null;
        }

        var site = DmaAliasPaths.Anchored(replay.Site, replay, p => p.FailsIn(replay.ScenarioCount));
        var entry = Narration.EntryLabel(path.Entry);
        var when = context.Model.Event(path.EntryEvent).Name;
        var message = site.Kind == SiteKind.Registration
            ? $"{site.Function}() adds a DMA alias ({Narration.What(site)}) and is registered with {Narration.Registered(path.Entry)}: it runs at {when}, after the IOMMU group was created"
            : $"{Narration.What(site)} in {site.Function}() runs from {entry} at {when}, after the device's IOMMU group was created";
        var explanation = Narration.Order(context.Model, path, replay.Consumer, path.Entry.Function)
            + " The alias is added after pci_device_group() read the aliases, so it is never part of the device's IOMMU group.";
        var fix = $"Add the alias in a DECLARE_PCI_FIXUP_HEADER (or _EARLY) quirk in drivers/pci/quirks.c instead of {path.Entry.Function}() ({path.Entry.Idiom}).";
        return NewFinding(site, message, explanation, fix, Narration.Trace(path, site), [.. path.Failed.Select(s => s.Id)]);
    }
}
