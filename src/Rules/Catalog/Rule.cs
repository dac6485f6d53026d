using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>What a rule sees when it judges one replayed effect site.</summary>
internal sealed record RuleContext(LifecycleModel Model, CallWalker Walker, CallGraph Graph);

/// <summary>
/// A stateless rule: its metadata, the effect it judges, and the judgement of one replayed site
/// (at most one finding per site, so one finding per call line).
/// </summary>
internal abstract class Rule
{
    public abstract RuleMetadata Metadata { get; }

    /// <summary>The kernel effect whose sites this rule judges.</summary>
    public abstract KernelEffect Effect { get; }

    /// <summary>Registration-only patches (corpus anchoring rule 3) produce sites for this rule.</summary>
    public virtual bool ReportsRegistrationOnly => false;

    /// <summary>The finding for a site, at the rule's default severity, or null.</summary>
    public abstract Finding? Evaluate(SiteReplay replay, RuleContext context);

    /// <summary>Whether the graph holds anything <see cref="RuleMetadata.Needs"/> names, on an added line.</summary>
    public bool IsRelevant(CallGraph graph)
    {
        var needs = Metadata.Needs;
        if (graph.Calls.Any(c => c.LineKind == DiffLineKind.Added && needs.Callees.Contains(c.Callee, StringComparer.Ordinal)))
        {
            return true;
        }

        if (needs.Fields.Count > 0 && graph.Assignments.Any(a => a.LineKind == DiffLineKind.Added
                && needs.Fields.Any(f => a.Target.Contains(f, StringComparison.Ordinal) || a.Value.Contains(f, StringComparison.Ordinal))))
        {
            return true;
        }

        if (needs.ReadFields is { Count: > 0 } reads && graph.FieldAccesses.Any(a => a.LineKind == DiffLineKind.Added
                && reads.Any(f => a.Member == f || a.Member.StartsWith(f + ".", StringComparison.Ordinal))))
        {
            return true;
        }

        return graph.Registrations.Any(r => EffectFinder.Anchor(r) is not null
            && r.LineKind != DiffLineKind.Removed
            && (needs.AnyRegistration || needs.Registrations.Contains(r.Function, StringComparer.Ordinal)));
    }

    /// <summary>The needs of a rule about <paramref name="effect"/>, read from the model.</summary>
    protected static RuleNeeds NeedsFor(KernelEffect effect, bool registrations, Func<ApiEntry, bool>? apiFilter = null)
    {
        var model = LifecycleModel.Default;
        var callees = model.ApisWith(effect).Where(apiFilter ?? (_ => true)).Select(a => a.Function).Distinct(StringComparer.Ordinal).ToList();
        var fields = apiFilter is not null
            ? []
            : model.Document.FieldWrites.Where(f => f.Effect == effect).Select(f => f.Field ?? f.ValueMentions!).ToList();
        var handlers = registrations
            ? model.Document.MainlineFunctions.Where(f => f.Effect == effect).Select(f => f.Function).ToList()
            : [];
        var reads = (model.Document.FieldReads ?? []).Where(f => f.Effect == effect).Select(f => f.Field).ToList();
        return new RuleNeeds(callees, fields, handlers, registrations, reads.Count > 0 ? reads : null);
    }

    protected Finding NewFinding(EffectSite site, string message, string explanation, string fix, IReadOnlyList<string> trace, IReadOnlyList<string> scenarios) =>
        new(Metadata.Id, Metadata.DefaultSeverity, site.File, site.Line, site.Function, message, explanation, fix, trace, scenarios, site.Origin);
}
