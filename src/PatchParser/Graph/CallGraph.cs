using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Graph;

/// <summary>
/// Functions, calls, registrations and assignments read from one or more patches (and, in tree mode,
/// from the files they touch). Immutable once built.
/// </summary>
/// <remarks>
/// One callee resolution serves every query: a call of <c>name</c> from a file reaches the function of that name
/// in the same file (static or not), else a non-static function of that name anywhere, else nothing in the graph
/// (the callee is then known by name only). Removed definitions and removed calls are not part of the post-image
/// and are not followed.
/// </remarks>
public sealed class CallGraph
{
    private readonly Lazy<Index> _index;

    public CallGraph(
        IReadOnlyList<FunctionNode> functions,
        IReadOnlyList<CallSite> calls,
        IReadOnlyList<Registration> registrations,
        IReadOnlyList<Assignment> assignments,
        IReadOnlyList<CoverageGap> gaps,
        IReadOnlyList<FieldAccess>? fieldAccesses = null,
        IReadOnlyList<OpsSlot>? opsSlots = null)
    {
        Functions = functions;
        Calls = calls;
        Registrations = registrations;
        Assignments = assignments;
        Gaps = gaps;
        FieldAccesses = fieldAccesses ?? [];
        OpsSlots = opsSlots ?? [];
        _index = new Lazy<Index>(() => new Index(this));
    }

    public IReadOnlyList<FunctionNode> Functions { get; }

    public IReadOnlyList<CallSite> Calls { get; }

    public IReadOnlyList<Registration> Registrations { get; }

    public IReadOnlyList<Assignment> Assignments { get; }

    public IReadOnlyList<CoverageGap> Gaps { get; }

    /// <summary>Member accesses through a pointer (<c>dev-&gt;pm_cap</c>), reads and writes.</summary>
    public IReadOnlyList<FieldAccess> FieldAccesses { get; }

    /// <summary>Functions stored in members of driver-private ops tables (calls through them are in <see cref="Calls"/>).</summary>
    public IReadOnlyList<OpsSlot> OpsSlots { get; }

    /// <summary>The definition (not removed) of <paramref name="function"/> in <paramref name="file"/>, if the graph has it.</summary>
    public FunctionNode? Find(string function, string file) =>
        _index.Value.Nodes.GetValueOrDefault(new NodeKey(file, function));

    /// <summary>The definition a call of <paramref name="callee"/> from <paramref name="fromFile"/> reaches, if the graph has it.</summary>
    public FunctionNode? Resolve(string callee, string fromFile)
    {
        Index index = _index.Value;
        return index.Nodes.GetValueOrDefault(index.Resolve(fromFile, callee));
    }

    /// <summary>The definition <paramref name="call"/> reaches: through an ops table, the stored function; else as <see cref="Resolve"/>.</summary>
    public FunctionNode? ResolveCall(CallSite call)
    {
        ArgumentNullException.ThrowIfNull(call);
        Index index = _index.Value;
        return index.Nodes.GetValueOrDefault(index.Resolve(call));
    }

    /// <summary>The call sites (not removed) in the body of <paramref name="function"/> in <paramref name="file"/>, in graph order.</summary>
    public IReadOnlyList<CallSite> CallsIn(string function, string file) =>
        _index.Value.CallsBy.TryGetValue(new NodeKey(file, function), out List<CallSite>? calls) ? calls : [];

    /// <summary>
    /// The call path query: every acyclic path from an entry point down to a function. An entry point is a
    /// registration (not removed) that <paramref name="isEntry"/> accepts; the search stays within
    /// <paramref name="limits"/>. Build one search and ask it for as many targets as needed.
    /// </summary>
    public CallPathSearch PathsFrom(Func<Registration, bool> isEntry, CallPathLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(isEntry);
        return new CallPathSearch(this, isEntry, limits ?? CallPathLimits.Default);
    }

    internal Index Indexed => _index.Value;

    /// <summary>A function: file and name; File is empty for a callee with no definition in the graph.</summary>
    internal readonly record struct NodeKey(string File, string Function)
    {
        public bool IsUnresolved => File.Length == 0;
    }

    /// <summary>The graph's lookups, built once on first use.</summary>
    internal sealed class Index
    {
        private readonly Dictionary<string, List<FunctionNode>> _byName = new(StringComparer.Ordinal);

        public Index(CallGraph graph)
        {
            foreach (FunctionNode f in graph.Functions)
            {
                if (f.DefinitionLineKind == DiffLineKind.Removed)
                {
                    continue;
                }

                Nodes.TryAdd(new NodeKey(f.File, f.Name), f);
                Add(_byName, f.Name, f);
            }

            foreach (CallSite call in graph.Calls)
            {
                if (call.LineKind != DiffLineKind.Removed)
                {
                    Add(CallsBy, new NodeKey(call.File, call.Caller), call);
                }
            }

            // Resolved once the callers are known: a caller with calls of its own counts as defined in its file.
            foreach (CallSite call in graph.Calls)
            {
                if (call.LineKind != DiffLineKind.Removed)
                {
                    Add(CallsOf, call.Callee, new ResolvedCall(call, Resolve(call)));
                }
            }
        }

        /// <summary>Definitions that are not removed; the first of a name in a file wins.</summary>
        public Dictionary<NodeKey, FunctionNode> Nodes { get; } = [];

        /// <summary>Caller -> its calls (not removed), in graph order.</summary>
        public Dictionary<NodeKey, List<CallSite>> CallsBy { get; } = [];

        /// <summary>Callee name -> the calls (not removed) of that name with what each resolves to, in graph order.</summary>
        public Dictionary<string, List<ResolvedCall>> CallsOf { get; } = new(StringComparer.Ordinal);

        /// <summary>Same file first (static or not), else a non-static function of that name, else unresolved.</summary>
        public NodeKey Resolve(string fromFile, string name)
        {
            var local = new NodeKey(fromFile, name);
            if (Nodes.ContainsKey(local) || CallsBy.ContainsKey(local))
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

        /// <summary>What <paramref name="call"/> reaches: the file an ops table names, when it defines the callee; else by name.</summary>
        public NodeKey Resolve(CallSite call)
        {
            if (call.CalleeFile is { } file && Nodes.ContainsKey(new NodeKey(file, call.Callee)))
            {
                return new NodeKey(file, call.Callee);
            }

            return Resolve(call.File, call.Callee);
        }

        /// <summary>
        /// Whether a call (or registration) that resolves to <paramref name="resolved"/> reaches <paramref name="node"/>:
        /// it resolves to it, or it resolves nowhere and <paramref name="node"/> is not defined in the graph either
        /// (a function outside the patch is reached by name).
        /// </summary>
        public bool Reaches(NodeKey resolved, NodeKey node) =>
            resolved == node
            || (resolved.IsUnresolved && string.Equals(resolved.Function, node.Function, StringComparison.Ordinal) && !Nodes.ContainsKey(node));

        private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> map, TKey key, TValue value)
            where TKey : notnull
        {
            if (!map.TryGetValue(key, out List<TValue>? list))
            {
                map[key] = list = [];
            }

            list.Add(value);
        }
    }

    internal readonly record struct ResolvedCall(CallSite Call, NodeKey Callee);
}
