using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Tests;

/// <summary>Builds CallGraph objects by hand, the way the C analysis layer would for a small patch.</summary>
internal sealed class GraphBuilder
{
    public const string Origin = "<patch-1@example.org>";

    private readonly List<FunctionNode> functions = [];
    private readonly List<CallSite> calls = [];
    private readonly List<Registration> registrations = [];
    private readonly List<Assignment> assignments = [];
    private readonly List<FieldAccess> accesses = [];
    private readonly Dictionary<(string Origin, string File), List<DiffLine>> lines = [];

    public GraphBuilder Function(string name, string file, int start, int end, bool isStatic = true, string origin = Origin, params string[] parameters)
    {
        functions.Add(new FunctionNode(name, file, isStatic, start, end, Complete: true, NamedFromHunkContext: false,
            parameters, "int", DiffLineKind.Added, origin)
        {
            ParameterNames = [.. parameters.Select(DeclaredName)],
        });
        return this;
    }

    public GraphBuilder Call(string caller, string callee, string file, int line, string arguments = "pdev", DiffLineKind kind = DiffLineKind.Added, string origin = Origin)
    {
        calls.Add(new CallSite(caller, callee, file, line, SplitArguments(arguments), kind, origin));
        return this;
    }

    /// <summary>"struct pci_dev *pdev" gives "pdev": the identifier the declaration ends with.</summary>
    private static string DeclaredName(string declaration)
    {
        var end = declaration.Length;
        var start = end;
        while (start > 0 && (char.IsAsciiLetterOrDigit(declaration[start - 1]) || declaration[start - 1] == '_'))
        {
            start--;
        }

        return declaration[start..end];
    }

    /// <summary>"pdev, f(a, b), 1" gives ["pdev", "f(a, b)", "1"]: split at commas outside brackets, as the C layer does.</summary>
    private static List<string> SplitArguments(string arguments)
    {
        var result = new List<string>();
        if (arguments.Trim().Length == 0)
        {
            return result;
        }

        int depth = 0, start = 0;
        for (var i = 0; i < arguments.Length; i++)
        {
            switch (arguments[i])
            {
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}':
                    depth--;
                    break;
                case ',' when depth == 0:
                    result.Add(arguments[start..i].Trim());
                    start = i + 1;
                    break;
            }
        }

        result.Add(arguments[start..].Trim());
        return result;
    }

    public GraphBuilder Register(RoleKind role, string function, string file, int line, string idiom, DiffLineKind kind = DiffLineKind.Added,
        string? detail = null, string? via = null, int? definitionLine = null, DiffLineKind? definitionKind = null, string origin = Origin, bool inferred = false)
    {
        registrations.Add(new Registration(role, function, file, line, kind, idiom, inferred, detail, via, definitionLine, definitionKind, origin));
        return this;
    }

    public GraphBuilder Assign(string function, string file, int line, string target, string value, string op = "=", DiffLineKind kind = DiffLineKind.Added, string origin = Origin)
    {
        assignments.Add(new Assignment(function, file, line, target, op, value, kind, origin));
        return this;
    }

    /// <summary>A member access <c>variable-&gt;member</c> (a read unless <paramref name="write"/>).</summary>
    public GraphBuilder Access(string function, string file, int line, string variable, string member, bool write = false,
        DiffLineKind kind = DiffLineKind.Added, string origin = Origin)
    {
        accesses.Add(new FieldAccess(function, file, line, variable, member, write, kind, origin));
        return this;
    }

    /// <summary>Records the text of a post-image line, for inline suppression.</summary>
    public GraphBuilder Line(string file, int line, string text, string origin = Origin)
    {
        if (!lines.TryGetValue((origin, file), out var list))
        {
            lines[(origin, file)] = list = [];
        }

        list.Add(new DiffLine(DiffLineKind.Added, text, 0, line, line));
        return this;
    }

    public CallGraph Build() => new(functions, calls, registrations, assignments, [], accesses);

    public IReadOnlyList<GraphInput> Inputs()
    {
        var byOrigin = lines.GroupBy(kv => kv.Key.Origin);
        var inputs = new List<GraphInput>();
        foreach (var origin in byOrigin)
        {
            var files = origin.Select(kv =>
            {
                var sorted = kv.Value.OrderBy(l => l.NewLine).ToList();
                var hunk = new Hunk(sorted[0].NewLine, 0, sorted[0].NewLine, sorted.Count, "", sorted, 1);
                return new FilePatch(kv.Key.File, kv.Key.File, FileChangeKind.Modified, [hunk], 1);
            }).ToList();
            inputs.Add(new GraphInput(origin.Key, files));
        }

        return inputs;
    }

    public AnalysisResult Analyze(AnalysisOptions? options = null) => Analyzer.Analyze(Build(), Inputs(), options);
}

internal static class Kernel
{
    public const string Quirks = "drivers/pci/quirks.c";
    public const string PciProbe = "struct pci_dev *pdev";
    public const string PciId = "const struct pci_device_id *id";
}
