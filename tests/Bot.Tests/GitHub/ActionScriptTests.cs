using System.Text.Json;
using System.Text.RegularExpressions;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>The check step of deploy/action.yml (deploy/patchbot-action.sh) run on real repositories, full and shallow.</summary>
public sealed partial class ActionScriptTests
{
    private static string Script => Path.Combine(RepoPaths.Root, "deploy", "patchbot-action.sh");

    [Fact]
    public void Both_formats_write_the_sarif_log_annotate_and_fail_on_the_bad_commit()
    {
        using var repo = GitTestRepo.Create();
        var (code, stdout, stderr, outputs) = RunAction(repo.Path, repo, commits: "3", format: "both");
        Assert.True(code == 1, stdout + stderr);
        Assert.Equal("1", outputs["exit-code"]);
        Assert.Single(stdout.Split('\n'), l => l.StartsWith("::error file=" + GitTestRepo.Driver, StringComparison.Ordinal));
        string sarif = Path.Combine(repo.Path, outputs["sarif-file"]);
        using var doc = JsonDocument.Parse(File.ReadAllText(sarif));
        Assert.Single(doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
    }

    [Fact]
    public void A_shallow_checkout_of_the_head_is_deepened_to_the_pull_requests_commits()
    {
        using var repo = GitTestRepo.Create();
        string clone = Path.Combine(Path.GetTempPath(), "patchbot-action-" + Guid.NewGuid().ToString("N"));
        try
        {
            // As actions/checkout does by default: one commit deep.
            var (c, _, e) = NpmTools.Run("git", ["clone", "-q", "--depth", "1", "file://" + repo.Path, clone], TimeSpan.FromSeconds(60));
            Assert.True(c == 0, e);
            var (code, stdout, stderr, outputs) = RunAction(clone, repo, commits: "3", format: "github");
            Assert.True(code == 1, stdout + stderr);
            Assert.Equal("1", outputs["exit-code"]);
            var annotation = Assert.Single(stdout.Split('\n'), l => l.StartsWith("::error", StringComparison.Ordinal));
            Assert.Contains(repo.BadSha[..12], annotation, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(clone))
            {
                Directory.Delete(clone, recursive: true);
            }
        }
    }

    [Fact]
    public void A_clean_range_passes_and_a_missing_range_is_a_usage_error()
    {
        using var repo = GitTestRepo.Create();
        var clean = RunAction(repo.Path, repo, commits: "1", format: "github", baseSha: repo.BadSha);
        Assert.True(clean.Code == 0, clean.Stdout + clean.Stderr);
        Assert.Equal("0", clean.Outputs["exit-code"]);

        var none = RunAction(repo.Path, repo, commits: "", format: "github", baseSha: "");
        Assert.Equal(2, none.Code);
        Assert.Contains("::error title=patchbot::", none.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_action_passes_every_variable_the_script_reads()
    {
        string action = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "action.yml"));
        Assert.Contains("patchbot-action.sh", action, StringComparison.Ordinal);
        var read = EnvironmentName().Matches(File.ReadAllText(Script)).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.NotEmpty(read);
        Assert.All(read, name => Assert.Contains($"{name}:", action, StringComparison.Ordinal));
        Assert.Contains("dotnet publish", action, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr, Dictionary<string, string> Outputs) RunAction(
        string checkout, GitTestRepo repo, string commits, string format, string? baseSha = null)
    {
        string work = Directory.CreateTempSubdirectory("patchbot-runner-").FullName;
        try
        {
            string bin = Path.Combine(work, "patchbot");
            File.WriteAllText(bin, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "patchbot.dll")}\" \"$@\"\n");
            Assert.Equal(0, NpmTools.Run("chmod", ["u+x", bin], TimeSpan.FromSeconds(10)).ExitCode);
            string output = Path.Combine(work, "output");
            File.WriteAllText(output, string.Empty);
            var (code, stdout, stderr) = NpmTools.Run("bash", [Script], TimeSpan.FromMinutes(3), checkout, new Dictionary<string, string>
            {
                ["PATCHBOT_BIN"] = bin,
                ["PATCHBOT_BASE"] = baseSha ?? repo.BaseSha,
                ["PATCHBOT_HEAD"] = baseSha == string.Empty ? string.Empty : repo.FixSha,
                ["PATCHBOT_COMMITS"] = commits,
                ["PATCHBOT_FAIL_LEVEL"] = "warning",
                ["PATCHBOT_FORMAT"] = format,
                ["PATCHBOT_CONFIG"] = string.Empty,
                ["PATCHBOT_SARIF_FILE"] = "patchbot.sarif",
                ["GITHUB_OUTPUT"] = output,
            });
            var outputs = File.ReadAllLines(output).Where(l => l.Contains('=', StringComparison.Ordinal))
                .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            return (code, stdout, stderr, outputs);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [GeneratedRegex(@"\$\{?(PATCHBOT_[A-Z_]+)")]
    private static partial Regex EnvironmentName();
}
