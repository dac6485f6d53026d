using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>
/// What the four enumeration-order rules (ASPM, MPS, ACS, capability init) share: which paths an effect judges,
/// calls a patch only moved into a helper, and calls on the path that enumerate or IOMMU-probe the existing devices.
/// </summary>
internal static class EnumerationOrder
{
    /// <summary>The shortest path the effect judges that fails in every scenario, moved calls left out.</summary>
    public static PathVerdict? LateEverywhere(SiteReplay replay, RuleContext context)
    {
        var effect = context.Model.Effect(replay.Site.Effect);
        return replay.Paths
            .Where(p => effect.Judges(p.Entry) && p.FailsIn(replay.ScenarioCount) && !IsMoved(replay.Site, p, context.Graph))
            .OrderBy(p => p.Calls.Count)
            .FirstOrDefault();
    }

    /// <summary>The site moved to the first added registration line of a judged, failing path (registration-only sites).</summary>
    public static EffectSite Anchored(SiteReplay replay, RuleContext context)
    {
        var effect = context.Model.Effect(replay.Site.Effect);
        return DmaAliasPaths.Anchored(replay.Site, replay, p => effect.Judges(p.Entry) && p.FailsIn(replay.ScenarioCount));
    }

    /// <summary>
    /// Anchoring convention: a call the patch removes from a function on the path (the entry or a caller on the
    /// way) and adds, with the same arguments, to a helper called from there is moved, not new.
    /// </summary>
    public static bool IsMoved(EffectSite site, PathVerdict path, CallGraph graph)
    {
        if (site.Call is not { } call)
        {
            return false;
        }

        var callers = new HashSet<string>(path.Calls.Select(c => c.Caller), StringComparer.Ordinal) { path.Entry.Function };
        callers.Remove(site.Function);
        var args = string.Join(",", call.Arguments.Select(BoundDevice.Normalize));
        return graph.Calls.Any(c => c.LineKind == DiffLineKind.Removed
            && string.Equals(c.Callee, call.Callee, StringComparison.Ordinal)
            && string.Equals(c.File, call.File, StringComparison.Ordinal)
            && string.Equals(c.Origin, call.Origin, StringComparison.Ordinal)
            && callers.Contains(c.Caller)
            && string.Equals(string.Join(",", c.Arguments.Select(BoundDevice.Normalize)), args, StringComparison.Ordinal));
    }

    /// <summary>
    /// The first call on the path, before the site, after which the existing devices have passed the effect's event
    /// (an enumeration call of the model, reached directly or through a function the graph shows): the chain from
    /// the function holding it down to the enumeration call, or null.
    /// </summary>
    public static IReadOnlyList<string>? EnumeratedBefore(PathVerdict path, EffectSite site, RuleContext context)
    {
        var model = context.Model;
        var consumer = site.Event ?? model.Effect(site.Effect).ConsumedBy;
        bool Late(EnumerationCallEntry e) => model.Scenarios.All(s => model.Position(s, e.Event) >= model.Position(s, consumer));

        for (var k = 0; k <= path.Calls.Count; k++)
        {
            var (function, file, point) = k < path.Calls.Count
                ? (k == 0 ? path.Entry.Function : path.Calls[k - 1].Callee, path.Calls[k].File, path.Calls[k].Line)
                : (site.Function, site.File, site.Line);
            foreach (var call in context.Walker.CallsIn(function, file).Where(c => c.Line < point).OrderBy(c => c.Line))
            {
                if (model.EnumerationCall(call.Callee) is { } direct && Late(direct))
                {
                    return [function, direct.Function];
                }

                var callee = context.Walker.Resolve(call.Callee, call.File);
                if (callee is null)
                {
                    continue;
                }

                var below = context.Walker.Down(callee.Name, callee.File,
                    (f, _) => model.EnumerationCall(f) is { } e && Late(e) ? [] : null);
                if (below is { Count: > 0 })
                {
                    return [function, callee.Name, .. below];
                }
            }
        }

        return null;
    }
}

/// <summary>
/// The names that denote a fixup's own pci_dev in the last function of a path: the hook's parameter, passed down
/// the path's calls, and local aliases of it ("struct pci_dev *p = dev;"). The parent bridge, function 0 or a
/// physfn are other devices.
/// </summary>
internal sealed class FixupDevice
{
    private static readonly string[] Conventional = ["dev", "pdev"];

    private readonly HashSet<string> names;

    private FixupDevice(HashSet<string> names)
    {
        this.names = names;
    }

    public static FixupDevice Along(PathVerdict path, RuleContext context)
    {
        var walker = context.Walker;
        var entryFile = path.Calls.Count > 0 ? path.Calls[0].File : path.Entry.File;
        var entry = walker.Find(path.Entry.Function, entryFile) ?? walker.Resolve(path.Entry.Function, path.Entry.File);
        var names = entry is { ParameterNames.Count: > 0 } && entry.ParameterNames[0].Length > 0
            ? new HashSet<string>(StringComparer.Ordinal) { entry.ParameterNames[0] }
            : new HashSet<string>(Conventional, StringComparer.Ordinal);
        CloseOver(context.Graph, path.Entry.Function, entryFile, names);
        foreach (var call in path.Calls)
        {
            var callee = walker.Resolve(call.Callee, call.File);
            if (callee is not { ParameterNames.Count: > 0 })
            {
                continue; // the callee's header is not visible: keep the names
            }

            var next = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < call.Arguments.Count && i < callee.ParameterNames.Count; i++)
            {
                if (names.Contains(BoundDevice.Normalize(call.Arguments[i])) && callee.ParameterNames[i].Length > 0)
                {
                    next.Add(callee.ParameterNames[i]);
                }
            }

            CloseOver(context.Graph, callee.Name, callee.File, next);
            names = next;
        }

        return new FixupDevice(names);
    }

    /// <summary>Whether <paramref name="expression"/> is the fixup's own device.</summary>
    public bool Is(string expression) => names.Contains(BoundDevice.Normalize(expression));

    /// <summary>The variable a member access starts from: "dev" for "dev->pcie_mpss"; empty when it is not a plain variable.</summary>
    public static string BaseOf(string target, string member)
    {
        var t = BoundDevice.Normalize(target);
        var suffix = "->" + member;
        if (!t.EndsWith(suffix, StringComparison.Ordinal))
        {
            return string.Empty;
        }

        var b = t[..^suffix.Length];
        return b.Length > 0 && b.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? b : string.Empty;
    }

    private static void CloseOver(CallGraph graph, string function, string file, HashSet<string> names)
    {
        var aliases = graph.Assignments
            .Where(a => a.LineKind != DiffLineKind.Removed && a.Operator == "="
                && string.Equals(a.Function, function, StringComparison.Ordinal)
                && string.Equals(a.File, file, StringComparison.Ordinal))
            .ToList();
        bool changed;
        do
        {
            changed = false;
            foreach (var a in aliases)
            {
                var target = BoundDevice.Normalize(a.Target);
                if (target.Length > 0 && target.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && names.Contains(BoundDevice.Normalize(a.Value)))
                {
                    changed |= names.Add(target);
                }
            }
        }
        while (changed);
    }
}
