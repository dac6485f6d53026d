using System.Diagnostics;
using PatchBot.PatchParser.Mail;
using static PatchBot.PatchParser.Tests.Mail.MailTestKit;

namespace PatchBot.PatchParser.Tests.Hostile;

/// <summary>Series size is bounded: a subject can claim any total, and a sender can post any number of unthreaded parts.</summary>
public class SeriesLimitTests
{
    private static MailItem Part(int index, int total, int n, string from = "jane@example.org") =>
        ReadOne(Message($"[PATCH {index}/{total}] PCI: part", Body).Replace("<1@example.org>", $"<{n}@example.org>", StringComparison.Ordinal)
            .Replace("jane@example.org", from, StringComparison.Ordinal));

    [Fact]
    public void Huge_claimed_total_lists_a_bounded_number_of_missing_parts()
    {
        var watch = Stopwatch.StartNew();
        var series = Assert.Single(new SeriesAssembler(maxParts: 100).Assemble([Part(1, 999_999_999, 1)]));
        Assert.Equal(999_999_999, series.Total);
        Assert.False(series.IsComplete);
        Assert.Equal(100, series.Missing.Count);
        Assert.Equal(2, series.Missing[0]);
        Assert.EndsWith(", ...)", series.Status, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
    }

    [Fact]
    public void Default_limit_keeps_a_claimed_billion_parts_small()
    {
        var series = Assert.Single(new SeriesAssembler().Assemble([Part(1, 999_999_999, 1)]));
        Assert.Equal(1024, series.Missing.Count);
    }

    [Fact]
    public void Complete_series_under_the_limit_is_unchanged()
    {
        var series = Assert.Single(new SeriesAssembler().Assemble([Part(1, 2, 1), Part(2, 2, 2)]));
        Assert.True(series.IsComplete);
        Assert.Equal("complete, 2 parts", series.Status);
    }

    [Fact]
    public void Many_unthreaded_first_parts_from_one_sender_assemble_in_bounded_time()
    {
        var one = Part(1, 2, 1);
        var items = Enumerable.Range(0, 20_000).Select(n => one with { MessageId = $"{n}@example.org" }).ToList();
        var watch = Stopwatch.StartNew();
        var series = new SeriesAssembler(maxParts: 64).Assemble(items);
        Assert.Equal(20_000, series.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), watch.Elapsed.ToString());
    }

    [Fact]
    public void Unthreaded_parts_of_one_series_still_join()
    {
        var series = Assert.Single(new SeriesAssembler().Assemble([Part(1, 2, 1), Part(2, 2, 2)]));
        Assert.Equal(2, series.Parts.Count);
    }
}
