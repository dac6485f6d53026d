using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;

namespace PatchBot.Rules.Replay;

/// <summary>
/// The elements of call paths that a patch adds: calls and registrations on added lines that are new, not moved.
/// An added call of a function counts only past the number of calls of that function the same caller loses
/// ("-foo(a);" "+foo(a, 1);" is a changed call, anchoring rule 4), and an added registration only when the file
/// does not lose the same registration of the same function (a moved or reformatted <c>.probe =</c> line).
/// </summary>
internal sealed class AddedElements
{
    private readonly HashSet<CallSite> _calls = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Registration> _registrations = new(ReferenceEqualityComparer.Instance);

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
    }

    /// <summary>The patch adds at least one call or registration.</summary>
    public bool Any => _calls.Count > 0 || _registrations.Count > 0;

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
        }

        return null;
    }
}
