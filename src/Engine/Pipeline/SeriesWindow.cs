using PatchBot.PatchParser.Mail;

namespace PatchBot.Engine.Pipeline;

/// <summary>What the analysis stage gets: the parts of one series, or one reply that carries a diff of its own.</summary>
/// <param name="Group">0 for a series, 1 for a reply patch: replies are reported after every series, as before.</param>
/// <param name="Sequence">The position in the whole run of the unit's first message; with <paramref name="Group"/> it orders the output.</param>
/// <param name="SeriesNote">"title (vN): 2 of 3 parts (missing 2)" for an incomplete series, else null.</param>
internal sealed record AnalysisUnit(int Group, long Sequence, IReadOnlyList<MailItem> Parts, string? SeriesNote);

/// <summary>
/// The bounded series window between reading and analysis: patch and cover-letter messages wait here until
/// their series is ready by the <see cref="SeriesReadiness"/> on the message clock (looked at every 128 messages),
/// or the run ends, so memory holds the open series of the last <see cref="SeriesReadiness.Messages"/> messages,
/// not the whole mbox. A lone patch ([PATCH] or [PATCH 1/1]) can join no series (<see cref="SeriesAssembler"/>), so
/// it closes at once. Grouping inside the window is <see cref="SeriesAssembler"/>'s, so a run whose series fit in the
/// window gets the same series as assembling everything at once.
/// </summary>
internal sealed class SeriesWindow
{
    /// <summary>How often (in messages) the open series are re-assembled to find the ones that closed: assembling
    /// costs time in the square of the open series, so not at every message (the profile showed it at 70% of the run when done at every message, 18% every 64 messages with a 1,000-message window, 6% now).</summary>
    private const int StaleCheckEvery = 128;

    private readonly SeriesAssembler _assembler = new();
    private readonly List<MailItem> _pending = [];
    private readonly Dictionary<MailItem, long> _sequence = new(ReferenceEqualityComparer.Instance);
    private long _lastStaleCheck;

    public SeriesWindow(SeriesReadiness? readiness = null)
    {
        Readiness = readiness ?? SeriesReadiness.Archive();
        if (Readiness.Clock != SeriesClock.Messages)
        {
            throw new ArgumentException("the series window reads an archive: it waits on the message clock", nameof(readiness));
        }
    }

    public SeriesReadiness Readiness { get; }

    /// <summary>Messages waiting for their series to close.</summary>
    public int Pending => _pending.Count;

    /// <summary>The sequence of the oldest message still waiting, or null: no unit closed later can start before it.</summary>
    public long? OldestPending => _sequence.Count == 0 ? null : _sequence.Values.Min();

    /// <summary>The most messages that ever waited at once (the memory the window needed).</summary>
    public int MaxPending { get; private set; }

    /// <summary>Messages waiting, summed over every message added: over the message count, the mean the window held.</summary>
    public long PendingSum { get; private set; }

    /// <summary>Takes the message at <paramref name="sequence"/> (any kind) and adds the units it closes to <paramref name="closed"/>.</summary>
    public void Add(MailItem item, long sequence, List<AnalysisUnit> closed)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(closed);
        if (item.Kind == MailItemKind.Patch && item.PatchSubject.IsReply)
        {
            closed.Add(new AnalysisUnit(1, sequence, [item], null));
        }
        else if (item.Kind is MailItemKind.Patch or MailItemKind.CoverLetter)
        {
            if ((item.PatchSubject.Total ?? 1) <= 1)
            {
                foreach (var series in _assembler.Assemble([item]))
                {
                    closed.Add(Unit(series, sequence));
                }
            }
            else
            {
                _pending.Add(item);
                _sequence[item] = sequence;
                MaxPending = Math.Max(MaxPending, _pending.Count);
            }
        }

        PendingSum += _pending.Count;
        if (sequence - _lastStaleCheck >= StaleCheckEvery && _pending.Count > 0)
        {
            _lastStaleCheck = sequence;
            Close(sequence, all: false, closed);
        }
    }

    /// <summary>Closes every series still open (the end of the run).</summary>
    public void Flush(List<AnalysisUnit> closed)
    {
        ArgumentNullException.ThrowIfNull(closed);
        Close(long.MaxValue, all: true, closed);
    }

    private void Close(long now, bool all, List<AnalysisUnit> closed)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var removed = new HashSet<MailItem>(ReferenceEqualityComparer.Instance);
        foreach (var series in _assembler.Assemble(_pending))
        {
            long first = long.MaxValue, last = long.MinValue;
            foreach (var member in Members(series))
            {
                long s = _sequence[member];
                first = Math.Min(first, s);
                last = Math.Max(last, s);
            }

            if (all || Readiness.IsReady(series, now - last))
            {
                closed.Add(Unit(series, first));
                foreach (var member in Members(series))
                {
                    removed.Add(member);
                    _sequence.Remove(member);
                }
            }
        }

        if (removed.Count > 0)
        {
            _pending.RemoveAll(removed.Contains);
        }
    }

    private static IEnumerable<MailItem> Members(Series series) =>
        series.CoverLetter is { } cover ? series.Parts.Prepend(cover) : series.Parts;

    private static AnalysisUnit Unit(Series series, long first) =>
        new(0, first, series.Parts, series.IsComplete ? null : $"{series.Title} (v{series.Version}): {series.Status}");
}
