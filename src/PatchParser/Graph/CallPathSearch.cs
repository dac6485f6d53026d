using PatchBot.PatchParser.Diff;
using NodeKey = PatchBot.PatchParser.Graph.CallGraph.NodeKey;

namespace PatchBot.PatchParser.Graph;

/// <summary>Bounds of a call path search: options with defaults, so hostile input costs bounded time.</summary>
public sealed record CallPathLimits
{
    public static CallPathLimits Default { get; } = new();

    /// <summary>Calls per path: a path longer than this is not followed, and the cut is reported as a gap.</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Paths returned per target; finding one more stops the search with a gap.</summary>
    public int MaxPaths { get; init; } = 64;

    /// <summary>Functions visited per target before the search stops with what it has and a gap.</summary>
    public int MaxSteps { get; init; } = 100_000;

    /// <summary>Calls a path does not go through, given the call and the file of the function it reaches (null: every
    /// call counts). Tree mode sets it for calls from one driver into a library of another part of the tree.</summary>
    public Func<CallSite, string, bool>? NotThrough { get; init; }
}

/// <summary>
/// The call path query of a <see cref="CallGraph"/>, for one definition of an entry point (see
/// <see cref="CallGraph.PathsFrom"/>). It walks up from the target through the calls that reach it, and skips a
/// function that no entry point reaches within the depth left (by name, a lower bound), so graphs with
/// exponentially many paths that never reach an entry point are not searched path by path.
/// </summary>
public sealed class CallPathSearch
{
    private readonly CallGraph.Index _index;
    private readonly CallPathLimits _limits;
    private readonly Dictionary<string, List<Registration>> _entriesByName = new(StringComparer.Ordinal);

    /// <summary>Fewest calls from an entry point down to a function of that name (by name, ignoring files and cycles).</summary>
    private readonly Dictionary<string, int> _entryDistance = new(StringComparer.Ordinal);

    internal CallPathSearch(CallGraph graph, Func<Registration, bool> isEntry, CallPathLimits limits)
    {
        _index = graph.Indexed;
        _limits = limits;
        foreach (Registration r in graph.Registrations)
        {
            if (r.LineKind != DiffLineKind.Removed && isEntry(r))
            {
                if (!_entriesByName.TryGetValue(r.Function, out List<Registration>? list))
                {
                    _entriesByName[r.Function] = list = [];
                }

                list.Add(r);
            }
        }

        var callees = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach ((string callee, List<CallGraph.ResolvedCall> calls) in _index.CallsOf)
        {
            foreach (CallGraph.ResolvedCall c in calls)
            {
                if (!callees.TryGetValue(c.Call.Caller, out List<string>? list))
                {
                    callees[c.Call.Caller] = list = [];
                }

                list.Add(callee);
            }
        }

        var queue = new Queue<string>();
        foreach (string name in _entriesByName.Keys)
        {
            _entryDistance[name] = 0;
            queue.Enqueue(name);
        }

        while (queue.Count > 0)
        {
            string name = queue.Dequeue();
            int next = _entryDistance[name] + 1;
            if (!callees.TryGetValue(name, out List<string>? below))
            {
                continue;
            }

            foreach (string callee in below)
            {
                if (_entryDistance.TryAdd(callee, next))
                {
                    queue.Enqueue(callee);
                }
            }
        }
    }

    /// <summary>
    /// Every acyclic path from an entry point to <paramref name="function"/> in <paramref name="file"/>, within the
    /// limits. Paths come depth first from the target up: the target's own registrations, then the paths through
    /// each of its callers in graph order. When a limit cuts the search, a <see cref="CoverageGap"/> saying so is
    /// added to <paramref name="gaps"/>.
    /// </summary>
    public IReadOnlyList<CallPath> To(string function, string file, ICollection<CoverageGap>? gaps = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(file);
        var walk = new Walk(this);
        walk.Up(new NodeKey(file, function), 0);
        if (gaps is not null && walk.Cut() is { } why)
        {
            gaps.Add(new CoverageGap(file, $"call path search to {function}() stopped: {why}"));
        }

        return walk.Paths;
    }

    /// <summary>The entry registrations of a function: those naming it that resolve to it from their own file.</summary>
    private IEnumerable<Registration> EntriesOf(NodeKey node)
    {
        if (!_entriesByName.TryGetValue(node.Function, out List<Registration>? list))
        {
            yield break;
        }

        foreach (Registration r in list)
        {
            if (_index.Reaches(_index.Resolve(r.File, r.Function), node))
            {
                yield return r;
            }
        }
    }

    /// <summary>The state of one search.</summary>
    private sealed class Walk(CallPathSearch search)
    {
        private readonly List<CallSite> _chain = [];
        private readonly HashSet<NodeKey> _onPath = [];
        private int _steps;
        private bool _depthCut;
        private bool _countCut;
        private bool _stepCut;

        public List<CallPath> Paths { get; } = [];

        private CallPathLimits Limits => search._limits;

        private bool Stopped => _countCut || _stepCut;

        public string? Cut() =>
            _countCut ? $"more than {Limits.MaxPaths} paths"
            : _stepCut ? $"more than {Limits.MaxSteps} functions visited"
            : _depthCut ? $"paths longer than {Limits.MaxDepth} calls"
            : null;

        /// <param name="node">The function reached; <see cref="_chain"/> holds the calls from it down to the target.</param>
        /// <param name="depth">Calls between <paramref name="node"/> and the target.</param>
        public void Up(NodeKey node, int depth)
        {
            if (Stopped)
            {
                return;
            }

            if (++_steps > Limits.MaxSteps)
            {
                _stepCut = true;
                return;
            }

            if (!search._entryDistance.TryGetValue(node.Function, out int distance))
            {
                return; // no entry point above
            }

            if (depth + distance > Limits.MaxDepth)
            {
                _depthCut = true;
                return;
            }

            if (!_onPath.Add(node))
            {
                return;
            }

            foreach (Registration entry in search.EntriesOf(node))
            {
                if (!Add(entry))
                {
                    return;
                }
            }

            if (depth < Limits.MaxDepth && search._index.CallsOf.TryGetValue(node.Function, out List<CallGraph.ResolvedCall>? callers))
            {
                foreach (CallGraph.ResolvedCall caller in callers)
                {
                    if (Stopped)
                    {
                        break;
                    }

                    if (!search._index.Reaches(caller.Callee, node) || Limits.NotThrough?.Invoke(caller.Call, node.File) == true)
                    {
                        continue;
                    }

                    _chain.Add(caller.Call);
                    Up(new NodeKey(caller.Call.File, caller.Call.Caller), depth + 1);
                    _chain.RemoveAt(_chain.Count - 1);
                }
            }

            _onPath.Remove(node);
        }

        private bool Add(Registration entry)
        {
            if (Paths.Count >= Limits.MaxPaths)
            {
                _countCut = true;
                return false;
            }

            var calls = new CallSite[_chain.Count];
            for (int i = 0; i < calls.Length; i++)
            {
                calls[i] = _chain[^(i + 1)];
            }

            Paths.Add(new CallPath(entry, calls));
            return true;
        }
    }
}
