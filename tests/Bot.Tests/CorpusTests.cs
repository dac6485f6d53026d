using System.IO.Compression;
using System.Text.Json;
using MimeKit;

namespace PatchBot.Bot.Tests;

/// <summary>
/// The labelled corpus (tests/corpus/cases and cases2) through the real CLI's JSON output, compared with labels.json:
/// every labelled finding of the seven labelled rules, and nothing else of them (the rules a set is not labelled for
/// must stay silent on it).
/// </summary>
public sealed class CorpusTests
{
    private static readonly string[] NonPatchCounts = ["coverLetters", "pullRequests", "replies", "notPatches"];

    private static string CasePath(string name) => CasePath("cases", name);

    private static string CasePath(string set, string name) => Path.Combine(RepoPaths.Corpus, set, name + ".eml");

    [Theory]
    [InlineData("cases")]
    [InlineData("cases2")]
    public void Every_case_gives_exactly_the_labelled_findings(string set)
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var actual = new HashSet<string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        string PathOf(string name) => CasePath(set, name);
        foreach (var c in CorpusLabels.Set(set))
        {
            foreach (var e in c.Expect)
            {
                expected.Add($"{c.Name} {e.Rule} {e.File}:{e.Line}");
            }

            if (!done.Add(c.Name))
            {
                continue;
            }

            // The messages of one series are given in one call, as a maintainer would.
            var run = c.Series.Count > 0 ? c.Series : [c.Name];
            foreach (var member in run)
            {
                done.Add(member);
            }

            var caseByMessageId = run.ToDictionary(m => "<" + MimeMessage.Load(PathOf(m)).MessageId + ">", m => m, StringComparer.Ordinal);
            var result = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", .. run.Select(PathOf)]);
            Assert.True(result.ExitCode == 0, $"{c.Name}: exit {result.ExitCode}: {result.Stderr}");
            using var doc = JsonDocument.Parse(result.Stdout);
            foreach (var f in doc.RootElement.GetProperty("findings").EnumerateArray())
            {
                string rule = f.GetProperty("rule").GetString()!;
                if (!CorpusLabels.AllLabelledRules.Contains(rule))
                {
                    continue;
                }

                string messageId = f.GetProperty("messageId").GetString()!;
                Assert.True(caseByMessageId.TryGetValue(messageId, out var owner), $"finding names an unknown message {messageId}");
                actual.Add($"{owner} {rule} {f.GetProperty("file").GetString()}:{f.GetProperty("line").GetInt32()}");
            }
        }

        var missing = expected.Except(actual).Order(StringComparer.Ordinal).ToList();
        var extra = actual.Except(expected).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"missing (recall):\n  {string.Join("\n  ", missing)}\nextra (precision):\n  {string.Join("\n  ", extra)}");
        Assert.NotEmpty(expected);
    }

    [Theory]
    [InlineData("cases")]
    [InlineData("cases2")]
    public void Findings_name_the_labelled_function(string set)
    {
        var withFunction = CorpusLabels.Set(set).Where(c => c.Series.Count == 0 && c.Expect.Any(e => e.Function is not null)).ToList();
        Assert.NotEmpty(withFunction);
        foreach (var c in withFunction)
        {
            var result = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", CasePath(set, c.Name)]);
            using var doc = JsonDocument.Parse(result.Stdout);
            var found = doc.RootElement.GetProperty("findings").EnumerateArray()
                .Select(f => (Line: f.GetProperty("line").GetInt32(), Function: f.GetProperty("function").GetString()))
                .ToList();
            foreach (var e in c.Expect.Where(e => e.Function is not null))
            {
                Assert.Contains((e.Line, e.Function), found);
            }
        }
    }

    [Fact]
    public void All_cases_in_one_call_give_valid_json_with_one_input_per_file()
    {
        var files = Directory.GetFiles(RepoPaths.CorpusCases, "*.eml").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(CorpusLabels.All.Count, files.Count);

        var result = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", .. files]);

        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal("patchbot", doc.RootElement.GetProperty("tool").GetProperty("name").GetString());
        var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        Assert.Equal(files, inputs.Select(i => i.GetProperty("source").GetString()));
        Assert.All(inputs, i => Assert.Equal(1, i.GetProperty("messages").GetInt32()));
    }

    [Fact]
    public void Replies_cover_letters_and_pull_requests_yield_no_patch()
    {
        var nonPatches = CorpusLabels.All
            .Where(c => c.Tags.Any(t => t is "hard:quoted-reply" or "hard:cover-letter" or "hard:pull-request"))
            .ToList();
        Assert.True(nonPatches.Count >= 6);
        foreach (var c in nonPatches)
        {
            var result = CliProcess.Run(["check", "--format", "json", CasePath(c.Name)]);
            Assert.Equal(0, result.ExitCode);
            using var doc = JsonDocument.Parse(result.Stdout);
            var input = doc.RootElement.GetProperty("inputs")[0];
            Assert.Equal(0, input.GetProperty("patches").GetInt32());
            Assert.Empty(doc.RootElement.GetProperty("findings").EnumerateArray());
            string kind = c.Tags.Contains("hard:cover-letter") ? "coverLetters" : c.Tags.Contains("hard:pull-request") ? "pullRequests" : "replies";
            Assert.Equal(1, input.GetProperty(kind).GetInt32());
        }
    }

    [Fact]
    public void The_sample_mbox_on_stdin_is_read_end_to_end()
    {
        using var gz = new GZipStream(File.OpenRead(RepoPaths.SampleMbox), CompressionMode.Decompress);
        var result = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", "-"], gz);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var input = Assert.Single(doc.RootElement.GetProperty("inputs").EnumerateArray());
        Assert.Equal("-", input.GetProperty("source").GetString());
        Assert.Equal(5000, input.GetProperty("messages").GetInt32());
        int patches = input.GetProperty("patches").GetInt32();
        Assert.InRange(patches, 1000, 5000);
        int kinds = NonPatchCounts.Sum(k => input.GetProperty(k).GetInt32());
        Assert.True(kinds > 0);
    }
}
