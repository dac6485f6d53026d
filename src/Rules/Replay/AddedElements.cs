using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;

namespace PatchBot.Rules.Replay;

/// <summary>
/// The elements of call paths that a patch adds: calls and registrations on added lines that are new, not moved.
/// An added call of a function counts only past the number of calls of that function the same caller loses
/// ("-foo(a);" "+foo(a, 1);" is a changed call, anchoring rule 4), and an added registration only when the file
/// does not lose the same registration of the same function (a moved or reformatted <c>.probe =</c> line); likewise an
/// added slot of a driver's own ops table (<c>.setup = foo_setup</c>), through which a call on the path goes.
/// </summary>
internal sealed class AddedElements
{
    private readonly HashSet<CallSite> _calls = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Registration> _registrations = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(string File, string Function), OpsSlot> _slots = [];

    public AddedElements(CallGraph graph)
    {
        foreach (var group in graph.Calls.GroupBy(c => (c.File, c.Caller, c.Callee)))
        {
            var removed = group.Count(c => c.LineKind == DiffLineKind.Removed);
            foreach (var call in group.Where(c => c.LineKind == DiffLineKind.Added).OrderBy(c => c.Line).Skip(removed))
            {
                _calls.Add(call);
            }
        }

        var lost = graph.Registrations
            .Where(r => r.LineKind == DiffLineKind.Removed)
            .Select(r => (r.File, r.Function, r.Role))
            .ToHashSet();
        foreach (var r in graph.Registrations)
        {
            if (r.LineKind != DiffLineKind.Removed && EffectFinder.Anchor(r) is not null && !lost.Contains((r.File, r.Function, r.Role)))
            {
                _registrations.Add(r);
            }
        }

        var lostSlots = graph.OpsSlots
            .Where(s => s.LineKind == DiffLineKind.Removed)
            .Select(s => (s.File, s.StructType, s.Member, s.Function))
            .ToHashSet();
        foreach (var slot in graph.OpsSlots)
        {
            if (slot.LineKind == DiffLineKind.Added && !lostSlots.Contains((slot.File, slot.StructType, slot.Member, slot.Function)))
            {
                _slots.TryAdd((slot.File, slot.Function), slot);
            }
        }
    }

    /// <summary>The patch adds at least one call or registration.</summary>
    public bool Any => _calls.Count > 0 || _registrations.Count > 0 || _slots.Count > 0;

    public bool IsAdded(CallSite call) => _calls.Contains(call);

    public bool IsAdded(Registration registration) => _registrations.Contains(registration);

    /// <summary>
    /// The first element of <paramref name="path"/> the patch adds, counting from the entry: its registration, then
    /// each call down to the target. Null when the path has no added element.
    /// </summary>
    public SiteAnchor? First(CallPath path)
    {
        if (IsAdded(path.Entry) && EffectFinder.Anchor(path.Entry) is { } line)
        {
            return new SiteAnchor(path.Entry.File, line, path.Entry.Function, path.Entry.Origin, Registration: path.Entry);
        }

        foreach (var call in path.Calls)
        {
            if (IsAdded(call))
            {
                return new SiteAnchor(call.File, call.Line, call.Caller, call.Origin, Call: call);
            }

            // A call through a member resolves to the function an ops table stores (CalleeFile): the added slot is the edge.
            if (call.CalleeFile is { } file && _slots.TryGetValue((file, call.Callee), out var slot))
            {
                return new SiteAnchor(slot.File, slot.Line, slot.Function, slot.Origin, Call: call, Slot: slot);
            }
        }

        return null;
    }
}
