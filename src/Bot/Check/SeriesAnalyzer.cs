using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Check;

/// <summary>
/// The analysis half of the pipeline, shared by <c>check</c> and the bot: the messages of one series
/// -> one call graph -> the rules -> findings tied back to the message that holds each offending line.
/// </summary>
internal sealed class SeriesAnalyzer(AnalysisOptions analysis, GraphOptions? graphOptions = null)
{
    private static readonly string[] CExtensions = [".c", ".h"];

    /// <summary>Analyses <paramref name="parts"/> together, adding to <paramref name="findings"/> and <paramref name="coverage"/>.</summary>
    public void Analyze(IReadOnlyList<MailItem> parts, List<ReportedFinding> findings, List<CoverageEntry> coverage)
    {
        var byOrigin = new Dictionary<string, MailItem>(StringComparer.Ordinal);
        var inputs = new List<GraphInput>(parts.Count);
        foreach (var item in parts)
        {
            string origin = OriginOf(item);
            byOrigin[origin] = item;
            var cFiles = item.Patches.SelectMany(p => p.Diff.Files)
                .Where(f => !f.IsBinary && CExtensions.Contains(Path.GetExtension(f.Path), StringComparer.Ordinal))
                .ToList();
            if (cFiles.Count == 0)
            {
                coverage.Add(new CoverageEntry(item.Subject, "no C in the patch", Bracketed(item.MessageId)));
                continue;
            }

            inputs.Add(new GraphInput(origin, cFiles));
        }

        if (inputs.Count == 0)
        {
            return;
        }

        var graph = CallGraphBuilder.Build(inputs, graphOptions);
        var result = Analyzer.Analyze(graph, inputs, analysis);
        foreach (var gap in graph.Gaps)
        {
            byOrigin.TryGetValue(gap.Origin, out var item);
            coverage.Add(new CoverageEntry(gap.Line is int l ? $"{gap.File}:{l}" : gap.File, gap.Reason, Bracketed(item?.MessageId)));
        }

        foreach (var note in result.Notes)
        {
            byOrigin.TryGetValue(note.Origin, out var item);
            coverage.Add(new CoverageEntry(note.Line is int l ? $"{note.File}:{l}" : note.File, note.Message, Bracketed(item?.MessageId)));
        }

        foreach (var finding in result.Findings)
        {
            byOrigin.TryGetValue(finding.Origin, out var item);
            findings.Add(new ReportedFinding(
                finding,
                Bracketed(item?.MessageId),
                item is null || item.Subject.Length == 0 ? null : item.Subject,
                item is null ? null : SourceLine(item, finding.File, finding.Line)));
        }
    }

    /// <summary>The key that ties graph nodes and findings back to their message.</summary>
    public static string OriginOf(MailItem item) =>
        item.MessageId ?? $"{item.Source}#{item.Ordinal}";

    public static string? Bracketed(string? messageId) => messageId is null ? null : $"<{messageId}>";

    private static string? SourceLine(MailItem item, string file, int line)
    {
        foreach (var patch in item.Patches)
        {
            foreach (var f in patch.Diff.Files)
            {
                if (f.Path != file)
                {
                    continue;
                }

                foreach (var hunk in f.Hunks)
                {
                    foreach (var l in hunk.Lines)
                    {
                        if (l.Kind != DiffLineKind.Removed && l.NewLine == line)
                        {
                            return l.Text;
                        }
                    }
                }
            }
        }

        return null;
    }
}
