using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.Rules.Replay;

/// <summary>
/// Walks a <see cref="CallGraph"/> over its public lists: up from a function to every entry point
/// (a registration the model places on the timeline), and down from a function to what it calls.
/// Removed call sites and removed registrations are not followed. A callee resolves to a static
/// function of the caller's file first, then to a non-static function anywhere.
/// </summary>
internal sealed class CallWalker
{
    private readonly LifecycleModel model;
    private readonly int maxDepth;
    private readonly int maxPaths;
    private readonly Dictionary<string, List<FunctionNode>> functionsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<CallSite>> callersOf = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Function, string File), List<CallSite>> callsIn = [];
    private readonly Dictionary<string, List<Registration>> registrationsOf = new(StringComparer.Ordinal);

    public CallWalker(CallGraph graph, LifecycleModel model, int maxDepth, int maxPaths)
    {
        this.model = model;
        this.maxDepth = Math.Max(1, maxDepth);
        this.maxPaths = Math.Max(1, maxPaths);
        foreach (var f in graph.Functions)
        {
            Add(functionsByName, f.Name, f);
        }

        foreach (var call in graph.Calls)
        {
            if (call.LineKind == DiffLineKind.Removed)
            {
                continue;
            }

            Add(callersOf, call.Callee, call);
            if (!callsIn.TryGetValue((call.Caller, call.File), out var list))
            {
                callsIn[(call.Caller, call.File)] = list = [];
            }

            list.Add(call);
        }

        foreach (var r in graph.Registrations)
        {
            if (r.LineKind != DiffLineKind.Removed && model.EventOf(r) is not null)
            {
                Add(registrationsOf, r.Function, r);
            }
        }

        // Fewest calls from each function name up to an entry point (by name, ignoring files and cycles: a lower
        // bound). Up() skips a function that cannot reach an entry within the depth left, so a call graph with
        // many paths and no entry point above them is not searched path by path (exponential).
        var queue = new Queue<string>();
        foreach (var name in registrationsOf.Keys)
        {
            entryDistance[name] = 0;
            queue.Enqueue(name);
        }

        var calleesOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (callee, calls) in callersOf)
        {
            foreach (var call in calls)
            {
                Add(calleesOf, call.Caller, callee);
            }
        }

        while (queue.Count > 0)
        {
            string name = queue.Dequeue();
            int next = entryDistance[name] + 1;
            if (next > this.maxDepth || !calleesOf.TryGetValue(name, out var callees))
            {
                continue;
            }

            foreach (string callee in callees)
            {
                if (entryDistance.TryAdd(callee, next))
                {
                    queue.Enqueue(callee);
                }
            }
        }
    }

    /// <summary>Calls walked per <see cref="PathsTo"/> before the search stops with what it has.</summary>
    private const int MaxSteps = 100_000;

    private readonly Dictionary<string, int> entryDistance = new(StringComparer.Ordinal);
    private int steps;

    /// <summary>The definition a call of <paramref name="name"/> from <paramref name="fromFile"/> reaches, if the graph has it.</summary>
    public FunctionNode? Resolve(string name, string fromFile)
    {
        if (!functionsByName.TryGetValue(name, out var candidates))
        {
            return null;
        }

        return candidates.FirstOrDefault(f => string.Equals(f.File, fromFile, StringComparison.Ordinal))
            ?? candidates.FirstOrDefault(f => !f.IsStatic);
    }

    /// <summary>The function node for a name in a file, if the graph has it.</summary>
    public FunctionNode? Find(string name, string file) =>
        functionsByName.TryGetValue(name, out var candidates)
            ? candidates.FirstOrDefault(f => string.Equals(f.File, file, StringComparison.Ordinal))
            : null;

    /// <summary>The call sites (not removed) in a function's body.</summary>
    public IReadOnlyList<CallSite> CallsIn(string function, string file) =>
        callsIn.TryGetValue((function, file), out var list) ? list : [];

    /// <summary>The entry registrations (not removed, with a place on the timeline) of a function.</summary>
    public IEnumerable<Registration> RegistrationsOf(string function, string file)
    {
        if (!registrationsOf.TryGetValue(function, out var list))
        {
            yield break;
        }

        var node = Find(function, file);
        foreach (var r in list)
        {
            if (node is { IsStatic: true } && !string.Equals(r.File, file, StringComparison.Ordinal))
            {
                continue;
            }

            yield return r;
        }
    }

    /// <summary>
    /// Every acyclic path from an entry point to <paramref name="function"/> in <paramref name="file"/>,
    /// at most the configured number, each no deeper than the configured depth.
    /// </summary>
    public IReadOnlyList<CallPath> PathsTo(string function, string file)
    {
        var paths = new List<CallPath>();
        var onPath = new HashSet<(string, string)>();
        var chain = new List<CallSite>();
        steps = 0;
        Up(function, file, 0, onPath, chain, paths);
        return paths;
    }

    private void Up(string function, string file, int depth, HashSet<(string, string)> onPath, List<CallSite> chain, List<CallPath> paths)
    {
        if (paths.Count >= maxPaths || ++steps > MaxSteps
            || !entryDistance.TryGetValue(function, out int distance) || depth + distance > maxDepth
            || !onPath.Add((function, file)))
        {
            return;
        }

        foreach (var r in RegistrationsOf(function, file))
        {
            if (paths.Count >= maxPaths)
            {
                break;
            }

            paths.Add(new CallPath(r, [.. Enumerable.Reverse(chain)]));
        }

        if (depth < maxDepth && callersOf.TryGetValue(function, out var callers))
        {
            var defined = functionsByName.ContainsKey(function);
            foreach (var call in callers)
            {
                if (paths.Count >= maxPaths)
                {
                    break;
                }

                if (defined && Resolve(function, call.File) is { } target && !string.Equals(target.File, file, StringComparison.Ordinal))
                {
                    continue;
                }

                if (defined && Resolve(function, call.File) is null)
                {
                    continue;
                }

                chain.Add(call);
                Up(call.Caller, call.File, depth + 1, onPath, chain, paths);
                chain.RemoveAt(chain.Count - 1);
            }
        }

        onPath.Remove((function, file));
    }

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
            var (name, calleeFile) = Resolve(call.Callee, call.File) is { } callee ? (callee.Name, callee.File) : (call.Callee, call.File);
            if (DownFrom(name, calleeFile, depth + 1, seen, match) is { } below)
            {
                below.Insert(0, name);
                return below;
            }
        }

        return null;
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }
}
