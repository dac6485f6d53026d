using System.Runtime.CompilerServices;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>A DMA alias added only from FINAL fixups: seen at x86 boot, missed on hot-add.</summary>
internal sealed class DmaAliasInFinalFixup : Rule
{
    public const string Id = "dma-alias-in-final-fixup";

    /// <summary>The mainline wrapper macros around a FINAL fixup, as the idioms model lists them.</summary>
    private static IEnumerable<WrapperEntry> FinalWrappers
    {
        get
        {
            var idioms = IdiomModel.Default.Document;
            return idioms.WrapperMacros.Where(w => idioms.FixupMacros.Any(m => m.Macro == w.ExpandsTo && m.Role == RoleKind.FixupFinal));
        }
    }

    [ModuleInitializer]
    internal static void Register() => RuleCatalog.Register(2, () => new DmaAliasInFinalFixup());

    public override RuleMetadata Metadata { get; } = new(
        Id,
        "DMA alias added in a FINAL fixup",
        Severity.Warning,
        "pci_add_dma_alias() reached only from DECLARE_PCI_FIXUP_FINAL / DECLARE_PCI_FIXUP_CLASS_FINAL, directly or through a "
        + $"wrapper macro such as {string.Join(" or ", FinalWrappers.Select(w => w.Macro + "()"))}.",
        "FINAL fixups run in pci_bus_add_device() (drivers/pci/bus.c), after device_add() has already sent "
        + "BUS_NOTIFY_ADD_DEVICE and the IOMMU core has built the device's group (drivers/iommu/iommu.c "
        + "iommu_bus_notifier()). At x86 boot this happens to work: the root bus is scanned at subsys_initcall, FINAL fixups "
        + "run at fs_initcall_sync in pci_apply_final_quirks() (drivers/pci/quirks.c), and pci_iommu_init() registers the "
        + "IOMMU and builds the groups only at rootfs_initcall (arch/x86/kernel/pci-dma.c). For a hot-added device, after a "
        + "remove + rescan, for SR-IOV VFs and on DT systems whose SMMU probed first, the group exists before FINAL runs, so "
        + "the alias is missing from the group and from the IOMMU's context entries.",
        "Register the quirk with DECLARE_PCI_FIXUP_HEADER (or _EARLY) so the alias exists before device_add(); if the "
        + "quirk needs BARs or pci_enable_device(), say in the commit message why FINAL is needed and that hot-add is not supported.",
        """
        static void quirk_foo_dma_alias(struct pci_dev *pdev)
        {
                pci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 0), 1);
        }
        DECLARE_PCI_FIXUP_FINAL(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_dma_alias);
        """,
        """
        static void quirk_foo_dma_alias(struct pci_dev *pdev)
        {
                pci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 0), 1);
        }
        DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_dma_alias);
        """,
        [
            "drivers/pci/bus.c pci_bus_add_device(): pci_fixup_device(pci_fixup_final, dev) after device_add()",
            "drivers/pci/quirks.c pci_apply_final_quirks() (fs_initcall_sync), "
                + string.Join(", ", FinalWrappers.Take(1).Select(w => $"{w.Macro}(), {w.Hook}()")),
            "arch/x86/kernel/pci-dma.c pci_iommu_init() (rootfs_initcall)",
            "drivers/iommu/iommu.c iommu_bus_notifier(), bus_iommu_probe()",
        ],
        NeedsFor(new("AddsDmaAlias"), registrations: true));

    public override KernelEffect Effect => new("AddsDmaAlias");

    public override bool ReportsRegistrationOnly => true;

    public override Finding? Evaluate(SiteReplay replay, RuleContext context)
    {
        if (DmaAliasPaths.LateSomewhere(replay) is not { } path)
        {
            return null;
        }

        var site = DmaAliasPaths.Anchored(replay.Site, replay, p => p.Failed.Count > 0);
        var entry = Narration.EntryLabel(path.Entry);
        var failed = string.Join(", ", path.Failed.Select(s => s.Title));
        var message = site.Kind == SiteKind.Registration
            ? $"{site.Function}() adds a DMA alias ({Narration.What(site)}) and is registered with {Narration.Registered(path.Entry)}: too late on {failed}"
            : $"{Narration.What(site)} in {site.Function}() runs from {entry}: too late on {failed}";
        var explanation = Narration.Order(context.Model, path, replay.Consumer, path.Entry.Function)
            + " It works only when the IOMMU registers after FINAL fixups ran (x86 boot).";
        var fix = $"Register {path.Entry.Function}() with DECLARE_PCI_FIXUP_HEADER (or _EARLY) instead of {Narration.Registered(path.Entry)}, or document why hot-add does not matter.";
        return NewFinding(site, message, explanation, fix, Narration.Trace(path, site), [.. path.Failed.Select(s => s.Id)]);
    }
}
