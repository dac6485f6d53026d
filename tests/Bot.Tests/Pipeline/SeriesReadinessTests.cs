using PatchBot.Engine.Pipeline;
using PatchBot.PatchParser.Mail;

namespace PatchBot.Bot.Tests.Pipeline;

/// <summary>The one readiness policy: complete series at once, incomplete ones after the patience of their clock.</summary>
public sealed class SeriesReadinessTests
{
    private static MailItem Item(int index, int total) => new()
    {
        Source = "test",
        Ordinal = index,
        Subject = $"[PATCH {index}/{total}] foo: change {index}",
        PatchSubject = SubjectParser.Parse($"[PATCH {index}/{total}] foo: change {index}"),
        From = "dev@example.org",
        MessageId = $"p{index}.{total}@example.org",
        InReplyTo = index == 0 ? null : $"p0.{total}@example.org",
        References = index == 0 ? [] : [$"p0.{total}@example.org"],
        Date = new DateTimeOffset(2025, 3, 1, 10, index, 0, TimeSpan.Zero),
        Kind = index == 0 ? MailItemKind.CoverLetter : MailItemKind.Patch,
    };

    private static Series Assemble(params MailItem[] items) => Assert.Single(new SeriesAssembler().Assemble(items));

    [Fact]
    public void An_archive_waits_for_the_cover_letter_of_a_complete_series_and_then_for_the_message_distance()
    {
        var policy = SeriesReadiness.Archive(100);
        var withCover = Assemble(Item(0, 2), Item(1, 2), Item(2, 2));
        var withoutCover = Assemble(Item(1, 2), Item(2, 2));
        var incomplete = Assemble(Item(0, 2), Item(1, 2));

        Assert.True(policy.IsReady(withCover, 0));
        Assert.False(policy.IsReady(withoutCover, 99));
        Assert.True(policy.IsReady(withoutCover, 100));
        Assert.False(policy.IsReady(incomplete, 99));
        Assert.True(policy.IsReady(incomplete, 100));
    }

    [Fact]
    public void A_live_list_answers_a_complete_series_at_once_and_an_incomplete_one_after_the_wait()
    {
        var policy = SeriesReadiness.LiveList(TimeSpan.FromMinutes(10));
        var withoutCover = Assemble(Item(1, 2), Item(2, 2));
        var incomplete = Assemble(Item(0, 3), Item(1, 3), Item(3, 3));

        Assert.True(policy.IsReady(withoutCover, TimeSpan.Zero));
        Assert.False(policy.IsReady(incomplete, TimeSpan.FromMinutes(9)));
        Assert.True(policy.IsReady(incomplete, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void A_policy_is_asked_on_its_own_clock_only()
    {
        var incomplete = Assemble(Item(1, 2));

        Assert.Throws<InvalidOperationException>(() => SeriesReadiness.Archive().IsReady(incomplete, TimeSpan.FromDays(1)));
        Assert.Throws<InvalidOperationException>(() => SeriesReadiness.LiveList(TimeSpan.Zero).IsReady(incomplete, 1_000L));
        Assert.Throws<ArgumentException>(() => new SeriesWindow(SeriesReadiness.LiveList(TimeSpan.Zero)));
    }
}
