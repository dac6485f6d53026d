using System.Text.Json;
using System.Text.Json.Serialization;
using PatchBot.PatchParser.C;
using PatchBot.PatchParser.Graph;

namespace PatchBot.Rules.Model;

/// <summary>
/// The kernel's registration idioms (which macro, struct member or wrapper gives which role), loaded once
/// from the embedded idioms.json beside lifecycle.json and validated the same way: every entry cites its
/// kernel source. <see cref="Table"/> is what the call-graph builder is given.
/// </summary>
public sealed class IdiomModel
{
    internal const string ResourceName = "PatchBot.Rules.Model.idioms.json";

    private static readonly Lazy<IdiomModel> LazyDefault = new(LoadEmbedded);

    private IdiomModel(IdiomDocument document)
    {
        Document = document;
        Table = new KernelIdioms(
            Expand(document.FixupMacros),
            new FixupSectionMacro(document.FixupSection.Macro, document.FixupSection.SectionArgument, document.FixupSection.HookArgument,
                document.FixupSection.SectionPrefix, document.FixupSection.Phases.ToDictionary(p => p.Phase, p => p.Role, StringComparer.OrdinalIgnoreCase)),
            Expand(document.RegistrationMacros),
            document.WrapperMacros.Select(w => new WrapperMacro(w.Macro, w.ExpandsTo, w.Hook)),
            document.InitializerFields.SelectMany(f => f.Fields is { Count: > 0 } fields
                ? fields.Select(field => Field(f, field))
                : [Field(f, null)]),
            document.NestedStructs.Select(n => new NestedStruct(n.Struct, n.StructSuffix, n.Field, n.Type)),
            document.InitializerMacros.SelectMany(m => Names(m.Macro, m.Macros).Select(name => new InitializerMacro(name, m.Role))),
            document.PointerWrappers.SelectMany(p => Names(p.Macro, p.Macros)),
            document.Signatures.Select(s => new RoleSignature(s.ReturnType, s.Parameters, s.Role, s.Idiom, s.Detail, s.OnlyWhenNotCalled)));
    }

    /// <summary>The idioms shipped in the assembly.</summary>
    public static IdiomModel Default => LazyDefault.Value;

    /// <summary>The table the C layer reads registrations with.</summary>
    public KernelIdioms Table { get; }

    internal IdiomDocument Document { get; }

    /// <summary>Reads an idioms document; throws on a malformed one (the embedded file is checked by the tests).</summary>
    internal static IdiomModel Parse(Stream json)
    {
        var document = JsonSerializer.Deserialize(json, IdiomJsonContext.Default.IdiomDocument)
            ?? throw new InvalidDataException("idioms: empty document");
        var problems = Validate(document);
        if (problems.Count > 0)
        {
            throw new InvalidDataException("idioms: " + string.Join("; ", problems));
        }

        return new IdiomModel(document);
    }

    /// <summary>What is wrong with an idioms document: missing sources, names twice, arguments out of range, wrappers of unknown macros.</summary>
    internal static List<string> Validate(IdiomDocument document)
    {
        var problems = new List<string>();
        void Source(string? source, string what)
        {
            if (string.IsNullOrWhiteSpace(source))
            {
                problems.Add($"{what} has no source");
            }
        }

        var macros = new HashSet<string>(StringComparer.Ordinal);
        void Name(string name, string what)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                problems.Add($"{what} has no name");
            }
            else if (!macros.Add(name))
            {
                problems.Add($"{what} {name} is listed twice");
            }
        }

        void Macros(IEnumerable<MacroEntry> entries, string what, int minArgument)
        {
            foreach (var m in entries)
            {
                var names = Names(m.Macro, m.Macros).ToList();
                if (names.Count == 0)
                {
                    problems.Add($"a {what} entry names no macro");
                }

                foreach (var name in names)
                {
                    Name(name, what);
                    Source(m.Source, $"{what} {name}");
                }

                if (m.Argument < minArgument)
                {
                    problems.Add($"{what} {string.Join(", ", names)} has argument {m.Argument}");
                }
            }
        }

        Macros(document.FixupMacros, "fixup macro", 0);
        Macros(document.RegistrationMacros, "registration macro", -1);

        var section = document.FixupSection;
        Name(section.Macro, "fixup section macro");
        Source(section.Source, $"fixup section macro {section.Macro}");
        if (section.SectionArgument < 0 || section.HookArgument < 0 || string.IsNullOrEmpty(section.SectionPrefix) || section.Phases.Count == 0)
        {
            problems.Add($"fixup section macro {section.Macro} needs its section and hook arguments, a section prefix and phases");
        }

        var fixups = document.FixupMacros.SelectMany(m => Names(m.Macro, m.Macros)).ToHashSet(StringComparer.Ordinal);
        foreach (var w in document.WrapperMacros)
        {
            Name(w.Macro, "wrapper macro");
            Source(w.Source, $"wrapper macro {w.Macro}");
            if (!fixups.Contains(w.ExpandsTo))
            {
                problems.Add($"wrapper macro {w.Macro} expands to {w.ExpandsTo}, which is not a fixup macro");
            }

            if (string.IsNullOrWhiteSpace(w.Hook))
            {
                problems.Add($"wrapper macro {w.Macro} names no hook");
            }
        }

        foreach (var f in document.InitializerFields)
        {
            var what = $"initializer field {f.Struct ?? "*" + f.StructSuffix}.{(f.Fields is { } fs ? string.Join("|", fs) : "*")}";
            Source(f.Source, what);
            if ((f.Struct is null) == (f.StructSuffix is null))
            {
                problems.Add($"{what} needs exactly one of struct and structSuffix");
            }

            if ((f.DetailField is null) != (f.DetailDefault is null))
            {
                problems.Add($"{what} needs both detailField and detailDefault, or neither");
            }
        }

        foreach (var n in document.NestedStructs)
        {
            Source(n.Source, $"nested struct {n.Field}");
            if ((n.Struct is null) == (n.StructSuffix is null))
            {
                problems.Add($"nested struct {n.Field} needs exactly one of struct and structSuffix");
            }
        }

        Macros(document.InitializerMacros.Select(m => new MacroEntry(m.Macro, m.Macros, m.Role, 0, null, m.Source)), "initializer macro", 0);
        Macros(document.PointerWrappers.Select(m => new MacroEntry(m.Macro, m.Macros, default, 0, null, m.Source)), "pointer wrapper", 0);
        foreach (var s in document.Signatures)
        {
            Source(s.Source, $"signature {s.Idiom}");
            if (string.IsNullOrWhiteSpace(s.ReturnType) || s.Parameters.Count == 0 || s.Parameters.Any(string.IsNullOrWhiteSpace))
            {
                problems.Add($"signature {s.Idiom} needs a return type and parameter types");
            }
        }

        return problems;
    }

    private static IEnumerable<RegistrationMacro> Expand(IEnumerable<MacroEntry> entries) =>
        entries.SelectMany(m => Names(m.Macro, m.Macros).Select(name => new RegistrationMacro(name, m.Role, m.Argument, m.Detail)));

    private static IEnumerable<string> Names(string? macro, IReadOnlyList<string>? macros) =>
        macro is null ? macros ?? [] : [macro, .. macros ?? []];

    private static InitializerField Field(FieldEntry f, string? field) =>
        new(f.Struct, f.StructSuffix, field, f.Role, f.StructAsDetail, f.DetailField, f.DetailDefault);

    private static IdiomModel LoadEmbedded()
    {
        using var stream = typeof(IdiomModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidDataException($"missing embedded resource {ResourceName}");
        return Parse(stream);
    }
}

// The shapes of idioms.json. Every entry carries "source": the kernel file and the macro or struct it comes from.

/// <summary>A registration macro, or several sharing role, argument, detail and source.</summary>
/// <param name="Argument">The argument naming the function; -1 for every identifier argument after the first.</param>
internal sealed record MacroEntry(string? Macro, IReadOnlyList<string>? Macros, RoleKind Role, int Argument, string? Detail, string Source);

internal sealed record PhaseEntry(string Phase, RoleKind Role);

internal sealed record SectionEntry(string Macro, int SectionArgument, int HookArgument, string SectionPrefix, IReadOnlyList<PhaseEntry> Phases, string Source);

internal sealed record WrapperEntry(string Macro, string ExpandsTo, string Hook, string Source);

/// <param name="Fields">The members; none for every member of the struct.</param>
internal sealed record FieldEntry(string? Struct, string? StructSuffix, IReadOnlyList<string>? Fields, RoleKind Role, string Source,
    bool StructAsDetail = false, string? DetailField = null, string? DetailDefault = null);

internal sealed record NestedEntry(string? Struct, string? StructSuffix, string Field, string Type, string Source);

internal sealed record InitializerMacroEntry(string? Macro, IReadOnlyList<string>? Macros, RoleKind Role, string Source);

internal sealed record PointerWrapperEntry(string? Macro, IReadOnlyList<string>? Macros, string Source);

/// <summary>A callback signature that gives a role without a registration (see <see cref="RoleSignature"/>).</summary>
internal sealed record SignatureEntry(string ReturnType, IReadOnlyList<string> Parameters, RoleKind Role, string Idiom, string Source,
    string? Detail = null, bool OnlyWhenNotCalled = false);

internal sealed record IdiomDocument(
    string Kernel,
    IReadOnlyList<MacroEntry> FixupMacros,
    SectionEntry FixupSection,
    IReadOnlyList<MacroEntry> RegistrationMacros,
    IReadOnlyList<WrapperEntry> WrapperMacros,
    IReadOnlyList<FieldEntry> InitializerFields,
    IReadOnlyList<NestedEntry> NestedStructs,
    IReadOnlyList<InitializerMacroEntry> InitializerMacros,
    IReadOnlyList<PointerWrapperEntry> PointerWrappers,
    IReadOnlyList<SignatureEntry> Signatures);

/// <summary>Source-generated JSON reading of the idioms (no reflection: works trimmed and with Native AOT).</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(IdiomDocument))]
internal sealed partial class IdiomJsonContext : JsonSerializerContext;
