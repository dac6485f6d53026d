using PatchBot.PatchParser.Mail;

namespace PatchBot.Engine.Pipeline;

/// <summary>The clock a series waits on for its missing parts.</summary>
internal enum SeriesClock
{
    /// <summary>Messages read since the series' last message: an archive (<c>check</c>, <c>graph</c>), which is read
    /// far faster than it was written, so only the distance in the mbox says whether a part may still come.</summary>
    Messages,

    /// <summary>Wall time since the series' last message arrived: a live list (<c>serve</c>).</summary>
    WallTime,
}

/// <summary>
/// When an assembled series is ready to be checked: the one policy of <c>check</c>, <c>graph</c> and <c>serve</c>.
/// A series is ready when it is complete (every part 1..N; on the message clock also its cover letter, which an
/// archive may hold after the parts and which costs nothing to wait for there), or when none of its messages came
/// within the policy's patience on its clock. At the end of an input every series is ready (<see cref="SeriesWindow.Flush"/>).
/// </summary>
internal sealed class SeriesReadiness
{
    /// <summary>Default patience in an archive: series whose parts are more than this many messages apart are not joined.</summary>
    public const int DefaultArchiveMessages = 500;

    private SeriesReadiness(SeriesClock clock, int messages, TimeSpan wait)
    {
        Clock = clock;
        Messages = messages;
        Wait = wait;
    }

    /// <summary>The archive policy: a series waits at most <paramref name="messages"/> messages after its last one.</summary>
    public static SeriesReadiness Archive(int messages = DefaultArchiveMessages) =>
        new(SeriesClock.Messages, Math.Max(1, messages), TimeSpan.Zero);

    /// <summary>The live-list policy: an incomplete series waits <paramref name="wait"/> after its last message arrived.</summary>
    public static SeriesReadiness LiveList(TimeSpan wait) =>
        new(SeriesClock.WallTime, 0, wait < TimeSpan.Zero ? TimeSpan.Zero : wait);

    public SeriesClock Clock { get; }

    /// <summary>Patience on the message clock.</summary>
    public int Messages { get; }

    /// <summary>Patience on the wall clock.</summary>
    public TimeSpan Wait { get; }

    /// <summary>Whether <paramref name="series"/> is ready, <paramref name="messagesSinceLast"/> messages after its last one (message clock).</summary>
    public bool IsReady(Series series, long messagesSinceLast)
    {
        Expect(SeriesClock.Messages);
        return IsComplete(series) || messagesSinceLast >= Messages;
    }

    /// <summary>Whether <paramref name="series"/> is ready, <paramref name="timeSinceLast"/> after its last message arrived (wall clock).</summary>
    public bool IsReady(Series series, TimeSpan timeSinceLast)
    {
        Expect(SeriesClock.WallTime);
        return IsComplete(series) || timeSinceLast >= Wait;
    }

    private bool IsComplete(Series series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return series.IsComplete && (Clock == SeriesClock.WallTime || series.CoverLetter is not null);
    }

    private void Expect(SeriesClock clock)
    {
        if (Clock != clock)
        {
            throw new InvalidOperationException($"this policy waits on the {Clock} clock, not the {clock} clock");
        }
    }
}
