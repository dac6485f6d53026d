using PatchBot.Engine.Pipeline;
using PatchBot.PatchParser.Mail;

namespace PatchBot.Bot.Tests.Pipeline;

/// <summary>The bounded series window: series close when complete or stale, and memory stays bounded.</summary>
public sealed class SeriesWindowTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static MailItem Part(string series, int index, int total, int ordinal, string? cover = null) => new()
    {
        Source = "test",
        Ordinal = ordinal,
        MessageId = $"{series}.{index}@example.org",
        InReplyTo = cover,
        References = cover is null ? [] : [cover],
        Subject = $"[PATCH {index}/{total}] {series}: change {index}",
        PatchSubject = SubjectParser.Parse($"[PATCH {index}/{total}] {series}: change {index}"),
        From = $"{series}@example.org",
        Date = Start.AddMinutes(ordinal),
        Kind = index == 0 ? MailItemKind.CoverLetter : MailItemKind.Patch,
    };

    private static MailItem Other(int ordinal) => new() { Source = "test", Ordinal = ordinal, Kind = MailItemKind.Reply, Subject = "Re: something" };

    [Fact]
    public void A_complete_series_with_its_cover_closes_before_the_end_of_the_input()
    {
        var window = new SeriesWindow(SeriesReadiness.Archive(1000));
        var closed = new List<AnalysisUnit>();
        long seq = 0;
        window.Add(Part("a", 0, 2, 1), seq++, closed);
        window.Add(Part("a", 1, 2, 2, "a.0@example.org"), seq++, closed);
        window.Add(Part("a", 2, 2, 3, "a.0@example.org"), seq++, closed);
        for (int i = 0; i < 300 && closed.Count == 0; i++)
        {
            window.Add(Other(4 + i), seq++, closed);
        }

        var unit = Assert.Single(closed);
        Assert.Equal((0, 0L, 2, null), (unit.Group, unit.Sequence, unit.Parts.Count, unit.SeriesNote));
        Assert.Equal(0, window.Pending);
    }

    [Fact]
    public void A_lone_patch_closes_at_once_and_a_reply_patch_goes_after_the_series()
    {
        var window = new SeriesWindow();
        var closed = new List<AnalysisUnit>();
        window.Add(Part("lone", 1, 1, 1), 0, closed);
        var reply = Part("r", 1, 1, 2) with { Subject = "Re: [PATCH] r", PatchSubject = SubjectParser.Parse("Re: [PATCH] r") };
        window.Add(reply, 1, closed);

        Assert.Equal([(0, 0L), (1, 1L)], closed.Select(u => (u.Group, u.Sequence)));
    }

    [Fact]
    public void An_incomplete_series_closes_when_stale_with_a_note_and_memory_stays_bounded()
    {
        const int windowMessages = 100;
        var window = new SeriesWindow(SeriesReadiness.Archive(windowMessages));
        var closed = new List<AnalysisUnit>();
        long seq = 0;

        // 2,000 series of which only part 1 of 3 ever arrives: without the window all would stay in memory.
        for (int s = 0; s < 2000; s++)
        {
            window.Add(Part($"s{s}", 1, 3, s + 1), seq++, closed);
        }

        Assert.True(window.MaxPending <= windowMessages + 128, $"{window.MaxPending} messages waited at once");
        window.Flush(closed);
        Assert.Equal(2000, closed.Count);
        Assert.All(closed, u => Assert.EndsWith("1 of 3 parts (missing 2, 3)", u.SeriesNote, StringComparison.Ordinal));
        Assert.Equal(closed.Select(u => u.Sequence).Order(), closed.Select(u => u.Sequence).Order().Distinct());
    }

    [Fact]
    public void Series_that_fit_in_the_window_are_the_assemblers_series()
    {
        var items = new List<MailItem>();
        int ordinal = 0;
        for (int s = 0; s < 30; s++)
        {
            // Interleaved: cover, then parts, some with a part missing, some without a cover.
            bool cover = s % 3 != 0;
            if (cover)
            {
                items.Add(Part($"x{s}", 0, 3, ++ordinal));
            }

            for (int p = 1; p <= 3; p++)
            {
                if (s % 5 == 0 && p == 2)
                {
                    continue;
                }

                items.Add(Part($"x{s}", p, 3, ++ordinal, cover ? $"x{s}.0@example.org" : null));
                items.Add(Other(++ordinal));
            }
        }

        var window = new SeriesWindow(SeriesReadiness.Archive(1000));
        var closed = new List<AnalysisUnit>();
        for (int i = 0; i < items.Count; i++)
        {
            window.Add(items[i], i, closed);
        }

        window.Flush(closed);
        var expected = new SeriesAssembler().Assemble(items)
            .Select(s => string.Join(",", s.Parts.Select(p => p.MessageId)) + "|" + (s.IsComplete ? "" : s.Status));
        var actual = closed.OrderBy(u => u.Sequence)
            .Select(u => string.Join(",", u.Parts.Select(p => p.MessageId)) + "|" + (u.SeriesNote is { } n ? n[(n.IndexOf("): ", StringComparison.Ordinal) + 3)..] : ""));
        Assert.Equal(expected, actual);
    }
}
