using System.Runtime.CompilerServices;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>A pcie_mpss override written by a quirk that runs after pci_configure_mps() used the value.</summary>
internal sealed class MpssQuirkAfterMpsConfig : Rule
{
    public const string Id = "mpss-quirk-after-mps-config";

    private static readonly KernelEffect OverridesMpss = new("OverridesMpss");

    [ModuleInitializer]
    internal static void Register() => RuleCatalog.Register(6, () => new MpssQuirkAfterMpsConfig());

    public override RuleMetadata Metadata { get; } = new(
        Id,
        "pcie_mpss overridden after MPS was configured",
        Severity.Warning,
        "A write to ->pcie_mpss of the fixup's own device from a DECLARE_PCI_FIXUP_[CLASS_]HEADER, _FINAL, _ENABLE, "
        + "_RESUME* or _SUSPEND* quirk (directly or through a helper), including a new non-EARLY registration of the "
        + "mainline fixup_mpss_256() or quirk_paxc_bridge().",
        "dev->pcie_mpss is set from the Device Capabilities register in set_pcie_port_type() (drivers/pci/probe.c), before "
        + "EARLY fixups. pci_configure_mps() consumes it as the first step of pci_device_add() -> pci_configure_device(), "
        + "before HEADER fixups: it sets the MPS of RCiEPs and lowers the Root Port's MPS from it, and pcie_set_mps() "
        + "(drivers/pci/pci.c) refuses values above it. pcie_bus_configure_settings() looks at it again only in the "
        + "pci=pcie_bus_safe/perf/peer2peer modes, not in the default PCIE_BUS_DEFAULT. An override written in a HEADER "
        + "quirk is therefore too late in the default mode (MPS was already programmed, the device gets a payload it "
        + "cannot handle: Malformed TLPs), and from FINAL or later it is too late in every mode. \"PCI: Call MPS fixup "
        + "quirks early\" (v5.15) moved the in-tree writers to EARLY for this reason. (A HEADER write for a Root Port on a "
        + "root bus happens to be in time; the rule cannot see the device type.)",
        "Register the quirk with DECLARE_PCI_FIXUP_EARLY (MPS is configured by pci_configure_mps() before HEADER fixups).",
        """
        static void quirk_foo_mpss(struct pci_dev *dev)
        {
                dev->pcie_mpss = 1; /* 256 bytes */
        }
        DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_mpss);
        """,
        """
        static void quirk_foo_mpss(struct pci_dev *dev)
        {
                dev->pcie_mpss = 1; /* 256 bytes */
        }
        DECLARE_PCI_FIXUP_EARLY(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_mpss);
        """,
        [
            "drivers/pci/probe.c set_pcie_port_type() (sets pcie_mpss), pci_device_add() -> pci_configure_device() -> pci_configure_mps()",
            "drivers/pci/pci.c pcie_set_mps(); drivers/pci/probe.c pcie_bus_configure_settings()",
            "drivers/pci/quirks.c fixup_mpss_256(); drivers/pci/controller/pcie-iproc.c quirk_paxc_bridge()",
            "linux-pci, 2021-06-24, Marek Behún, [PATCH 1/2] PCI: Call MPS fixup quirks early <20210624171418.27194-1-kabel@kernel.org>",
        ],
        NeedsFor(OverridesMpss, registrations: true));

    public override KernelEffect Effect => OverridesMpss;

    public override bool ReportsRegistrationOnly => true;

    public override Finding? Evaluate(SiteReplay replay, RuleContext context)
    {
        if (EnumerationOrder.LateEverywhere(replay, context) is not { } path)
        {
            return null;
        }

        var written = replay.Site;
        if (written.Kind == SiteKind.FieldWrite && written.Assignment is { } assignment)
        {
            // Only the fixup's own device: the quirk overrides what its device supports.
            var device = FixupDevice.BaseOf(assignment.Target, "pcie_mpss");
            if (device.Length == 0 || !FixupDevice.Along(path, context).Is(device))
            {
                return null;
            }
        }

        var site = EnumerationOrder.Anchored(replay, context);
        var when = context.Model.Event(path.EntryEvent).Name;
        var message = site.Kind == SiteKind.Registration
            ? $"{site.Function}() overrides pcie_mpss ({Narration.What(site)}) and is registered with {Narration.Registered(path.Entry)}: it runs at {when}, after pci_configure_mps() used the value"
            : $"{Narration.What(site)} in {site.Function}() runs from {Narration.EntryLabel(path.Entry)} at {when}, after pci_configure_mps() used pcie_mpss";
        var explanation = Narration.Order(context.Model, path, replay.Consumer, path.Entry.Function, context.Model.Effect(OverridesMpss).Deadline)
            + " pci_configure_mps() runs in pci_device_add() before HEADER fixups, so the device keeps the MPS it was given from the unmodified value.";
        var fix = $"Register {path.Entry.Function}() with DECLARE_PCI_FIXUP_EARLY instead of {Narration.Registered(path.Entry)} "
            + "(MPS is configured by pci_configure_mps() before HEADER fixups).";
        return NewFinding(site, message, explanation, fix, Narration.Trace(path, site), [.. path.Failed.Select(s => s.Id)]);
    }
}
