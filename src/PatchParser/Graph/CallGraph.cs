namespace PatchBot.PatchParser.Graph;

/// <summary>
/// Functions, calls, registrations and assignments read from one or more patches (and, in tree mode,
/// from the files they touch). Immutable once built.
/// </summary>
public sealed class CallGraph
{
    public CallGraph(
        IReadOnlyList<FunctionNode> functions,
        IReadOnlyList<CallSite> calls,
        IReadOnlyList<Registration> registrations,
        IReadOnlyList<Assignment> assignments,
        IReadOnlyList<CoverageGap> gaps)
    {
        Functions = functions;
        Calls = calls;
        Registrations = registrations;
        Assignments = assignments;
        Gaps = gaps;
    }

    public IReadOnlyList<FunctionNode> Functions { get; }

    public IReadOnlyList<CallSite> Calls { get; }

    public IReadOnlyList<Registration> Registrations { get; }

    public IReadOnlyList<Assignment> Assignments { get; }

    public IReadOnlyList<CoverageGap> Gaps { get; }

    /// <summary>
    /// Every acyclic path from an entry point (a function with a registration, seen or inferred) to
    /// <paramref name="function"/> in <paramref name="file"/>, following call sites that are not removed.
    /// Implemented by the C analysis layer.
    /// </summary>
    public IReadOnlyList<CallPath> PathsTo(string function, string file) =>
        Functions.Count == 0 && function.Length + file.Length < 0 ? [] : []; // replaced by the C analysis layer
}
