using System.IO.Compression;
using System.Text;
using PatchBot.Bot.Output;
using PatchBot.Engine.Check;
using PatchBot.Engine.Inputs;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary>
/// An archive of millions of tiny unreadable messages (a few bytes each, a few hundred kilobytes compressed) gives a
/// problem per message: the report keeps a bounded number of them in memory and the rest on disk, so memory does
/// not grow with the archive.
/// </summary>
[Collection(nameof(HostileTiming))]
public class ProblemSpillTests
{
    private static byte[] TinyMessages(int count)
    {
        using var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Optimal))
        {
            var one = Encoding.ASCII.GetBytes("From a\n\n"); // a message without header fields: one problem each
            for (int i = 0; i < count; i++)
            {
                zip.Write(one);
            }
        }

        return gz.ToArray();
    }

    private static CheckReport Run(byte[] input, int memoryLimit = 64)
    {
        var settings = new CheckSettings { Paths = ["-"], Threads = 1, NoTree = true };
        var runner = new CheckRunner(settings, AnalysisOptions.Default) { ReportMemoryLimit = memoryLimit };
        return runner.Run([new InputSource("tiny.mbox.gz", () => new MemoryStream(input, writable: false))]);
    }

    /// <summary>Bytes still reachable while the report is open.</summary>
    private static long Retained(byte[] input, out int problems)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        using var report = Run(input);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        problems = report.Problems;
        GC.KeepAlive(report);
        return after - before;
    }

    [Fact]
    public void Memory_held_by_the_report_does_not_grow_with_the_number_of_problems()
    {
        long small = Retained(TinyMessages(5_000), out int smallProblems);
        long large = Retained(TinyMessages(100_000), out int largeProblems);

        Assert.Equal(5_000, smallProblems);
        Assert.Equal(100_000, largeProblems);

        // Kept in memory, 95,000 more problems hold about 20 MB (a record and its strings each); spilled, nothing.
        Assert.True(large - small < 4 * 1024 * 1024, $"5,000 problems retain {small} bytes, 100,000 retain {large}");
    }

    [Fact]
    public void Spilled_problems_read_back_as_they_were_written()
    {
        string Json(int limit)
        {
            using var report = Run(TinyMessages(300), limit);
            using var json = new MemoryStream();
            JsonReportWriter.Write(report, json);
            return Encoding.UTF8.GetString(json.ToArray());
        }

        string whole = Json(int.MaxValue);
        Assert.Contains("no header fields", whole, StringComparison.Ordinal);
        Assert.Equal(whole, Json(8));
    }
}
