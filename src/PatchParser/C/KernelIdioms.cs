using System.Collections.Frozen;
using PatchBot.PatchParser.Graph;

namespace PatchBot.PatchParser.C;

/// <summary>A file-scope macro call that gives a function a role: <c>NAME(..., fn, ...);</c>.</summary>
/// <param name="FunctionArgument">0-based index of the argument naming the function (or object); -1 for
/// "every identifier argument after the first" (dev_pm_ops definitions).</param>
/// <param name="Detail">Copied to <see cref="Registration.Detail"/> (initcall level, driver struct type).</param>
public sealed record RegistrationMacro(string Name, RoleKind Role, int FunctionArgument, string? Detail = null);

/// <summary>The macro that puts a fixup in a named section: <c>NAME(section, ..., hook)</c>; the section name,
/// after <paramref name="SectionPrefix"/>, is a phase of <paramref name="Phases"/> (compared ignoring case).</summary>
public sealed record FixupSectionMacro(string Name, int SectionArgument, int HookArgument, string SectionPrefix,
    IReadOnlyDictionary<string, RoleKind> Phases);

/// <summary>A wrapper macro from mainline whose expansion registers <paramref name="Hook"/> with the fixup macro
/// <paramref name="ExpandsTo"/>; used when the patch does not show its #define.</summary>
public sealed record WrapperMacro(string Name, string ExpandsTo, string Hook);

/// <summary>A designated initialiser <c>.Field = fn</c> in an initialiser of a struct named <paramref name="Struct"/>
/// (or any struct whose name ends with <paramref name="StructSuffix"/>) gives fn <paramref name="Role"/>.</summary>
/// <param name="Field">The member; null for every member of the struct.</param>
/// <param name="StructAsDetail">The struct's name becomes <see cref="Registration.Detail"/>.</param>
/// <param name="DetailField">A sibling member whose value becomes the detail (a notifier's priority); the
/// registration is recorded at the end of the initialiser, with <paramref name="DetailDefault"/> when the member is not set.</param>
public sealed record InitializerField(string? Struct, string? StructSuffix, string? Field, RoleKind Role,
    bool StructAsDetail = false, string? DetailField = null, string? DetailDefault = null);

/// <summary>A member of a struct (named, or by suffix) that is itself a struct of type <paramref name="Type"/>:
/// <c>.driver = { ... }</c> of a *_driver is a device_driver.</summary>
public sealed record NestedStruct(string? Struct, string? StructSuffix, string Field, string Type);

/// <summary>A macro used inside an initialiser whose every function argument gets <paramref name="Role"/>
/// (<c>SET_SYSTEM_SLEEP_PM_OPS(suspend, resume)</c>).</summary>
public sealed record InitializerMacro(string Name, RoleKind Role);

/// <summary>A signature only one kind of callback has, so a function with it and no registration seen gets
/// <paramref name="Role"/> (inferred): <c>int f(struct pci_dev *, const struct pci_device_id *)</c> is a pci_driver .probe.</summary>
/// <param name="ParameterTypes">Each parameter's type, which its declaration must start with (white space ignored).</param>
/// <param name="Idiom">The <see cref="Registration.Idiom"/> given ("pci_driver.probe").</param>
/// <param name="OnlyWhenNotCalled">Only when no function in the patch calls it (the signature is shared with helpers).</param>
public sealed record RoleSignature(string ReturnType, IReadOnlyList<string> ParameterTypes, RoleKind Role, string Idiom,
    string? Detail = null, bool OnlyWhenNotCalled = false);

/// <summary>
/// The kernel's registration idioms, as data: which macro, struct member or wrapper gives which role. The C
/// layer knows only the shapes (a macro call at file scope, a designated initialiser, a #define wrapping a
/// fixup macro); the content comes from the lifecycle model's idioms file (src/Rules/Model/idioms.json),
/// loaded and validated by the rules and handed to <see cref="CallGraphBuilder.Build"/>.
/// </summary>
public sealed class KernelIdioms
{
    private readonly FrozenDictionary<string, RegistrationMacro> _fixups;
    private readonly FrozenDictionary<string, RegistrationMacro> _fileScope;
    private readonly FrozenDictionary<string, FixupWrapper> _wrappers;
    private readonly FrozenDictionary<string, RoleKind> _phases;
    private readonly FrozenDictionary<string, InitializerField[]> _fieldsByStruct;
    private readonly InitializerField[] _fieldsBySuffix;
    private readonly NestedStruct[] _nested;
    private readonly FrozenDictionary<string, RoleKind> _initializerMacros;
    private readonly FrozenSet<string> _pointerWrappers;

    /// <param name="fixupMacros">DECLARE_PCI_FIXUP_* and the like: registration macros a wrapper #define may expand to.</param>
    /// <param name="registrationMacros">Every other file-scope registration macro.</param>
    public KernelIdioms(
        IEnumerable<RegistrationMacro> fixupMacros,
        FixupSectionMacro sectionMacro,
        IEnumerable<RegistrationMacro> registrationMacros,
        IEnumerable<WrapperMacro> wrapperMacros,
        IEnumerable<InitializerField> initializerFields,
        IEnumerable<NestedStruct> nestedStructs,
        IEnumerable<InitializerMacro> initializerMacros,
        IEnumerable<string> pointerWrappers,
        IEnumerable<RoleSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(sectionMacro);
        SectionMacro = sectionMacro;
        _fixups = fixupMacros.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
        _fileScope = _fixups.Values.Concat(registrationMacros).ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
        _wrappers = wrapperMacros
            .Select(w => new FixupWrapper(w.Name, w.ExpandsTo, -1, w.Hook))
            .ToFrozenDictionary(w => w.Name, StringComparer.Ordinal);
        _phases = sectionMacro.Phases.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        var fields = initializerFields.ToList();
        _fieldsByStruct = fields.Where(f => f.Struct is not null).GroupBy(f => f.Struct!, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _fieldsBySuffix = [.. fields.Where(f => f.Struct is null && f.StructSuffix is not null)];
        _nested = [.. nestedStructs];
        _initializerMacros = initializerMacros.ToFrozenDictionary(m => m.Name, m => m.Role, StringComparer.Ordinal);
        _pointerWrappers = pointerWrappers.ToFrozenSet(StringComparer.Ordinal);
        Signatures = [.. signatures];
    }

    public FixupSectionMacro SectionMacro { get; }

    /// <summary>Signatures that give a role without a registration, in the order they are tried.</summary>
    public IReadOnlyList<RoleSignature> Signatures { get; }

    /// <summary>Whether <paramref name="name"/> is a file-scope registration macro (a fixup macro included).</summary>
    public bool IsFileScopeMacro(string name) => _fileScope.ContainsKey(name);

    internal bool TryGetFileScopeMacro(string name, out RegistrationMacro macro) => _fileScope.TryGetValue(name, out macro!);

    /// <summary>The role a fixup macro gives, and the index of its hook argument.</summary>
    internal bool TryGetFixup(string macro, out RoleKind role, out int hookArgument)
    {
        if (_fixups.TryGetValue(macro, out RegistrationMacro? m))
        {
            role = m.Role;
            hookArgument = m.FunctionArgument;
            return true;
        }

        role = default;
        hookArgument = -1;
        return false;
    }

    /// <summary>A mainline wrapper macro, for when the patch does not show its #define.</summary>
    internal bool TryGetMainlineWrapper(string name, out FixupWrapper wrapper) => _wrappers.TryGetValue(name, out wrapper!);

    internal bool IsMainlineWrapper(string name) => _wrappers.ContainsKey(name);

    /// <summary>The phase a fixup section name (".pci_fixup_final") stands for.</summary>
    internal RoleKind? FixupRoleFromSection(string section)
    {
        int i = section.IndexOf(SectionMacro.SectionPrefix, StringComparison.Ordinal);
        return i >= 0 && _phases.TryGetValue(section[(i + SectionMacro.SectionPrefix.Length)..], out RoleKind role) ? role : null;
    }

    /// <summary>The entry that gives a designated initialiser <c>.field = f</c> of <c>struct structType</c> a role, or null.</summary>
    internal InitializerField? FieldRole(string structType, string field)
    {
        if (_fieldsByStruct.TryGetValue(structType, out InitializerField[]? exact))
        {
            return Array.Find(exact, f => f.Field is null || f.Field == field);
        }

        return Array.Find(_fieldsBySuffix, f => (f.Field is null || f.Field == field)
            && structType.EndsWith(f.StructSuffix!, StringComparison.Ordinal));
    }

    /// <summary>Whether <c>struct structType</c> is a kernel registration struct: some member of it gives a role.</summary>
    internal bool IsRegistrationStruct(string structType) =>
        _fieldsByStruct.ContainsKey(structType)
        || Array.Exists(_fieldsBySuffix, f => structType.EndsWith(f.StructSuffix!, StringComparison.Ordinal));

    /// <summary>The member whose value is the detail of a deferred registration in <c>struct structType</c>, or null.</summary>
    internal InitializerField? DetailFieldOf(string structType) =>
        _fieldsByStruct.TryGetValue(structType, out InitializerField[]? exact) ? Array.Find(exact, f => f.DetailField is not null) : null;

    /// <summary>The struct type of a nested initialiser <c>.field = { ... }</c> in <c>struct structType</c>; empty when not known.</summary>
    internal string NestedStructType(string structType, string field)
    {
        foreach (NestedStruct n in _nested)
        {
            if (n.Field == field && (n.Struct == structType
                || (n.Struct is null && n.StructSuffix is not null && structType.EndsWith(n.StructSuffix, StringComparison.Ordinal))))
            {
                return n.Type;
            }
        }

        return string.Empty;
    }

    /// <summary>The role an initialiser macro gives each of its function arguments.</summary>
    internal bool TryGetInitializerMacro(string name, out RoleKind role) => _initializerMacros.TryGetValue(name, out role);

    /// <summary>Whether <paramref name="name"/>(x) stands for the function pointer x in an initialiser value.</summary>
    internal bool IsPointerWrapper(string name) => _pointerWrappers.Contains(name);
}

/// <summary>A wrapper macro whose expansion is a fixup macro: <c>#define X(vid) DECLARE_PCI_FIXUP_...(..., hook)</c>.</summary>
/// <param name="FixupMacro">The fixup macro it expands to, or the section name for the section macro.</param>
/// <param name="HookParameter">Index of the wrapper's parameter passed as the hook, or -1 when the hook is <paramref name="HookName"/>.</param>
/// <param name="HookName">The hook named literally in the expansion, when <paramref name="HookParameter"/> is -1.</param>
/// <param name="DefinitionLine">File line of the fixup macro in the #define, when the #define was shown.</param>
internal sealed record FixupWrapper(
    string Name,
    string FixupMacro,
    int HookParameter,
    string? HookName,
    int? DefinitionLine = null,
    Diff.DiffLineKind? DefinitionLineKind = null);

/// <summary>C words the walkers need: statement keywords and the words that start a declaration.</summary>
internal static class CWords
{
    /// <summary>Control keywords that can precede '(' without being a call.</summary>
    public static readonly FrozenSet<string> StatementKeywords = FrozenSet.Create(StringComparer.Ordinal,
    [
        "if", "else", "for", "while", "do", "switch", "return", "goto", "break", "continue", "case", "default",
    ]);

    /// <summary>Words that start a declaration: a statement starting with one of them and holding '=' declares.</summary>
    public static readonly FrozenSet<string> DeclarationStarters = FrozenSet.Create(StringComparer.Ordinal,
    [
        "struct", "union", "enum", "const", "volatile", "static", "unsigned", "signed", "int", "char", "short",
        "long", "float", "double", "void", "_Bool", "bool", "register", "auto", "typeof", "__typeof__", "__auto_type",
        "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "size_t", "ssize_t", "resource_size_t", "dma_addr_t",
        "phys_addr_t", "__le16", "__le32", "__le64", "__be16", "__be32", "__be64", "uint8_t", "uint16_t", "uint32_t",
        "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t", "unsigned long", "pci_ers_result_t", "irqreturn_t",
    ]);
}
