using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PatchBot.Bot.Tests.Pipeline;

/// <summary>
/// <c>patchbot-bench</c> (tools/PatchBot.Bench) prints what the issue asks for (floor, pipeline on N threads and on one, their ratio,
/// messages/s, MB/s, patches/s, peak RSS) and its figures agree with each other and with <c>check</c>. No timing is
/// asserted: speed belongs to the bench, not to the tests.
/// </summary>
public sealed partial class BenchToolTests
{
    [GeneratedRegex(@"^(?<name>floor[^:]*|pipeline --threads (?<threads>\d+)): (?<sec>[\d.]+) s, (?<msgs>\d+) messages, (?<rate>\d+) msgs/s, (?<mbs>[\d.]+) MB/s(, (?<pps>\d+) patches/s)?.*peak RSS (?<rss>\d+) MB", RegexOptions.Multiline)]
    private static partial Regex MeasureLine();

    [GeneratedRegex(@"^pipeline/floor throughput: (?<two>[\d.]+) \(2 threads\), (?<one>[\d.]+) \(1 thread\)", RegexOptions.Multiline)]
    private static partial Regex RatioLine();

    private static double D(Group g) => double.Parse(g.Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Bench_prints_the_floor_the_pipeline_and_their_ratio_and_they_agree_with_check()
    {
        var bench = Bench([RepoPaths.SampleMbox, "--threads", "2", "--repeat", "1", "--scale", "0"]);
        Assert.True(bench.ExitCode == 0, bench.Stderr);

        var lines = MeasureLine().Matches(bench.Stdout).ToDictionary(m => m.Groups["threads"].Success ? "pipeline" + m.Groups["threads"].Value : "floor");
        Assert.True(lines.ContainsKey("floor") && lines.ContainsKey("pipeline2") && lines.ContainsKey("pipeline1"), bench.Stdout);

        var check = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", "--no-tree", RepoPaths.SampleMbox]);
        using var report = JsonDocument.Parse(check.Stdout);
        var input = report.RootElement.GetProperty("inputs")[0];
        int messages = input.GetProperty("messages").GetInt32();
        int patches = input.GetProperty("patches").GetInt32();

        foreach (var (name, m) in lines)
        {
            double seconds = D(m.Groups["sec"]);
            Assert.Equal(messages, int.Parse(m.Groups["msgs"].Value, CultureInfo.InvariantCulture));
            Assert.InRange(D(m.Groups["rate"]), messages / seconds * 0.95, messages / seconds * 1.05);
            Assert.True(D(m.Groups["mbs"]) > 0, name);
            Assert.True(D(m.Groups["rss"]) > 0, name);
            if (name != "floor")
            {
                Assert.InRange(D(m.Groups["pps"]) * seconds, patches * 0.95, patches * 1.05);
            }
        }

        // One round: the ratio is the floor's time over the pipeline's.
        var ratio = RatioLine().Match(bench.Stdout);
        Assert.True(ratio.Success, bench.Stdout);
        double floor = D(lines["floor"].Groups["sec"]);
        Assert.InRange(D(ratio.Groups["two"]), floor / D(lines["pipeline2"].Groups["sec"]) - 0.02, floor / D(lines["pipeline2"].Groups["sec"]) + 0.02);
        Assert.InRange(D(ratio.Groups["one"]), floor / D(lines["pipeline1"].Groups["sec"]) - 0.02, floor / D(lines["pipeline1"].Groups["sec"]) + 0.02);
    }

    [Fact]
    public void Bench_refuses_a_missing_mbox_with_a_usage_error()
    {
        var bench = Bench([Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.mbox")]);

        Assert.Equal(2, bench.ExitCode);
        Assert.Contains("not found", bench.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_mbox_the_bench_measures_the_repository_sample()
    {
        var bench = Bench(["--threads", "1", "--repeat", "1", "--scale", "0", "--patchbot", Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}")]);

        // The defaults resolve from the repository root (the working folder): the sample is found, the missing
        // patchbot named by --patchbot is the usage error.
        Assert.Equal(2, bench.ExitCode);
        Assert.Contains("--patchbot", bench.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("linux-pci-sample", bench.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_product_has_no_bench_verb()
    {
        var result = CliProcess.Run(["bench", RepoPaths.SampleMbox]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'bench'", result.Stderr, StringComparison.Ordinal);
    }

    private static CliProcess.Result Bench(IEnumerable<string> args) => CliProcess.Run(args, program: "patchbot-bench.dll");
}
