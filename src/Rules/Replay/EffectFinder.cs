using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.Rules.Replay;

/// <summary>
/// Finds the places where a patch adds an effect: added calls and field writes (corpus anchoring rules 1, 2
/// and 4), added registrations of handlers that have the effect without an added line of their own
/// (rule 3), and effects already there whose path from an entry point the patch completes (rule 7).
/// </summary>
internal sealed class EffectFinder
{
    private readonly CallGraph graph;
    private readonly LifecycleModel model;
    private readonly CallWalker walker;

    public EffectFinder(CallGraph graph, LifecycleModel model, CallWalker walker)
    {
        this.graph = graph;
        this.model = model;
        this.walker = walker;
    }

    /// <summary>Added calls and field writes with one of <paramref name="effects"/>, refactors and exempt files left out.</summary>
    public List<EffectSite> Direct(IReadOnlySet<KernelEffect> effects)
    {
        var sites = new List<EffectSite>();
        foreach (var group in graph.Calls.GroupBy(c => (c.File, c.Caller, c.Callee)))
        {
            var removed = group.Count(c => c.LineKind == DiffLineKind.Removed);
            foreach (var call in group.Where(c => c.LineKind == DiffLineKind.Added).OrderBy(c => c.Line))
            {
                if (ApiOf(call) is not { } api || !effects.Contains(api.Effect))
                {
                    continue;
                }

                // Anchoring rule 4: "-foo(a);" "+foo(a, 1);" in the same function only changes the arguments.
                if (removed > 0)
                {
                    removed--;
                    continue;
                }

                if (model.Exemption(call.File, api.Effect) is not null)
                {
                    continue;
                }

                sites.Add(new EffectSite(api.Effect, SiteKind.Call, call.File, call.Line, call.Caller, call.Callee, call.Origin,
                    [call.Callee], Call: call, Api: api, Event: api.Event));
            }
        }

        foreach (var group in graph.Assignments.GroupBy(a => (a.File, a.Function, a.Target)))
        {
            var removed = group.Count(a => a.LineKind == DiffLineKind.Removed && model.EffectOf(a) is not null);
            foreach (var assignment in group.Where(a => a.LineKind == DiffLineKind.Added).OrderBy(a => a.Line))
            {
                if (model.EffectOf(assignment) is not { } effect || !effects.Contains(effect.Effect))
                {
                    continue;
                }

                if (removed > 0)
                {
                    removed--;
                    continue;
                }

                if (model.Exemption(assignment.File, effect.Effect) is not null)
                {
                    continue;
                }

                var label = $"{assignment.Target} {assignment.Operator} {assignment.Value}";
                sites.Add(new EffectSite(effect.Effect, SiteKind.FieldWrite, assignment.File, assignment.Line, assignment.Function,
                    assignment.Target, assignment.Origin, [label], Assignment: assignment, Event: effect.Entry.Event));
            }
        }

        // Reads of fields that some event sets up: one group per function and member, re-wrapped reads left out.
        var reads = (model.Document.FieldReads ?? []).Any(r => effects.Contains(r.Effect)) ? graph.FieldAccesses : [];
        foreach (var group in reads.Where(a => !a.Write).GroupBy(a => (a.File, a.Function, a.Member)))
        {
            if (model.FieldRead(group.Key.Member) is not { } read || !effects.Contains(read.Effect)
                || model.Exemption(group.Key.File, read.Effect) is not null)
            {
                continue;
            }

            var removed = group.Count(a => a.LineKind == DiffLineKind.Removed);
            foreach (var access in group.Where(a => a.LineKind == DiffLineKind.Added).OrderBy(a => a.Line))
            {
                if (removed > 0)
                {
                    removed--;
                    continue;
                }

                var label = $"{access.Base}->{access.Member.Replace(".", "->", StringComparison.Ordinal)}";
                sites.Add(new EffectSite(read.Effect, SiteKind.FieldRead, access.File, access.Line, access.Function, access.Member,
                    access.Origin, [label], Access: access, Event: read.Event));
            }
        }

        return sites;
    }

    /// <summary>
    /// Registration-only sites: added registrations (the DECLARE line, or the wrapper's #define line when it is
    /// added) of a handler that has <paramref name="effect"/> but no added line with it. One site per handler,
    /// file and input.
    /// </summary>
    public List<EffectSite> RegistrationOnly(KernelEffect effect, IReadOnlyList<EffectSite> direct)
    {
        var addedIn = direct.Where(s => s.Effect == effect)
            .GroupBy(s => (s.Function, s.File))
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Line).First());
        var sites = new List<EffectSite>();
        var candidates = graph.Registrations
            .Where(r => r.LineKind != DiffLineKind.Removed && model.EventOf(r) is not null && Anchor(r) is not null)
            .GroupBy(r => (r.Function, r.File, r.Origin));
        foreach (var group in candidates)
        {
            var (handler, file, origin) = group.Key;
            if (model.Exemption(file, effect) is not null)
            {
                continue;
            }

            var handlerFile = (walker.Find(handler, file) ?? walker.Resolve(handler, file))?.File ?? file;
            var added = walker.Down(handler, handlerFile,
                (f, fl) => addedIn.TryGetValue((f, fl), out var s) ? s.Down : null);
            if (added is not null)
            {
                continue; // anchoring rule 2: the finding is at the added call
            }

            var down = walker.Down(handler, handlerFile, (f, fl) => EffectIn(f, fl, effect));
            if (down is null)
            {
                continue; // anchoring rule 5: a late fixup that adds nothing
            }

            var anchored = group.Select(r => new AnchoredRegistration(r, Anchor(r)!.Value)).OrderBy(a => a.Line).ToList();
            sites.Add(new EffectSite(effect, SiteKind.Registration, file, anchored[0].Line, handler, down[^1], origin, down,
                Registrations: anchored));
        }

        return sites;
    }

    /// <summary>
    /// Path-completed sites (corpus anchoring rule 7): effects on lines the patch does not add (context, or a call changed in place) whose
    /// path from an entry point holds an element the patch adds: a call on the path, or the registration of the
    /// entry. One site per effect and anchor (the first added element counting from the entry), holding the paths
    /// that share it. Paths whose entry registration is added are left to the registration-only sites when
    /// <paramref name="registrationOnly"/> holds the effect (corpus anchoring rule 3).
    /// </summary>
    /// <param name="direct">The sites of added effect lines (<see cref="Direct"/>): their lines are anchors of their own.</param>
    public List<EffectSite> Completed(IReadOnlySet<KernelEffect> effects, IReadOnlyList<EffectSite> direct, IReadOnlySet<KernelEffect> registrationOnly)
    {
        var sites = new List<EffectSite>();
        var added = new AddedElements(graph);
        if (!added.Any)
        {
            return sites;
        }

        var directCalls = direct.Select(s => s.Call).OfType<CallSite>().ToHashSet(ReferenceEqualityComparer.Instance);
        var directWrites = direct.Select(s => s.Assignment).OfType<Assignment>().ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var call in graph.Calls)
        {
            if (call.LineKind == DiffLineKind.Removed || directCalls.Contains(call)
                || ApiOf(call) is not { } api || !effects.Contains(api.Effect) || model.Exemption(call.File, api.Effect) is not null)
            {
                continue;
            }

            var site = new EffectSite(api.Effect, SiteKind.Call, call.File, call.Line, call.Caller, call.Callee, call.Origin,
                [call.Callee], Call: call, Api: api);
            sites.AddRange(Anchored(site, added, registrationOnly.Contains(api.Effect)));
        }

        foreach (var assignment in graph.Assignments)
        {
            if (assignment.LineKind == DiffLineKind.Removed || directWrites.Contains(assignment)
                || model.EffectOf(assignment) is not { } effect || !effects.Contains(effect.Effect)
                || model.Exemption(assignment.File, effect.Effect) is not null)
            {
                continue;
            }

            var label = $"{assignment.Target} {assignment.Operator} {assignment.Value}";
            var site = new EffectSite(effect.Effect, SiteKind.FieldWrite, assignment.File, assignment.Line, assignment.Function,
                assignment.Target, assignment.Origin, [label], Assignment: assignment);
            sites.AddRange(Anchored(site, added, registrationOnly.Contains(effect.Effect)));
        }

        return sites;
    }

    /// <summary>The site once per anchor line, with the paths whose first added element is on that line.</summary>
    private IEnumerable<EffectSite> Anchored(EffectSite site, AddedElements added, bool registrationsElsewhere)
    {
        var byLine = new Dictionary<(string File, int Line, string Origin), (SiteAnchor Anchor, List<CallPath> Paths)>();
        foreach (var path in walker.PathsTo(site.Function, site.File))
        {
            if (added.First(path) is not { } anchor || (registrationsElsewhere && anchor.Registration is not null))
            {
                continue;
            }

            var key = (anchor.File, anchor.Line, anchor.Origin);
            if (!byLine.TryGetValue(key, out var group))
            {
                byLine[key] = group = (anchor, []);
            }

            group.Paths.Add(path);
        }

        return byLine.Values.Select(g => site with { Anchor = g.Anchor, Paths = g.Paths });
    }

    /// <summary>The added line that makes a registration new: the #define's DECLARE line when added, else the registering line.</summary>
    internal static int? Anchor(Registration r)
    {
        if (r.Inferred)
        {
            return null; // a role guessed from a signature is not a line the patch adds
        }

        if (r.DefinitionLineKind == DiffLineKind.Added && r.DefinitionLine is { } definition)
        {
            return definition;
        }

        return r.LineKind == DiffLineKind.Added && r.Line > 0 ? r.Line : null;
    }

    private ApiEntry? ApiOf(CallSite call)
    {
        foreach (var api in model.ApisNamed(call.Callee))
        {
            if (api.ArgumentMentions is null || call.Arguments.Any(a => a.Contains(api.ArgumentMentions, StringComparison.Ordinal)))
            {
                return api;
            }
        }

        return null;
    }

    /// <summary>Labels for an effect in a function's visible body (any line that is not removed), or known mainline behaviour.</summary>
    private string[]? EffectIn(string function, string file, KernelEffect effect)
    {
        foreach (var call in walker.CallsIn(function, file))
        {
            if (ApiOf(call) is { } api && api.Effect == effect)
            {
                return [call.Callee];
            }
        }

        foreach (var a in graph.Assignments)
        {
            if (a.LineKind != DiffLineKind.Removed
                && string.Equals(a.Function, function, StringComparison.Ordinal)
                && string.Equals(a.File, file, StringComparison.Ordinal)
                && model.EffectOf(a) is { } e && e.Effect == effect)
            {
                return [$"{a.Target} {a.Operator} {a.Value}"];
            }
        }

        if (model.MainlineFunction(function) is { } mainline && mainline.Effect == effect)
        {
            var how = mainline.How;
            var paren = how.IndexOf('(', StringComparison.Ordinal);
            return [paren > 0 && how.AsSpan(0, paren).IndexOfAny(" -|=") < 0 ? how[..paren] : how];
        }

        return null;
    }
}
