using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Catalog;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules;

/// <summary>
/// Replays a patch's call graph against the kernel lifecycle model and runs the rules: the entry point
/// of the Rules library.
/// </summary>
public static class Analyzer
{
    /// <summary>
    /// Whether a registration makes its function an entry point: the lifecycle model places its role on the
    /// timeline. The entry definition of every call path query (<see cref="CallGraph.PathsFrom"/>) PatchBot makes.
    /// </summary>
    public static bool IsEntryPoint(Registration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return LifecycleModel.Default.IsEntryPoint(registration);
    }

    /// <summary>
    /// Finds every effect the patches add (an added call or field write, or an added registration of a handler
    /// with the effect), walks back to each entry point, places it on every scenario's timeline and lets the
    /// rules judge it.
    /// </summary>
    /// <param name="graph">The call graph of the inputs (and, in tree mode, of the files they touch).</param>
    /// <param name="inputs">The patches the graph was built from: used for the text of lines (inline suppression).</param>
    public static AnalysisResult Analyze(CallGraph graph, IReadOnlyList<GraphInput> inputs, AnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= AnalysisOptions.Default;
        var config = options.Config ?? Config.PatchBotConfig.Empty;
        var model = LifecycleModel.Default;

        var rules = RuleCatalog.Rules.Where(r => config.IsEnabled(r.Metadata.Id) && r.IsRelevant(graph)).ToList();
        if (rules.Count == 0)
        {
            return new AnalysisResult([], [], []);
        }

        var walker = new CallWalker(graph, model, options.CallPaths);
        var finder = new EffectFinder(graph, model, walker);
        var replayer = new Replayer(model, walker);
        var context = new RuleContext(model, walker, graph);

        var effects = rules.Select(r => r.Effect).ToHashSet();
        var sites = finder.Direct(effects);
        var registrationOnly = rules.Where(r => r.ReportsRegistrationOnly).Select(r => r.Effect).ToHashSet();
        var completed = finder.Completed(effects, sites, registrationOnly);
        foreach (var effect in registrationOnly)
        {
            sites.AddRange(finder.RegistrationOnly(effect, sites));
        }

        sites.AddRange(completed);

        var findings = new List<Finding>();
        var notes = new List<CoverageNote>();
        foreach (var site in sites)
        {
            var replay = replayer.Replay(site);
            // Effects judged only from some entry points (quirks, a PCI driver's callbacks) are mostly used elsewhere by
            // design (drivers read dev->irq, call pci_save_state()): a site no entry reaches is not worth a note there.
            if (site.Kind != SiteKind.Registration && site.Anchor is null && replay.Paths.Count == 0
                && model.Effect(site.Effect).Entries is null)
            {
                notes.Add(new CoverageNote(site.File, site.Function, site.Line,
                    $"{site.Function}: no caller in the patch reaches {Narration.What(site)}; run with --tree", site.Origin));
            }

            foreach (var rule in rules.Where(r => r.Effect == site.Effect && (site.Anchor is null || !r.Metadata.OnlyAddedCalls)))
            {
                if (rule.Evaluate(replay, context) is { } finding)
                {
                    findings.Add(finding with { Severity = config.SeverityOf(finding.Rule, finding.Severity) });
                }
            }
        }

        // A path end is reported once: where the patch adds its effect or registration when it does, else at the
        // anchor of its shortest trace.
        var repeated = findings
            .GroupBy(f => (f.Rule, f.PathEnd))
            .Where(g => g.Key.PathEnd.Length > 0 && g.Any(f => f.CompletesPath))
            .SelectMany(g => g.Any(f => !f.CompletesPath)
                ? g.Where(f => f.CompletesPath)
                : g.OrderBy(f => f.Trace.Count).ThenBy(f => f.Origin, StringComparer.Ordinal)
                    .ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).Skip(1))
            .ToHashSet(ReferenceEqualityComparer.Instance);
        findings.RemoveAll(repeated.Contains);

        var suppressed = new List<Finding>();
        if (options.InlineSuppression)
        {
            var suppression = new InlineSuppression(inputs, graph.Functions);
            suppressed.AddRange(findings.Where(suppression.Suppresses));
            findings.RemoveAll(suppressed.Contains);
        }

        // One finding per rule and line, whatever the number of sites that landed there.
        var unique = findings
            .GroupBy(f => (f.Rule, f.File, f.Line, f.Origin))
            .Select(g => g.First())
            .OrderBy(f => f.Origin, StringComparer.Ordinal)
            .ThenBy(f => f.File, StringComparer.Ordinal)
            .ThenBy(f => f.Line)
            .ThenBy(f => f.Rule, StringComparer.Ordinal)
            .ToList();
        var uniqueNotes = notes.Distinct().OrderBy(n => n.File, StringComparer.Ordinal).ThenBy(n => n.Line).ToList();
        return new AnalysisResult(unique, uniqueNotes, suppressed);
    }
}
