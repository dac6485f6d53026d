using PatchBot.Engine.Inputs;
using PatchBot.Engine.Pipeline;
using PatchBot.Engine.Tree;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Findings;

namespace PatchBot.Engine.Check;

/// <summary>
/// The <c>check</c> pipeline as bounded stages: inputs -> mbox framing (sequential) -> MIME parse, classification
/// and diff reading (<see cref="CheckSettings.Threads"/> workers, in input order) -> the series window (a series
/// closes when complete or stale, so memory does not grow with the mbox) -> analysis (call graph, rules; the same
/// number of workers) -> results put back in input order as soon as nothing earlier can still come, into a report
/// whose long parts (problems, coverage and series notes) go to a temporary file past a few thousand entries. The report is
/// identical whatever the number of threads. One input that cannot be read is reported and the others are still
/// checked.
/// </summary>
internal sealed class CheckRunner(CheckSettings settings, AnalysisOptions analysis, SourceTree? tree = null)
{
    private readonly List<InputReport> _inputs = [];
    private readonly List<AnalysisUnit> _closed = [];
    private readonly List<IDisposable> _problemLists = [];

    // Results in output order: units of group 0 (series) then group 1 (reply patches), each by sequence.
    private readonly SortedSet<(int Group, long Sequence)> _inFlight = [];
    private readonly SortedDictionary<(int Group, long Sequence), UnitResult> _done = [];
    private readonly Emitted[] _emitted = [new(), new()];
    private long _sequence;

    /// <summary>The most messages the series window held at once in the last run.</summary>
    public int MaxPendingMessages { get; private set; }

    /// <summary>The mean number of messages the series window held in the last run.</summary>
    public double MeanPendingMessages { get; private set; }

    /// <summary>The most analysed units that waited at once for an earlier unit before going into the report.</summary>
    public int MaxWaitingResults { get; private set; }

    /// <summary>Entries per report part kept in memory before the rest go to disk.</summary>
    public int ReportMemoryLimit { get; init; } = SpillList<string>.DefaultMemoryLimit;

    public CheckReport Run(IReadOnlyList<InputSource> sources)
    {
        int threads = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount;
        var window = new SeriesWindow(SeriesReadiness.Archive());
        foreach (var e in _emitted)
        {
            e.Open(ReportMemoryLimit);
        }

        using (var stage = new AnalysisStage(new SeriesAnalyzer(analysis, tree: tree), threads))
        {
            foreach (var source in sources)
            {
                ReadInput(source, threads, window, stage);
            }

            window.Flush(_closed);
            Dispatch(stage, window);
            stage.Complete();
            Collect(stage, window, final: true);
        }

        MaxPendingMessages = window.MaxPending;
        MeanPendingMessages = _sequence == 0 ? 0 : (double)window.PendingSum / _sequence;
        return new CheckReport(
            _inputs,
            [.. _emitted[0].Findings, .. _emitted[1].Findings],
            new ConcatenatedCollection<CoverageEntry>(_emitted[0].Coverage!, _emitted[1].Coverage!),
            new ConcatenatedCollection<string>(_emitted[0].SeriesNotes!, _emitted[1].SeriesNotes!))
        {
            Resources = [.. _emitted.SelectMany(e => new IDisposable[] { e.Coverage!, e.SeriesNotes! }), .. _problemLists],
        };
    }

    private void Dispatch(AnalysisStage stage, SeriesWindow window)
    {
        foreach (var unit in _closed)
        {
            _inFlight.Add((unit.Group, unit.Sequence));
            stage.Post(unit);
        }

        _closed.Clear();
        Collect(stage, window, final: false);
    }

    /// <summary>
    /// Takes the results analysed so far and adds to the report, in order, every one that nothing can precede any
    /// more: no unit still being analysed, no series still open in the window and no message still to be read
    /// starts before it (in its group; reply patches come after every series).
    /// </summary>
    private void Collect(AnalysisStage stage, SeriesWindow window, bool final)
    {
        while (stage.TryTake(out var result))
        {
            _inFlight.Remove((result.Group, result.Sequence));
            _done.Add((result.Group, result.Sequence), result);
        }

        MaxWaitingResults = Math.Max(MaxWaitingResults, _done.Count);
        if (_done.Count == 0)
        {
            return;
        }

        long series = final ? long.MaxValue : Math.Min(_sequence, window.OldestPending ?? long.MaxValue);
        long replies = final ? long.MaxValue : _sequence;
        foreach (var (group, sequence) in _inFlight)
        {
            if (group == 0)
            {
                series = Math.Min(series, sequence);
            }
            else
            {
                replies = Math.Min(replies, sequence);
            }
        }

        // Each group keeps its own order; the report lists the series' results, then the reply patches'.
        while (_done.Count > 0)
        {
            var (key, result) = _done.First();
            if (key.Sequence >= (key.Group == 0 ? series : replies))
            {
                break;
            }

            _done.Remove(key);
            _emitted[key.Group].Add(result);
        }
    }

    private void ReadInput(InputSource source, int threads, SeriesWindow window, AnalysisStage stage)
    {
        int messages = 0, patches = 0, covers = 0, pulls = 0, replies = 0, notPatches = 0, files = 0, hunks = 0;
        var problems = NewProblemList();
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
                    problems.Add(new ProblemReport(problem.Message, problem.File, problem.Line, messageId, problem.Skipped));
                }

                window.Add(SeriesAnalyzer.ForAnalysis(item), _sequence++, _closed);
                Dispatch(stage, window);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ProblemReport($"cannot read: {e.Message}", null, null, null, Skipped: true));
        }

        _inputs.Add(new InputReport(source.Name, messages, patches, covers, pulls, replies, notPatches, files, hunks, problems));
    }

    /// <summary>The problems of one input: an archive of millions of unreadable messages has as many, so past the
    /// memory limit they go to disk like coverage notes.</summary>
    private SpillList<ProblemReport> NewProblemList()
    {
        var list = new SpillList<ProblemReport>(
            static (w, p) =>
            {
                SpillList<string>.WriteString(w, p.Message);
                SpillList<string>.WriteOptional(w, p.File);
                w.Write(p.Line.HasValue);
                w.Write(p.Line.GetValueOrDefault());
                SpillList<string>.WriteOptional(w, p.MessageId);
                w.Write(p.Skipped);
            },
            static r =>
            {
                string message = SpillList<string>.ReadString(r);
                string? file = SpillList<string>.ReadOptional(r);
                bool hasLine = r.ReadBoolean();
                int line = r.ReadInt32();
                string? messageId = SpillList<string>.ReadOptional(r);
                return new ProblemReport(message, file, hasLine ? line : null, messageId, r.ReadBoolean());
            },
            ReportMemoryLimit);
        _problemLists.Add(list);
        return list;
    }

    /// <summary>What one group put into the report so far, in order.</summary>
    private sealed class Emitted
    {
        public List<ReportedFinding> Findings { get; } = [];

        public SpillList<CoverageEntry>? Coverage { get; private set; }

        public SpillList<string>? SeriesNotes { get; private set; }

        public void Open(int memoryLimit)
        {
            Coverage = new SpillList<CoverageEntry>(
                static (w, c) =>
                {
                    SpillList<string>.WriteString(w, c.File);
                    SpillList<string>.WriteString(w, c.Reason);
                    SpillList<string>.WriteOptional(w, c.MessageId);
                },
                static r => new CoverageEntry(SpillList<string>.ReadString(r), SpillList<string>.ReadString(r), SpillList<string>.ReadOptional(r)),
                memoryLimit);
            SeriesNotes = new SpillList<string>(SpillList<string>.WriteString, SpillList<string>.ReadString, memoryLimit);
        }

        public void Add(UnitResult result)
        {
            if (result.SeriesNote is { } note)
            {
                SeriesNotes!.Add(note);
            }

            Findings.AddRange(result.Findings);
            foreach (var entry in result.Coverage)
            {
                Coverage!.Add(entry);
            }
        }
    }
}
