using PatchBot.Bot.Inputs;
using PatchBot.Bot.Tree;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Check;

/// <summary>
/// The <c>check</c> pipeline: inputs -> messages -> patches -> series -> call graphs -> findings.
/// One input that cannot be read is reported and the others are still checked.
/// </summary>
internal sealed class CheckRunner(CheckSettings settings, AnalysisOptions analysis, KernelTree? tree = null)
{
    private readonly List<InputReport> _inputs = [];
    private readonly List<MailItem> _seriesMessages = [];
    private readonly List<MailItem> _replyPatches = [];

    public CheckReport Run(IReadOnlyList<InputSource> sources)
    {
        foreach (var source in sources)
        {
            ReadInput(source);
        }

        var analyzer = new SeriesAnalyzer(analysis, tree: tree);
        var findings = new List<ReportedFinding>();
        var coverage = new List<CoverageEntry>();
        var seriesNotes = new List<string>();
        foreach (var series in new SeriesAssembler().Assemble(_seriesMessages))
        {
            if (!series.IsComplete)
            {
                seriesNotes.Add($"{series.Title} (v{series.Version}): {series.Status}");
            }

            analyzer.Analyze(series.Parts, findings, coverage);
        }

        // A reply that carries a diff of its own (a reviewer's suggested change) is checked on its own.
        foreach (var reply in _replyPatches)
        {
            analyzer.Analyze([reply], findings, coverage);
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
                        (item.PatchSubject.IsReply ? _replyPatches : _seriesMessages).Add(item);
                        break;
                    case MailItemKind.CoverLetter:
                        covers++;
                        _seriesMessages.Add(item);
                        break;
                    case MailItemKind.PullRequest: pulls++; break;
                    case MailItemKind.Reply: replies++; break;
                    default: notPatches++; break;
                }

                string? messageId = SeriesAnalyzer.Bracketed(item.MessageId);
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
}
