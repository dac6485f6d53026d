using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.Rules.Tests;

public sealed class IdiomModelTests
{
    private static readonly IdiomModel Model = IdiomModel.Default;

    private static IdiomDocument Document => Model.Document;

    [Fact]
    public void Embedded_idioms_load_and_validate() => Assert.Empty(IdiomModel.Validate(Document));

    [Fact]
    public void Every_entry_cites_a_kernel_file_and_the_macro_or_struct()
    {
        var sources = Document.FixupMacros.Select(m => m.Source)
            .Append(Document.FixupSection.Source)
            .Concat(Document.RegistrationMacros.Select(m => m.Source))
            .Concat(Document.WrapperMacros.Select(w => w.Source))
            .Concat(Document.InitializerFields.Select(f => f.Source))
            .Concat(Document.NestedStructs.Select(n => n.Source))
            .Concat(Document.InitializerMacros.Select(m => m.Source))
            .Concat(Document.PointerWrappers.Select(p => p.Source))
            .Concat(Document.Signatures.Select(s => s.Source))
            .ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, s => Assert.Matches(@"^(drivers|include)/[\w./-]+\.[ch] (\w+\(\)|struct \w+)", s));
    }

    [Fact]
    public void Missing_source_is_reported()
    {
        var broken = Document with { WrapperMacros = [.. Document.WrapperMacros, new WrapperEntry("FOO_QUIRK", "DECLARE_PCI_FIXUP_FINAL", "quirk_foo", "")] };
        Assert.Contains(IdiomModel.Validate(broken), p => p.Contains("wrapper macro FOO_QUIRK has no source", StringComparison.Ordinal));
    }

    [Fact]
    public void A_wrapper_must_expand_to_a_fixup_macro()
    {
        var broken = Document with { WrapperMacros = [new WrapperEntry("FOO_QUIRK", "DECLARE_PCI_FIXUP_NEVER", "quirk_foo", "drivers/pci/quirks.c FOO_QUIRK()")] };
        Assert.Contains(IdiomModel.Validate(broken), p => p.Contains("not a fixup macro", StringComparison.Ordinal));
    }

    [Fact]
    public void A_macro_listed_twice_is_reported()
    {
        var twice = Document.RegistrationMacros[0] with { Role = RoleKind.Export };
        var broken = Document with { RegistrationMacros = [.. Document.RegistrationMacros, twice] };
        Assert.Contains(IdiomModel.Validate(broken), p => p.Contains("listed twice", StringComparison.Ordinal));
    }

    [Fact]
    public void An_initializer_field_needs_one_struct_selector()
    {
        var broken = Document with
        {
            InitializerFields = [.. Document.InitializerFields, new FieldEntry("pci_driver", "_driver", ["probe"], RoleKind.DriverProbe, "include/linux/pci.h struct pci_driver")],
        };
        Assert.Contains(IdiomModel.Validate(broken), p => p.Contains("exactly one of struct and structSuffix", StringComparison.Ordinal));
    }

    [Fact]
    public void Switchtec_wrappers_register_the_mainline_final_fixup()
    {
        foreach (var name in new[] { "SWITCHTEC_QUIRK", "SWITCHTEC_PCI100X_QUIRK" })
        {
            var wrapper = Assert.Single(Document.WrapperMacros, w => w.Macro == name);
            Assert.Equal(("DECLARE_PCI_FIXUP_CLASS_FINAL", "quirk_switchtec_ntb_dma_alias"), (wrapper.ExpandsTo, wrapper.Hook));
            Assert.Equal(RoleKind.FixupFinal, Assert.Single(Document.FixupMacros, m => m.Macro == wrapper.ExpandsTo).Role);
        }
    }

    [Fact]
    public void The_table_knows_what_the_document_lists()
    {
        Assert.True(Model.Table.IsFileScopeMacro("DECLARE_PCI_FIXUP_FINAL"));
        Assert.True(Model.Table.IsFileScopeMacro("module_pci_driver"));
        Assert.True(Model.Table.IsFileScopeMacro("EXPORT_SYMBOL_GPL"));
        Assert.False(Model.Table.IsFileScopeMacro("SWITCHTEC_QUIRK"));
        Assert.False(Model.Table.IsFileScopeMacro("pci_add_dma_alias"));
        Assert.Equal("DECLARE_PCI_FIXUP_SECTION", Model.Table.SectionMacro.Name);
    }
}
