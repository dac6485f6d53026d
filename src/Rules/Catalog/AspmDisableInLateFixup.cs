using System.Runtime.CompilerServices;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>ASPM states disabled by a quirk that runs after pcie_aspm_init_link_state() configured (and maybe enabled) them.</summary>
internal sealed class AspmDisableInLateFixup : Rule
{
    public const string Id = "aspm-disable-in-late-fixup";

    private static readonly KernelEffect RestrictsAspm = new("RestrictsAspm");

    [ModuleInitializer]
    internal static void Register() => RuleCatalog.Register(5, () => new AspmDisableInLateFixup());

    public override RuleMetadata Metadata { get; } = new(
        Id,
        "ASPM disabled in a fixup that runs after ASPM was configured",
        Severity.Warning,
        "pci_disable_link_state(), pci_disable_link_state_locked() or pcie_aspm_remove_cap() (or a write to "
        + "->aspm_l0s_support / ->aspm_l1_support) reached from a DECLARE_PCI_FIXUP_[CLASS_]FINAL, _ENABLE, _RESUME* or "
        + "_SUSPEND* quirk, including a new late registration of the mainline quirk_disable_aspm_l0s() or "
        + "quirk_disable_aspm_l0s_l1(). Drivers calling pci_disable_link_state() are not reported: it is the exported "
        + "driver API and runs after the link state exists.",
        "pcie_aspm_init_link_state() runs at the end of pci_scan_slot() (drivers/pci/probe.c), after the HEADER fixups of "
        + "the slot's functions and before their FINAL fixups. It computes the link's capable states from "
        + "aspm_l0s_support/aspm_l1_support (drivers/pci/pcie/aspm.c pcie_aspm_cap_init()) and may enable L0s/L1 "
        + "(pcie_config_aspm_path(); since v6.18 devicetree platforms enable every state by default). A FINAL, ENABLE or PM "
        + "quirk that calls pci_disable_link_state() therefore runs after the states were enabled: the device runs with "
        + "them until the quirk disables them (AER timeouts, hangs), and with the POWERSAVE policies "
        + "do_pci_enable_device() enables ASPM again just before ENABLE fixups (drivers/pci/pci.c). pcie_aspm_remove_cap() "
        + "(v6.18) clears the supported bits that pcie_aspm_cap_init() reads, so from a late quirk it has no effect at all. "
        + "Bjorn Helgaas converted the in-tree quirk_disable_aspm_l0s*() to HEADER quirks calling pcie_aspm_remove_cap() "
        + "for v6.18: \"since they are FINAL quirks, they happen after ASPM has already been enabled\".",
        "Make the quirk a DECLARE_PCI_FIXUP_HEADER (or _EARLY) quirk that calls pcie_aspm_remove_cap(dev, "
        + "PCI_EXP_LNKCAP_ASPM_L0S | PCI_EXP_LNKCAP_ASPM_L1), so the states are removed before pcie_aspm_init_link_state() "
        + "can enable them (v6.18 and later; pci_disable_link_state() in a HEADER quirk does nothing, the link state does "
        + "not exist yet). For a stable tree before v6.18 there is no pre-enumeration API: backport pcie_aspm_remove_cap() "
        + "or accept the window and say so in the commit message.",
        """
        static void quirk_foo_disable_aspm(struct pci_dev *dev)
        {
                pci_disable_link_state(dev, PCIE_LINK_STATE_L0S | PCIE_LINK_STATE_L1);
        }
        DECLARE_PCI_FIXUP_FINAL(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_disable_aspm);
        """,
        """
        static void quirk_foo_disable_aspm(struct pci_dev *dev)
        {
                pcie_aspm_remove_cap(dev, PCI_EXP_LNKCAP_ASPM_L0S | PCI_EXP_LNKCAP_ASPM_L1);
        }
        DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_disable_aspm);
        """,
        [
            "drivers/pci/probe.c pci_scan_slot(): pcie_aspm_init_link_state(bus->self) after the slot's devices were added",
            "drivers/pci/pcie/aspm.c pcie_aspm_init_link_state(), pcie_aspm_cap_init(), pci_disable_link_state(), pcie_aspm_remove_cap() (v6.18)",
            "drivers/pci/pci.c do_pci_enable_device(): pcie_aspm_powersave_config_link() before the ENABLE fixups",
            "linux-pci, 2025-11-10, Bjorn Helgaas, [PATCH 3/4] PCI: Convert quirks to pcie_aspm_remove_cap() <20251110222929.2140564-4-helgaas@kernel.org>",
        ],
        NeedsFor(RestrictsAspm, registrations: true));

    public override KernelEffect Effect => RestrictsAspm;

    public override bool ReportsRegistrationOnly => true;

    public override Finding? Evaluate(SiteReplay replay, RuleContext context)
    {
        if (EnumerationOrder.LateEverywhere(replay, context) is not { } path)
        {
            return null;
        }

        var site = EnumerationOrder.Anchored(replay, context);
        var when = context.Model.Event(path.EntryEvent).Name;
        var removesCap = site.Kind == SiteKind.FieldWrite || site.Down[^1].StartsWith("pcie_aspm_remove_cap", StringComparison.Ordinal);
        var outcome = removesCap
            ? "it has no effect, pcie_aspm_init_link_state() already read the supported states"
            : "L0s/L1 may be enabled until then";
        var message = site.Kind == SiteKind.Registration
            ? $"{site.Function}() disables ASPM ({Narration.What(site)}) and is registered with {Narration.Registered(path.Entry)}: it runs at {when}, after pcie_aspm_init_link_state() configured ASPM"
            : $"{Narration.What(site)} in {site.Function}() runs from {Narration.EntryLabel(path.Entry)} at {when}, after pcie_aspm_init_link_state() configured ASPM: {outcome}";
        var explanation = Narration.Order(context.Model, path, replay.Consumer, path.Entry.Function, context.Model.Effect(RestrictsAspm).Deadline)
            + " pcie_aspm_init_link_state() runs at the end of pci_scan_slot(), after HEADER and before FINAL fixups; "
            + (removesCap
                ? "pcie_aspm_remove_cap() only changes what it reads."
                : "a late pci_disable_link_state() leaves L0s/L1 enabled until the quirk runs.");
        var fix = $"Register {path.Entry.Function}() with DECLARE_PCI_FIXUP_HEADER instead of {Narration.Registered(path.Entry)} and make it call "
            + "pcie_aspm_remove_cap() (v6.18 and later: it removes the states before pcie_aspm_init_link_state() enables them). "
            + "For a stable tree before v6.18 there is no pre-enumeration API: backport pcie_aspm_remove_cap() or accept the window.";
        return NewFinding(site, message, explanation, fix, Narration.Trace(path, site), [.. path.Failed.Select(s => s.Id)]);
    }
}
