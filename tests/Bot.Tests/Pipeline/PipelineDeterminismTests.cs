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
    public void An_input_that_fails_mid_way_ends_with_an_unreadable_item_in_parallel_too()
    {
        static List<string> Read(int parallelism)
        {
            using var file = File.OpenRead(RepoPaths.SampleMbox);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var failing = new FailingStream(gz, failAfter: 3_000_000);
            return MailReader.Read(failing, "failing", null, parallelism).Select(i => $"{i.Ordinal} {i.Kind} {i.Reason}").ToList();
        }

        var sequential = Read(1);
        var parallel = Read(2);

        Assert.True(sequential.Count > 10);
        Assert.Contains("Unreadable cannot parse message: disk on fire", sequential[^1], StringComparison.Ordinal);
        Assert.Equal(sequential, parallel);
    }

    /// <summary>Reads through, then throws an IOException (a disk or network failure) after <c>failAfter</c> bytes.</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : PatchBot.PatchParser.IO.ReadOnlyStream
    {
        private long _read;

        protected override long BytesRead => _read;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= failAfter)
            {
                throw new IOException("disk on fire");
            }

            int n = inner.Read(buffer, offset, (int)Math.Min(count, failAfter - _read));
            _read += n;
            return n;
        }
    }
}
