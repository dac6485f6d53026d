using PatchBot.Bot.Inputs;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Check;

/// <summary>
/// The <c>check</c> pipeline: inputs -> messages -> patches -> series -> call graphs -> findings.
/// One input that cannot be read is reported and the others are still checked.
/// </summary>
internal sealed class CheckRunner(CheckSettings settings, AnalysisOptions analysis)
{
    private static readonly string[] CExtensions = [".c", ".h"];

    private readonly List<InputReport> _inputs = [];
    private readonly List<MailItem> _seriesMessages = [];

    public IReadOnlyList<InputError> InputErrors { get; private set; } = [];

    public CheckReport Run(IReadOnlyList<InputSource> sources)
    {
        foreach (var source in sources)
        {
            ReadInput(source);
        }

        var findings = new List<ReportedFinding>();
        var coverage = new List<CoverageEntry>();
        var seriesNotes = new List<string>();
        foreach (var series in new SeriesAssembler().Assemble(_seriesMessages))
        {
            if (!series.IsComplete)
            {
                seriesNotes.Add($"{series.Title} (v{series.Version}): {series.Status}");
            }

            Analyse(series.Parts, findings, coverage);
        }

        return new CheckReport(_inputs, findings, coverage, seriesNotes);
    }

    private void ReadInput(InputSource source)
    {
        int messages = 0, patches = 0, covers = 0, pulls = 0, replies = 0, notPatches = 0, files = 0, hunks = 0;
        var problems = new List<ProblemReport>();
        try
        {
            using var stream = source.Open();
            foreach (var item in MailReader.Read(stream, source.Name, settings.Mail))
            {
                messages++;
                switch (item.Kind)
                {
                    case MailItemKind.Patch:
                        patches += item.Patches.Count;
                        files += item.Patches.Sum(p => p.Diff.Files.Count);
                        hunks += item.Patches.Sum(p => p.Diff.HunkCount);
                        _seriesMessages.Add(item);
                        break;
                    case MailItemKind.CoverLetter:
                        covers++;
                        _seriesMessages.Add(item);
                        break;
                    case MailItemKind.PullRequest: pulls++; break;
                    case MailItemKind.Reply: replies++; break;
                    default: notPatches++; break;
                }

                string? messageId = Bracketed(item.MessageId);
                foreach (var problem in item.AllProblems)
                {
                    problems.Add(new ProblemReport(problem.Message, problem.File, problem.Line, messageId));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ProblemReport($"cannot read: {e.Message}", null, null, null));
        }

        _inputs.Add(new InputReport(source.Name, messages, patches, covers, pulls, replies, notPatches, files, hunks, problems));
    }

    private void Analyse(IReadOnlyList<MailItem> parts, List<ReportedFinding> findings, List<CoverageEntry> coverage)
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

        var graph = CallGraphBuilder.Build(inputs);
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
    private static string OriginOf(MailItem item) =>
        item.MessageId ?? $"{item.Source}#{item.Ordinal}";

    private static string? Bracketed(string? messageId) => messageId is null ? null : $"<{messageId}>";

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
