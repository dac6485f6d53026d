using System.Text.Json;
using PatchBot.Rules.Catalog;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>--format sarif: checked by Microsoft's SARIF multitool, with the catalogue, code flows and stable fingerprints.</summary>
public sealed class SarifTests
{
    [Fact]
    public void The_multitool_validates_the_log_without_errors()
    {
        using var repo = GitTestRepo.Create();
        var result = CliProcess.Run(["check", "--git", $"{repo.BaseSha}..HEAD", "--format", "sarif"], workingDirectory: repo.Path);
        Assert.Equal(1, result.ExitCode);
        string sarif = Path.Combine(repo.Path, "out.sarif");
        string validation = Path.Combine(repo.Path, "validation.sarif");
        File.WriteAllText(sarif, result.Stdout);

        var (code, stdout, stderr) = NpmTools.Run(NpmTools.SarifMultitool, ["validate", sarif, "--output", validation, "--log", "ForceOverwrite"], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, stdout + stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(validation));
        var problems = doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Select(r => (Level: r.TryGetProperty("level", out var l) ? l.GetString() : "warning", Rule: r.GetProperty("ruleId").GetString(), Text: r.GetProperty("message").ToString()))
            .ToList();
        // The only finding allowed: SARIF2005, the tool has no informationUri (PatchBot has no public home page to name).
        Assert.True(problems.All(p => p.Level == "note" || p.Rule == "SARIF2005"), string.Join("\n", problems));
        Assert.DoesNotContain(problems, p => p.Level == "error");
    }

    [Fact]
    public void The_log_carries_the_catalogue_the_code_flow_and_the_commit()
    {
        using var repo = GitTestRepo.Create();
        var result = CliProcess.Run(["check", "--git", $"{repo.BaseSha}..HEAD", "--format", "sarif"], workingDirectory: repo.Path);
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal("2.1.0", doc.RootElement.GetProperty("version").GetString());
        var run = doc.RootElement.GetProperty("runs")[0];
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(RuleCatalog.All.Select(r => r.Id), rules.Select(r => r.GetProperty("id").GetString()));
        foreach (var (rule, meta) in rules.Zip(RuleCatalog.All))
        {
            Assert.Equal(RuleDocs.Render(meta), rule.GetProperty("help").GetProperty("markdown").GetString());
            Assert.False(string.IsNullOrEmpty(rule.GetProperty("name").GetString()));
        }

        var sarifResult = Assert.Single(run.GetProperty("results").EnumerateArray());
        Assert.Equal("dma-alias-after-iommu-group", sarifResult.GetProperty("ruleId").GetString());
        Assert.Equal("error", sarifResult.GetProperty("level").GetString());
        var location = sarifResult.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal(GitTestRepo.Driver, location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        var steps = sarifResult.GetProperty("codeFlows")[0].GetProperty("threadFlows")[0].GetProperty("locations").EnumerateArray().ToList();
        Assert.True(steps.Count >= 2);
        Assert.Contains("foo_probe", steps[0].GetProperty("location").GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(repo.BadSha, sarifResult.GetProperty("properties").GetProperty("messageId").GetString());
    }

    [Fact]
    public void The_fingerprint_survives_moved_lines_and_the_line_does_not()
    {
        using var plain = GitTestRepo.Create();
        using var padded = GitTestRepo.Create(padding: 25);
        var (line1, print1) = LineAndFingerprint(plain);
        var (line2, print2) = LineAndFingerprint(padded);
        Assert.Equal(line1 + 25, line2);
        Assert.Equal(print1, print2);
        Assert.Matches("^[0-9a-f]{64}$", print1);
    }

    private static (int Line, string Fingerprint) LineAndFingerprint(GitTestRepo repo)
    {
        var result = CliProcess.Run(["check", "--git", $"{repo.BaseSha}..HEAD", "--format", "sarif"], workingDirectory: repo.Path);
        using var doc = JsonDocument.Parse(result.Stdout);
        var r = doc.RootElement.GetProperty("runs")[0].GetProperty("results")[0];
        int line = r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32();
        string print = r.GetProperty("partialFingerprints").EnumerateObject().Single().Value.GetString()!;
        return (line, print);
    }
}
