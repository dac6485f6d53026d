using System.IO.Compression;
using System.Text.Json;
using PatchBot.PatchParser.Mail;

namespace PatchBot.Bot.Tests.Pipeline;

/// <summary>The parallel pipeline gives exactly the report of the sequential one (--threads 1), in the same order.</summary>
public sealed class PipelineDeterminismTests
{
    private static CliProcess.Result CheckSample(int threads)
    {
        using var file = File.OpenRead(RepoPaths.SampleMbox);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        return CliProcess.Run(["check", "--format", "json", "--fail-level", "none", "--no-tree", "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "-"], stdin: gz);
    }

    private static int Messages(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("inputs").EnumerateArray().Sum(i => i.GetProperty("messages").GetInt32());
    }

    [Fact]
    public void The_sample_mbox_gives_identical_json_on_one_and_two_threads()
    {
        var one = CheckSample(1);
        var two = CheckSample(2);

        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.True(two.ExitCode == 0, two.Stderr);
        Assert.True(Messages(one.Stdout) > 1000, "the sample was read");
        Assert.Equal(one.Stdout, two.Stdout);
    }

    [Fact]
    public void The_corpus_gives_identical_json_on_one_and_two_threads()
    {
        string[] args = ["check", "--format", "json", "--fail-level", "none", "--no-tree", RepoPaths.CorpusCases];
        var one = CliProcess.Run([.. args, "--threads", "1"]);
        var two = CliProcess.Run([.. args, "--threads", "2"]);

        Assert.True(one.ExitCode == 0, one.Stderr);
        using (var doc = JsonDocument.Parse(one.Stdout))
        {
            Assert.NotEmpty(doc.RootElement.GetProperty("findings").EnumerateArray());
        }

        Assert.Equal(one.Stdout, two.Stdout);
    }

    [Fact]
    public void The_parallel_reader_gives_the_sequential_items_in_input_order()
    {
        static List<string> Read(int parallelism)
        {
            using var file = File.OpenRead(RepoPaths.SampleMbox);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            return MailReader.Read(gz, "sample", null, parallelism)
                .Take(1500)
                .Select(i => $"{i.Ordinal} {i.ByteOffset} {i.Kind} {i.MessageId} {i.Patches.Count} {i.Patches.Sum(p => p.Diff.HunkCount)} {i.AllProblems.Count()}")
                .ToList();
        }

        var sequential = Read(1);
        var parallel = Read(3);

        Assert.Equal(1500, sequential.Count);
        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void A_reader_abandoned_early_stops_its_workers_and_releases_the_stream()
    {
        using var file = File.OpenRead(RepoPaths.SampleMbox);
        var gz = new GZipStream(file, CompressionMode.Decompress);
        var first = MailReader.Read(gz, "sample", null, parallelism: 2).Take(3).ToList();
        gz.Dispose(); // the workers must be done with it: no exception from a background read

        Assert.Equal([1, 2, 3], first.Select(i => i.Ordinal));
    }

    [Fact]
    public void A_broken_gzip_stream_ends_with_an_unreadable_item_in_parallel_too()
    {
        byte[] whole = File.ReadAllBytes(RepoPaths.SampleMbox);
        byte[] cut = whole[..(whole.Length / 50)];
        static List<string> Read(byte[] bytes, int parallelism)
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            return MailReader.Read(gz, "cut.gz", null, parallelism).Select(i => $"{i.Ordinal} {i.Kind}").ToList();
        }

        var sequential = Read(cut, 1);
        var parallel = Read(cut, 2);

        Assert.EndsWith("Unreadable", sequential[^1], StringComparison.Ordinal);
        Assert.Equal(sequential, parallel);
    }
}
