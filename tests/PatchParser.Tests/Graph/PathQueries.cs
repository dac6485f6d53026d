using PatchBot.PatchParser.Graph;
using PatchBot.Rules;

namespace PatchBot.PatchParser.Tests;

/// <summary>The call path query as the rules make it: their entry points, default or given limits.</summary>
internal static class PathQueries
{
    public static IReadOnlyList<CallPath> PathsTo(this CallGraph graph, string function, string file, ICollection<CoverageGap>? gaps = null, CallPathLimits? limits = null) =>
        graph.PathsFrom(Analyzer.IsEntryPoint, limits).To(function, file, gaps);
}
