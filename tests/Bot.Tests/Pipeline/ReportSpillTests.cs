using System.IO.Compression;
using PatchBot.Engine.Check;
using PatchBot.Engine.Inputs;
using PatchBot.Bot.Output;
using PatchBot.Engine.Pipeline;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Tests.Pipeline;

/// <summary>A long report goes to disk past a limit and reads back as if it had stayed in memory.</summary>
public sealed class ReportSpillTests
{
    private static SpillList<string> Strings(int limit) =>
        new(SpillList<string>.WriteString, SpillList<string>.ReadString, limit);

    [Fact]
    public void A_spill_list_keeps_order_across_memory_and_disk_and_can_be_read_twice()
    {
        using var list = Strings(3);
        for (int i = 0; i < 10; i++)
        {
            list.Add($"item {i} é");
        }

        Assert.Equal(10, list.Count);
        Assert.Equal(7, list.Spilled);
        string[] expected = [.. Enumerable.Range(0, 10).Select(i => $"item {i} é")];
        Assert.Equal(expected, list.ToArray());
        Assert.Equal(expected, list.ToArray());

        list.Add("after reading");
        Assert.Equal("after reading", list.Last());
        Assert.Equal(11, list.ToArray().Length);
    }

    [Fact]
    public void Strings_come_back_exactly_even_with_a_lone_surrogate()
    {
        using var list = Strings(0);
        string odd = "subject \ud800 cut" + new string('x', 70_000);
        list.Add(odd);
        list.Add(string.Empty);

        Assert.Equal([odd, string.Empty], list.ToArray());
    }

    [Fact]
    public void Without_a_usable_temporary_folder_the_items_stay_in_memory_in_order()
    {
        using var list = new SpillList<string>(SpillList<string>.WriteString, SpillList<string>.ReadString, memoryLimit: 2)
        {
            TempDirectory = Path.Combine(Path.GetTempPath(), $"patchbot-no-such-folder-{Guid.NewGuid():N}"),
        };
        for (int i = 0; i < 5; i++)
        {
            list.Add($"item {i}");
        }

        Assert.True(list.DiskFailed);
        Assert.Equal(0, list.Spilled);
        Assert.Equal([.. Enumerable.Range(0, 5).Select(i => $"item {i}")], list.ToArray());
    }

    [Fact]
    public void A_spill_list_under_its_limit_never_touches_the_disk()
    {
        using var list = Strings(100);
        list.Add("a");
        list.Add("b");

        Assert.Equal(0, list.Spilled);
        Assert.Equal(["a", "b"], list.ToArray());
    }

    [Fact]
    public void Optional_strings_round_trip()
    {
        using var list = new SpillList<CoverageEntry>(
            static (w, c) =>
            {
                SpillList<string>.WriteString(w, c.File);
                SpillList<string>.WriteString(w, c.Reason);
                SpillList<string>.WriteOptional(w, c.MessageId);
            },
            static r => new CoverageEntry(SpillList<string>.ReadString(r), SpillList<string>.ReadString(r), SpillList<string>.ReadOptional(r)),
            memoryLimit: 0);
        list.Add(new CoverageEntry("a.c", "why", null));
        list.Add(new CoverageEntry("b.c", "because", "<id@x>"));

        Assert.Equal(2, list.Spilled);
        Assert.Equal([new CoverageEntry("a.c", "why", null), new CoverageEntry("b.c", "because", "<id@x>")], list.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_sample_report_is_the_same_when_most_of_it_went_to_disk(int threads)
    {
        string InMemory(int limit, out int notes)
        {
            var settings = new CheckSettings { Paths = [RepoPaths.SampleMbox], Threads = threads, NoTree = true };
            var runner = new CheckRunner(settings, AnalysisOptions.Default) { ReportMemoryLimit = limit };
            using var report = runner.Run([new InputSource(RepoPaths.SampleMbox, () => new GZipStream(File.OpenRead(RepoPaths.SampleMbox), CompressionMode.Decompress))]);
            notes = report.SeriesNotes.Count;
            using var json = new MemoryStream();
            JsonReportWriter.Write(report, json);
            return System.Text.Encoding.UTF8.GetString(json.ToArray());
        }

        string whole = InMemory(int.MaxValue, out int notes);
        string spilled = InMemory(16, out _);

        Assert.True(notes > 16 * 10, $"the sample has many series notes ({notes}), so most of them were on disk");
        Assert.Equal(whole, spilled);
    }
}
