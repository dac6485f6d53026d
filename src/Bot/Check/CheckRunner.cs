using PatchBot.Bot.Inputs;
using PatchBot.Bot.Pipeline;
using PatchBot.Bot.Tree;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Check;

/// <summary>
/// The <c>check</c> pipeline as bounded stages: inputs -> mbox framing (sequential) -> MIME parse, classification
/// and diff reading (<see cref="CheckSettings.Threads"/> workers, in input order) -> the series window (a series
/// closes when complete or stale, so memory does not grow with the mbox) -> analysis (call graph, rules; the same
/// number of workers) -> findings put back in input order. The report is identical whatever the number of threads.
/// One input that cannot be read is reported and the others are still checked.
/// </summary>
internal sealed class CheckRunner(CheckSettings settings, AnalysisOptions analysis, KernelTree? tree = null)
{
    private readonly List<InputReport> _inputs = [];
    private readonly List<AnalysisUnit> _closed = [];
    private long _sequence;

    /// <summary>The most messages the series window held at once in the last run.</summary>
    public int MaxPendingMessages { get; private set; }

    /// <summary>The mean number of messages the series window held in the last run.</summary>
    public double MeanPendingMessages { get; private set; }

    public CheckReport Run(IReadOnlyList<InputSource> sources)
    {
        int threads = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount;
        var window = new SeriesWindow(settings.SeriesWindow);
        using var stage = new AnalysisStage(new SeriesAnalyzer(analysis, tree: tree), threads);
        foreach (var source in sources)
        {
            ReadInput(source, threads, window, stage);
        }

        window.Flush(_closed);
        Dispatch(stage);
        MaxPendingMessages = window.MaxPending;
        MeanPendingMessages = _sequence == 0 ? 0 : (double)window.PendingSum / _sequence;

        var findings = new List<ReportedFinding>();
        var coverage = new List<CoverageEntry>();
        var seriesNotes = new List<string>();
        foreach (var result in stage.Results())
        {
            if (result.SeriesNote is { } note)
            {
                seriesNotes.Add(note);
            }

            findings.AddRange(result.Findings);
            coverage.AddRange(result.Coverage);
        }

        return new CheckReport(_inputs, findings, coverage, seriesNotes);
    }

    private void Dispatch(AnalysisStage stage)
    {
        foreach (var unit in _closed)
        {
            stage.Post(unit);
        }

        _closed.Clear();
    }

    private void ReadInput(InputSource source, int threads, SeriesWindow window, AnalysisStage stage)
    {
        int messages = 0, patches = 0, covers = 0, pulls = 0, replies = 0, notPatches = 0, files = 0, hunks = 0;
        var problems = new List<ProblemReport>();
        try
        {
            using var stream = source.Open();
            foreach (var item in MailReader.Read(stream, source.Name, settings.Mail, threads))
            {
                messages++;
                switch (item.Kind)
                {
                    case MailItemKind.Patch:
                        patches += item.Patches.Count;
                        files += item.Patches.Sum(p => p.Diff.Files.Count);
                        hunks += item.Patches.Sum(p => p.Diff.HunkCount);
                        break;
                    case MailItemKind.CoverLetter: covers++; break;
                    case MailItemKind.PullRequest: pulls++; break;
                    case MailItemKind.Reply: replies++; break;
                    default: notPatches++; break;
                }

                string? messageId = SeriesAnalyzer.Bracketed(item.MessageId);
                foreach (var problem in item.AllProblems)
                {
                    problems.Add(new ProblemReport(problem.Message, problem.File, problem.Line, messageId));
                }

                window.Add(SeriesAnalyzer.ForAnalysis(item), _sequence++, _closed);
                Dispatch(stage);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ProblemReport($"cannot read: {e.Message}", null, null, null));
        }

        _inputs.Add(new InputReport(source.Name, messages, patches, covers, pulls, replies, notPatches, files, hunks, problems));
    }
}
