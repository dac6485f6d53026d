using System.Runtime.CompilerServices;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>A call of an unexported PCI core function from code that can be built as a module.</summary>
internal sealed class DmaAliasFromModule : Rule
{
    public const string Id = "dma-alias-from-module";

    [ModuleInitializer]
    internal static void Register() => RuleCatalog.Register(4, () => new DmaAliasFromModule());

    public override RuleMetadata Metadata { get; } = new(
        Id,
        "pci_add_dma_alias() called from modular code",
        Severity.Info,
        "pci_add_dma_alias() called from a file that registers through module_init() or module_*_driver(), so it can be "
        + "built as a module.",
        "pci_add_dma_alias() (drivers/pci/pci.c) has never been exported: there is no EXPORT_SYMBOL*(pci_add_dma_alias) in "
        + "any release. A tristate driver that calls it links when built in but fails modpost as a module "
        + "(\"pci_add_dma_alias\" undefined!). This was the second objection in the 2018 Switchtec NTB review, next to "
        + "the timing problem reported by dma-alias-after-iommu-group.",
        "Move the alias into a DECLARE_PCI_FIXUP_HEADER quirk in drivers/pci/quirks.c, which is always built in.",
        """
        static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
        {
                pci_add_dma_alias(pdev, 0, 256);
                return 0;
        }
        module_pci_driver(foo_driver);
        """,
        """
        /* drivers/pci/quirks.c */
        static void quirk_foo_dma_alias(struct pci_dev *pdev)
        {
                pci_add_dma_alias(pdev, 0, 256);
        }
        DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_FOO, 0x1234, quirk_foo_dma_alias);
        """,
        [
            "drivers/pci/pci.c pci_add_dma_alias(): no EXPORT_SYMBOL",
            "include/linux/module.h module_init(); include/linux/pci.h module_pci_driver()",
        ],
        NeedsFor(new("AddsDmaAlias"), registrations: false, api => !api.Exported))
    {
        OnlyAddedCalls = true,
    };

    public override KernelEffect Effect => new("AddsDmaAlias");

    public override Finding? Evaluate(SiteReplay replay, RuleContext context)
    {
        var site = replay.Site;
        if (site.Kind != SiteKind.Call || site.Api is not { Exported: false } api)
        {
            return null;
        }

        var module = context.Graph.Registrations.FirstOrDefault(r =>
            r.LineKind != DiffLineKind.Removed
            && string.Equals(r.File, site.File, StringComparison.Ordinal)
            && (r.Role == RoleKind.ModuleInit || r.Idiom.StartsWith("module_", StringComparison.Ordinal)));
        if (module is null)
        {
            return null;
        }

        var message = $"{api.Function}() is not exported, but {site.File} registers with {module.Idiom} and can be built as a module";
        var explanation = $"{site.Function}() calls {api.Function}(), which drivers/pci/pci.c does not export; built as a module "
            + $"the file fails modpost (\"{api.Function}\" undefined!).";
        return NewFinding(site, message, explanation, Metadata.Fix, [site.Function, api.Function], []);
    }
}
