using System.Runtime.CompilerServices;
using PatchBot.PatchParser.Diff;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>An EARLY or HEADER quirk using its device's state before pci_init_capabilities() (or pci_read_bases()) set it.</summary>
internal sealed class CapabilityUsedBeforeInit : Rule
{
    public const string Id = "capability-used-before-init";

    private static readonly KernelEffect UsesCapabilityState = new("UsesCapabilityState");

    [ModuleInitializer]
    internal static void Register() => RuleCatalog.Register(8, () => new CapabilityUsedBeforeInit());

    public override RuleMetadata Metadata { get; } = new(
        Id,
        "Capability state used before pci_init_capabilities()",
        Severity.Warning,
        "A DECLARE_PCI_FIXUP_[CLASS_]EARLY or _HEADER quirk reading, on its own device, state that pci_init_capabilities() "
        + "sets only after HEADER fixups (pm_cap, msi_cap, msix_cap, acs_cap, ats_cap, sriov, ...), writing such a field "
        + "(the init code overwrites it), or calling API that depends on it (pci_set_power_state(), pci_enable_msi(), "
        + "pci_save_state(), pci_enable_ats(), ...); in an EARLY quirk also irq, resource[] / pci_resource_*() and "
        + "subsystem_*, read only after EARLY fixups. pcie_cap, pci_is_pcie(), pcie_capability_*() and "
        + "pci_find_[ext_]capability() are valid there and not reported, nor are the parent bridge or function 0.",
        "pci_device_add() (drivers/pci/probe.c) runs the HEADER fixups and only then pci_init_capabilities(), which sets "
        + "msi_cap/msix_cap (pci_msi_init(), pci_msix_init()), pm_cap and the PM state (pci_pm_init()), vpd.cap, sriov, "
        + "ats_cap, pri_cap, pasid_cap, acs_cap, ptm_cap, aer_cap, dpc_cap and the reset methods. EARLY fixups run even "
        + "earlier, in pci_setup_device() before pci_read_irq(), pci_read_bases() and pci_subsystem_ids(). The pci_dev was "
        + "zeroed by pci_alloc_dev(), so such a quirk reads 0: it silently does nothing, or accesses the wrong config "
        + "offset (msix_cap + PCI_MSIX_FLAGS is the Device ID register), and what it writes is overwritten. Bjorn Helgaas: "
        + "\"I assume you verified that all these quirks are FINAL quirks, since pci_init_capabilities() is called after "
        + "HEADER quirks\".",
        "Make it a FINAL quirk (capabilities are initialised by pci_init_capabilities() after HEADER fixups), or look the "
        + "capability up with pci_find_[ext_]capability(); to change what the init code does, prime a field it respects "
        + "(dev_flags, no_msi, vpd.len, dpc_rp_log_size, ...) in a HEADER quirk.",
        """
        static void quirk_foo_clear_msix(struct pci_dev *dev)
        {
                u16 ctrl;

                pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, &ctrl);
                ctrl &= ~PCI_MSIX_FLAGS_ENABLE;
                pci_write_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, ctrl);
        }
        DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_clear_msix);
        """,
        """
        static void quirk_foo_clear_msix(struct pci_dev *dev)
        {
                u16 ctrl;

                pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, &ctrl);
                ctrl &= ~PCI_MSIX_FLAGS_ENABLE;
                pci_write_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, ctrl);
        }
        DECLARE_PCI_FIXUP_FINAL(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_clear_msix);
        """,
        [
            "drivers/pci/probe.c pci_device_add(): pci_fixup_device(pci_fixup_header, dev), then pci_init_capabilities()",
            "drivers/pci/probe.c pci_setup_device(): EARLY fixups before pci_read_irq(), pci_read_bases(), pci_subsystem_ids()",
            "drivers/pci/pci.c pci_pm_init(), pci_acs_init(); drivers/pci/msi/msi.c pci_msi_init(), pci_msix_init()",
            "drivers/pci/vpd.c quirk_f0_vpd_link() (reads function 0's vpd.cap: another device, valid)",
        ],
        NeedsFor(UsesCapabilityState, registrations: false));

    public override KernelEffect Effect => UsesCapabilityState;

    public override Finding? Evaluate(SiteReplay replay, RuleContext context)
    {
        var site = replay.Site;
        var (device, member) = Target(site);
        if (device is null)
        {
            return null;
        }

        var what = site.Kind == SiteKind.Call ? member : context.Model.FieldRead(member)?.Field ?? member;

        var effect = context.Model.Effect(UsesCapabilityState);
        foreach (var path in replay.Paths.Where(p => effect.Judges(p.Entry) && p.FailsIn(replay.ScenarioCount)).OrderBy(p => p.Calls.Count))
        {
            var own = FixupDevice.Along(path, context);
            if (!own.Is(device) || UsedEarlier(site, what, own, context))
            {
                continue;
            }

            var when = context.Model.Event(path.EntryEvent).Name;
            var setBy = context.Model.Event(replay.Consumer);
            var use = site.Kind switch
            {
                SiteKind.Call => $"{site.What}({device}, ...)",
                _ => Narration.What(site),
            };
            var verb = site.Kind == SiteKind.FieldWrite ? "writes" : "uses";
            var message = $"{use} in {site.Function}() {verb} state of the fixup's own device at {when}, before it is set up ({setBy.Name})";
            var explanation = Narration.Order(context.Model, path, replay.Consumer, path.Entry.Function, effect.Deadline)
                + (site.Kind == SiteKind.FieldWrite
                    ? " The init code overwrites the field afterwards."
                    : " The pci_dev was zeroed by pci_alloc_dev(): the value is still 0 here.");
            var fix = $"Register {path.Entry.Function}() with DECLARE_PCI_FIXUP_FINAL instead of {Narration.Registered(path.Entry)} "
                + "(capabilities are initialised by pci_init_capabilities() after HEADER fixups), or look the capability up with "
                + "pci_find_[ext_]capability(); to change what the init code does, prime a field it respects in HEADER.";
            return NewFinding(site, message, explanation, fix, Narration.Trace(path, site), [.. path.Failed.Select(s => s.Id)]);
        }

        return null;
    }

    /// <summary>The expression naming the device the site acts on, and the field or API it uses.</summary>
    private static (string? Device, string What) Target(EffectSite site)
    {
        switch (site.Kind)
        {
            case SiteKind.FieldRead when site.Access is { } access:
                return (access.Base, access.Member);
            case SiteKind.FieldWrite when site.Assignment is { } assignment:
                var target = BoundDevice.Normalize(assignment.Target);
                var arrow = target.IndexOf("->", StringComparison.Ordinal);
                return arrow > 0 ? (target[..arrow], target[(arrow + 2)..].Replace("->", ".", StringComparison.Ordinal)) : (null, string.Empty);
            case SiteKind.Call when site.Call is { } call && site.Api?.TargetArgument is { } index && index < call.Arguments.Count:
                return (call.Arguments[index], call.Callee);
            default:
                return (null, string.Empty);
        }
    }

    /// <summary>Anchoring: one finding per function and field or API, at its first added use on the fixup's device.</summary>
    private static bool UsedEarlier(EffectSite site, string what, FixupDevice own, RuleContext context)
    {
        var graph = context.Graph;
        bool Here(string file, string function, int line, string origin) =>
            line < site.Line
            && string.Equals(file, site.File, StringComparison.Ordinal)
            && string.Equals(function, site.Function, StringComparison.Ordinal)
            && string.Equals(origin, site.Origin, StringComparison.Ordinal);

        if (site.Kind == SiteKind.Call)
        {
            var index = site.Api!.TargetArgument!.Value;
            return graph.Calls.Any(c => c.LineKind == DiffLineKind.Added && Here(c.File, c.Caller, c.Line, c.Origin)
                && string.Equals(c.Callee, what, StringComparison.Ordinal) && index < c.Arguments.Count && own.Is(c.Arguments[index]));
        }

        return graph.FieldAccesses.Any(a => a.LineKind == DiffLineKind.Added && Here(a.File, a.Function, a.Line, a.Origin)
            && string.Equals(context.Model.FieldRead(a.Member)?.Field ?? a.Member, what, StringComparison.Ordinal) && own.Is(a.Base));
    }
}
