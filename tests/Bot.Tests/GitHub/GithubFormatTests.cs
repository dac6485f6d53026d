using System.Text.RegularExpressions;
using PatchBot.Engine.Check;
using PatchBot.Bot.Output;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>--format github: workflow-command annotations escaped as GitHub reads them, and a job summary listing every finding.</summary>
public sealed class GithubFormatTests
{
    [Theory]
    [InlineData("a%b\r\nc", "a%25b%0D%0Ac")]
    [InlineData("50% done", "50%25 done")]
    [InlineData("x:y,z", "x:y,z")]
    public void Data_escapes_percent_and_line_breaks(string text, string expected) =>
        Assert.Equal(expected, GithubReportWriter.EscapeData(text));

    [Theory]
    [InlineData("rule: title, more", "rule%3A title%2C more")]
    [InlineData("a%\nb", "a%25%0Ab")]
    public void Properties_also_escape_colon_and_comma(string text, string expected) =>
        Assert.Equal(expected, GithubReportWriter.EscapeProperty(text));

    [Fact]
    public void Every_finding_is_annotated_and_listed_past_the_cap_of_ten()
    {
        var report = Report(25);
        using var annotations = new StringWriter();
        GithubReportWriter.WriteAnnotations(report, annotations);
        var lines = annotations.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var commands = lines.Where(l => l.StartsWith("::", StringComparison.Ordinal)).ToList();
        Assert.Equal(25, commands.Count(l => l.StartsWith("::error file=", StringComparison.Ordinal)));
        // One command per line: no raw line break survives in a message.
        Assert.All(commands, c => Assert.Matches(@"^::(error|warning|notice) [^:]*::[^\r\n]*$", c));
        Assert.Contains(lines, l => l.Contains("job summary", StringComparison.Ordinal));

        using var summary = new StringWriter();
        GithubReportWriter.WriteSummary(report, summary);
        var rows = summary.ToString().Split('\n').Where(l => l.StartsWith("| error |", StringComparison.Ordinal)).ToList();
        Assert.Equal(25, rows.Count);
        for (int i = 0; i < 25; i++)
        {
            Assert.Contains(rows, r => r.Contains($"drivers/x/f{i}.c:{i + 1}`", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_cli_appends_the_summary_to_GITHUB_STEP_SUMMARY()
    {
        using var repo = GitTestRepo.Create();
        string summary = Path.Combine(repo.Path, "summary.md");
        File.WriteAllText(summary, "earlier step\n");
        var (code, stdout, stderr) = NpmTools.Run("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "patchbot.dll"), "check", "--git", $"{repo.BaseSha}..HEAD", "--format", "github"],
            TimeSpan.FromMinutes(2), repo.Path, new Dictionary<string, string> { ["GITHUB_STEP_SUMMARY"] = summary });
        Assert.True(code == 1, stdout + stderr);
        var annotation = Assert.Single(stdout.Split('\n'), l => l.StartsWith("::", StringComparison.Ordinal));
        Assert.Matches(new Regex($"^::error file={Regex.Escape(GitTestRepo.Driver)},line=[0-9]+,title=dma-alias-after-iommu-group%3A .+::pci_add_dma_alias"), annotation);
        Assert.Contains(repo.BadSha[..12], annotation, StringComparison.Ordinal);

        string text = File.ReadAllText(summary);
        Assert.StartsWith("earlier step\n", text, StringComparison.Ordinal);
        Assert.Contains("## PatchBot: 1 finding", text, StringComparison.Ordinal);
        Assert.Contains(repo.BadSha[..12], text, StringComparison.Ordinal);
        Assert.Contains("foo: add the function 7 DMA alias from probe", text, StringComparison.Ordinal);
    }

    internal static CheckReport Report(int findings, Severity severity = Severity.Error)
    {
        var list = Enumerable.Range(0, findings).Select(i => new ReportedFinding(
            new Finding("dma-alias-after-iommu-group", severity, $"drivers/x/f{i}.c", i + 1, $"f{i}_probe",
                $"pci_add_dma_alias() in f{i}_probe(), 100% late | really", "why\nline two", "fix: it, now",
                [$"f{i}_probe (pci_driver.probe)", "pci_add_dma_alias"], ["hot-add"], "o"),
            new string((char)('a' + (i % 6)), 40), $"x: commit {i}", null)).ToList();
        return new CheckReport([new InputReport("git", findings, findings, 0, 0, 0, 0, findings, findings, [])], list, [], []);
    }
}
