using PatchBot.PatchParser.Mail;

namespace PatchBot.PatchParser.Tests.Mail;

public class SeriesAssemblerTests
{
    private sealed class FakeTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly string[] PlxV6 = ["plx-ntb-v6-3of3-quirk", "plx-ntb-v6-1of3-off-by-one", "plx-ntb-v6-2of3-nr-devfns"];

    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static MailItem Item(string id, string subject, int minutes, string? inReplyTo = null, string from = "jane@example.org", int ordinal = 0)
    {
        var ps = SubjectParser.Parse(subject);
        return new MailItem
        {
            Source = "t",
            Ordinal = ordinal,
            MessageId = id,
            Subject = subject,
            PatchSubject = ps,
            From = from,
            Date = T0.AddMinutes(minutes),
            InReplyTo = inReplyTo,
            References = inReplyTo is null ? [] : [inReplyTo],
            Kind = ps.IsCoverLetter ? MailItemKind.CoverLetter : ps.IsReply ? MailItemKind.Reply : MailItemKind.Patch,
        };
    }

    [Fact]
    public void Threaded_series_with_cover_letter()
    {
        var items = new[]
        {
            Item("c", "[PATCH v2 0/3] PCI: things", 0),
            Item("p1", "[PATCH v2 1/3] PCI: one", 1, "c"),
            Item("p3", "[PATCH v2 3/3] PCI: three", 1, "c"),
            Item("p2", "[PATCH v2 2/3] PCI: two", 1, "c"),
            Item("r", "Re: [PATCH v2 2/3] PCI: two", 30, "p2", from: "reviewer@example.org"),
        };
        var series = Assert.Single(new SeriesAssembler().Assemble(items));
        Assert.Equal("c", series.CoverLetter?.MessageId);
        Assert.Equal(["p1", "p2", "p3"], series.Parts.Select(p => p.MessageId));
        Assert.True(series.IsComplete);
        Assert.Equal(2, series.Version);
        Assert.Equal(3, series.Total);
        Assert.Equal("things", series.Title);
        Assert.Equal("complete, 3 parts", series.Status);
    }

    [Fact]
    public void Chain_threaded_series_without_cover_letter_missing_a_part()
    {
        var time = new FakeTimeProvider(T0.AddDays(1));
        var items = new[]
        {
            Item("p1", "[PATCH 1/3] PCI: one", 0),
            Item("p3", "[PATCH 3/3] PCI: three", 2, "p1"),
        };
        var series = Assert.Single(new SeriesAssembler(time).Assemble(items));
        Assert.Null(series.CoverLetter);
        Assert.False(series.IsComplete);
        Assert.Equal([2], series.Missing);
        Assert.Equal("2 of 3 parts (missing 2)", series.Status);
        Assert.False(series.MayStillArrive);
        Assert.Equal("one", series.Title);
    }

    [Fact]
    public void Recent_incomplete_series_may_still_arrive()
    {
        var time = new FakeTimeProvider(T0.AddMinutes(10));
        var series = Assert.Single(new SeriesAssembler(time).Assemble([Item("p1", "[PATCH 1/2] x", 0)]));
        Assert.True(series.MayStillArrive);
    }

    [Fact]
    public void Broken_threading_joins_by_sender_version_total_and_time()
    {
        var items = new[]
        {
            Item("p1", "[PATCH v3 1/2] PCI: one", 0),
            Item("p2", "[PATCH v3 2/2] PCI: two", 5),
            Item("q1", "[PATCH v3 1/2] PCI: other one", 5, from: "someone@example.org"),
            Item("late", "[PATCH v3 2/2] PCI: late", 600, from: "someone@example.org"),
        };
        var all = new SeriesAssembler(window: TimeSpan.FromHours(1)).Assemble(items);
        Assert.Equal(3, all.Count);
        Assert.Equal(["p1", "p2"], all[0].Parts.Select(p => p.MessageId));
        Assert.True(all[0].IsComplete);
        Assert.Equal(["q1"], all[1].Parts.Select(p => p.MessageId));
        Assert.Equal(["late"], all[2].Parts.Select(p => p.MessageId));
    }

    [Fact]
    public void New_version_in_reply_to_old_thread_is_another_series()
    {
        var items = new[]
        {
            Item("a1", "[PATCH 1/2] x", 0),
            Item("a2", "[PATCH 2/2] x", 0, "a1"),
            Item("b1", "[PATCH v2 1/2] x", 60 * 24, "a1"),
            Item("b2", "[PATCH v2 2/2] x", 60 * 24, "b1"),
        };
        var all = new SeriesAssembler().Assemble(items);
        Assert.Equal([1, 2], all.Select(s => s.Version));
        Assert.All(all, s => Assert.True(s.IsComplete));
    }

    [Fact]
    public void Single_patch_is_a_series_of_one_and_replies_are_never_parts()
    {
        var items = new[] { Item("p", "[PATCH] x", 0), Item("r", "Re: [PATCH] x", 5, "p") };
        var series = Assert.Single(new SeriesAssembler().Assemble(items));
        Assert.Equal(1, series.Total);
        Assert.Equal("complete, 1 part", series.Status);
        Assert.Equal(["p"], series.Parts.Select(p => p.MessageId));
    }

    [Fact]
    public void Corpus_plx_v6_series_is_complete()
    {
        var items = PlxV6.Select(n => MailTestKit.ReadOne(Corpus.CaseBytes(n))).ToList();
        var series = Assert.Single(new SeriesAssembler().Assemble(items));
        Assert.Equal(6, series.Version);
        Assert.True(series.IsComplete, series.Status);
        Assert.Equal([1, 2, 3], series.Parts.Select(p => p.PatchSubject.Index));
    }
}
