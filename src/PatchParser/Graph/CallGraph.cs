using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Graph;

/// <summary>
/// Functions, calls, registrations and assignments read from one or more patches (and, in tree mode,
/// from the files they touch). Immutable once built.
/// </summary>
public sealed class CallGraph
{
    private readonly GraphOptions _options;
    private readonly Lazy<Index> _index;

    public CallGraph(
        IReadOnlyList<FunctionNode> functions,
        IReadOnlyList<CallSite> calls,
        IReadOnlyList<Registration> registrations,
        IReadOnlyList<Assignment> assignments,
        IReadOnlyList<CoverageGap> gaps,
        GraphOptions? options = null)
    {
        Functions = functions;
        Calls = calls;
        Registrations = registrations;
        Assignments = assignments;
        Gaps = gaps;
        _options = options ?? GraphOptions.Default;
        _index = new Lazy<Index>(() => new Index(this));
    }

    public IReadOnlyList<FunctionNode> Functions { get; }

    public IReadOnlyList<CallSite> Calls { get; }

    public IReadOnlyList<Registration> Registrations { get; }

    public IReadOnlyList<Assignment> Assignments { get; }

    public IReadOnlyList<CoverageGap> Gaps { get; }

    /// <summary>
    /// Every acyclic path from an entry point (a function with a registration, seen or inferred) to
    /// <paramref name="function"/> in <paramref name="file"/>, following call sites that are not removed.
    /// </summary>
    public IReadOnlyList<CallPath> PathsTo(string function, string file) => PathsTo(function, file, null);

    /// <summary>
    /// As <see cref="PathsTo(string, string)"/>; when the search is cut by <see cref="GraphOptions.MaxPaths"/> or
    /// <see cref="GraphOptions.MaxDepth"/>, a <see cref="CoverageGap"/> saying so is added to <paramref name="gaps"/>.
    /// An entry point is a function with a registration other than Export or AttributeGroups whose line is not
    /// removed. A call resolves to a static function of the caller's file first, else to a non-static function
    /// of that name; a callee with no node matches the target by name.
    /// </summary>
    public IReadOnlyList<CallPath> PathsTo(string function, string file, ICollection<CoverageGap>? gaps)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(file);
        Index index = _index.Value;
        var target = new NodeKey(file, function);
        var results = new List<CallPath>();
        bool depthCut = false, countCut = false;
        var path = new List<CallSite>();
        var onPath = new HashSet<NodeKey>();

        // Fewest calls from each function down to the target (a lower bound, ignoring cycles): the search skips a
        // function that cannot reach the target within the depth left, so many paths that never reach it are not
        // walked one by one (exponential).
        var toTarget = new Dictionary<NodeKey, int>();
        var queue = new Queue<NodeKey>();
        foreach (NodeKey t in (ReadOnlySpan<NodeKey>)[target, new NodeKey(string.Empty, function)])
        {
            if (toTarget.TryAdd(t, 0))
            {
                queue.Enqueue(t);
            }
        }

        while (queue.Count > 0)
        {
            NodeKey node = queue.Dequeue();
            int next = toTarget[node] + 1;
            if (!index.CallersOf.TryGetValue(node, out List<NodeKey>? callers))
            {
                continue;
            }

            foreach (NodeKey caller in callers)
            {
                if (toTarget.TryAdd(caller, next))
                {
                    queue.Enqueue(caller);
                }
            }
        }

        foreach (Registration entry in Registrations)
        {
            if (entry.Role is RoleKind.Export or RoleKind.AttributeGroups || entry.LineKind == DiffLineKind.Removed)
            {
                continue;
            }

            NodeKey start = index.ResolveEntry(entry);
            if (countCut)
            {
                break;
            }

            path.Clear();
            onPath.Clear();
            Search(start, entry);
        }

        if (gaps is not null && (depthCut || countCut))
        {
            string why = countCut ? $"more than {_options.MaxPaths} paths" : $"paths longer than {_options.MaxDepth} calls";
            gaps.Add(new CoverageGap(file, $"call path search to {function}() stopped: {why}"));
        }

        return results;

        void Search(NodeKey node, Registration entry)
        {
            if (results.Count >= _options.MaxPaths)
            {
                countCut = true;
                return;
            }

            if (node == target || (node.File.Length == 0 && node.Function == function))
            {
                results.Add(new CallPath(entry, [.. path]));
                return;
            }

            if (!toTarget.TryGetValue(node, out int distance))
            {
                return;
            }

            if (path.Count >= _options.MaxDepth || path.Count + distance > _options.MaxDepth)
            {
                depthCut = true;
                return;
            }

            if (!onPath.Add(node) || !index.CallsBy.TryGetValue(node, out List<CallSite>? calls))
            {
                return;
            }

            foreach (CallSite call in calls)
            {
                NodeKey next = index.ResolveCall(call);
                if (onPath.Contains(next))
                {
                    continue;
                }

                path.Add(call);
                Search(next, entry);
                path.RemoveAt(path.Count - 1);
                if (countCut)
                {
                    break;
                }
            }

            onPath.Remove(node);
        }
    }

    /// <summary>A function: file and name; File is empty for a callee with no node (not in the patch).</summary>
    private readonly record struct NodeKey(string File, string Function);

    private sealed class Index
    {
        private readonly Dictionary<NodeKey, FunctionNode> _nodes = [];
        private readonly Dictionary<string, List<FunctionNode>> _byName = new(StringComparer.Ordinal);

        public Index(CallGraph graph)
        {
            foreach (FunctionNode f in graph.Functions)
            {
                if (f.DefinitionLineKind == DiffLineKind.Removed)
                {
                    continue;
                }

                _nodes.TryAdd(new NodeKey(f.File, f.Name), f);
                if (!_byName.TryGetValue(f.Name, out List<FunctionNode>? list))
                {
                    _byName[f.Name] = list = [];
                }

                list.Add(f);
            }

            foreach (CallSite call in graph.Calls)
            {
                if (call.LineKind == DiffLineKind.Removed)
                {
                    continue;
                }

                var caller = new NodeKey(call.File, call.Caller);
                if (!CallsBy.TryGetValue(caller, out List<CallSite>? list))
                {
                    CallsBy[caller] = list = [];
                }

                list.Add(call);
            }

            foreach ((NodeKey caller, List<CallSite> calls) in CallsBy)
            {
                foreach (CallSite call in calls)
                {
                    NodeKey callee = ResolveCall(call);
                    if (!CallersOf.TryGetValue(callee, out List<NodeKey>? list))
                    {
                        CallersOf[callee] = list = [];
                    }

                    list.Add(caller);
                }
            }
        }

        public Dictionary<NodeKey, List<CallSite>> CallsBy { get; } = [];

        /// <summary>Callee (resolved) -> the functions that call it.</summary>
        public Dictionary<NodeKey, List<NodeKey>> CallersOf { get; } = [];

        public NodeKey ResolveCall(CallSite call) => Resolve(call.File, call.Callee);

        public NodeKey ResolveEntry(Registration r) => Resolve(r.File, r.Function);

        /// <summary>Same file first (static or not), else a non-static function of that name, else unresolved.</summary>
        private NodeKey Resolve(string file, string name)
        {
            var local = new NodeKey(file, name);
            if (_nodes.ContainsKey(local) || CallsBy.ContainsKey(local))
            {
                return local;
            }

            if (_byName.TryGetValue(name, out List<FunctionNode>? list))
            {
                foreach (FunctionNode f in list)
                {
                    if (!f.IsStatic)
                    {
                        return new NodeKey(f.File, f.Name);
                    }
                }
            }

            return new NodeKey(string.Empty, name);
        }
    }
}
