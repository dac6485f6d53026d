using System.Collections.Concurrent;
using System.Threading.Channels;
using PatchBot.Engine.Check;

namespace PatchBot.Engine.Pipeline;

/// <summary>What the analysis of one unit gave, with the unit's place in the output.</summary>
internal sealed record UnitResult(int Group, long Sequence, List<ReportedFinding> Findings, List<CoverageEntry> Coverage, string? SeriesNote);

/// <summary>
/// The analysis stage: units (series, reply patches) go through <see cref="SeriesAnalyzer"/> on
/// <c>threads</c> workers behind a bounded channel (a full channel blocks the reader: backpressure). Results
/// come back in any order through <see cref="TryTake"/>; the caller puts them back in order (see
/// <see cref="Check.CheckRunner"/>), so the output does not depend on the number of threads. With one thread the
/// units are analysed inline.
/// </summary>
internal sealed class AnalysisStage : IDisposable
{
    private const int BatchesPerWorker = 2;

    /// <summary>Units per batch: most units are small (a patch without C), so a batch, not a unit, crosses the channel.</summary>
    private const int BatchUnits = 16;

    private readonly SeriesAnalyzer _analyzer;
    private readonly Channel<List<AnalysisUnit>>? _channel;
    private List<AnalysisUnit> _batch = new(BatchUnits);
    private readonly Task[] _workers = [];
    private readonly ConcurrentQueue<UnitResult> _results = new();
    private bool _completed;

    public AnalysisStage(SeriesAnalyzer analyzer, int threads)
    {
        _analyzer = analyzer;
        if (threads > 1)
        {
            _channel = Channel.CreateBounded<List<AnalysisUnit>>(new BoundedChannelOptions(threads * BatchesPerWorker) { SingleWriter = true });
            _workers = new Task[threads];
            for (int i = 0; i < threads; i++)
            {
                _workers[i] = Task.Run(WorkAsync);
            }
        }
    }

    /// <summary>Queues <paramref name="unit"/>, waiting while the workers are behind.</summary>
    public void Post(AnalysisUnit unit)
    {
        if (_channel is null)
        {
            _results.Enqueue(Analyze(unit));
            return;
        }

        _batch.Add(unit);
        if (_batch.Count >= BatchUnits)
        {
            Send();
        }
    }

    private void Send()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        if (!_channel!.Writer.TryWrite(_batch))
        {
            _channel.Writer.WriteAsync(_batch).AsTask().GetAwaiter().GetResult();
        }

        _batch = new List<AnalysisUnit>(BatchUnits);
    }

    /// <summary>A result of a unit analysed since the last call, in no particular order.</summary>
    public bool TryTake(out UnitResult result) => _results.TryDequeue(out result!);

    public void Dispose() => Complete();

    /// <summary>Sends what is batched and waits for every unit to be analysed.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (_channel is not null)
        {
            Send();
            _channel.Writer.TryComplete();
        }

        Task.WaitAll(_workers);
    }

    private async Task WorkAsync()
    {
        await foreach (var batch in _channel!.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            foreach (var unit in batch)
            {
                _results.Enqueue(Analyze(unit));
            }
        }
    }

    private UnitResult Analyze(AnalysisUnit unit)
    {
        var findings = new List<ReportedFinding>();
        var coverage = new List<CoverageEntry>();
        _analyzer.Analyze(unit.Parts, findings, coverage);
        return new UnitResult(unit.Group, unit.Sequence, findings, coverage, unit.SeriesNote);
    }
}
