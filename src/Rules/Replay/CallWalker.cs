using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.Rules.Replay;

/// <summary>
/// The rules' view of a <see cref="CallGraph"/>: up from a function to every entry point the lifecycle model
/// places on the timeline (the graph's call path query), and down from a function to what it calls. Callee
/// resolution is the graph's.
/// </summary>
internal sealed class CallWalker
{
    private readonly CallGraph graph;
    private readonly CallPathSearch paths;
    private readonly int maxDepth;

    public CallWalker(CallGraph graph, LifecycleModel model, CallPathLimits limits)
    {
        this.graph = graph;
        paths = graph.PathsFrom(model.IsEntryPoint, limits);
        maxDepth = limits.MaxDepth;
    }

    /// <summary>The definition a call of <paramref name="name"/> from <paramref name="fromFile"/> reaches, if the graph has it.</summary>
    public FunctionNode? Resolve(string name, string fromFile) => graph.Resolve(name, fromFile);

    /// <summary>The definition a call site reaches (through an ops table too), if the graph has it.</summary>
    public FunctionNode? ResolveCall(CallSite call) => graph.ResolveCall(call);

    /// <summary>The function node for a name in a file, if the graph has it.</summary>
    public FunctionNode? Find(string name, string file) => graph.Find(name, file);

    /// <summary>The call sites (not removed) in a function's body.</summary>
    public IReadOnlyList<CallSite> CallsIn(string function, string file) => graph.CallsIn(function, file);

    /// <summary>Every acyclic path from an entry point to <paramref name="function"/> in <paramref name="file"/>, within the limits.</summary>
    public IReadOnlyList<CallPath> PathsTo(string function, string file) => paths.To(function, file);

    /// <summary>
    /// Searches down from a function for something <paramref name="match"/> accepts, depth first; returns
    /// the chain of callee names from the function down to the match (the match's own label last).
    /// </summary>
    public IReadOnlyList<string>? Down(string function, string file, Func<string, string, IReadOnlyList<string>?> match)
    {
        var seen = new HashSet<(string, string)>();
        return DownFrom(function, file, 0, seen, match);
    }

    private List<string>? DownFrom(string function, string file, int depth, HashSet<(string, string)> seen, Func<string, string, IReadOnlyList<string>?> match)
    {
        if (!seen.Add((function, file)))
        {
            return null;
        }

        if (match(function, file) is { } here)
        {
            return [.. here];
        }

        if (depth >= maxDepth)
        {
            return null;
        }

        foreach (var call in CallsIn(function, file))
        {
            // An unresolved callee is still offered to the matcher: it may be mainline code the model knows.
            var (name, calleeFile) = ResolveCall(call) is { } callee ? (callee.Name, callee.File) : (call.Callee, call.File);
            if (DownFrom(name, calleeFile, depth + 1, seen, match) is { } below)
            {
                below.Insert(0, name);
                return below;
            }
        }

        return null;
    }
}
