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
        Assert.Equal(1, Runs(stderr)); // one analysis for both outputs
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
    public void A_pull_request_that_merged_its_base_branch_is_checked_for_its_own_commits_only()
    {
        // main: base -> good -> bad -> fix. The pull request started at good, added a commit of its own, then
        // merged main (bad and fix came in with the merge). base.sha is main's tip, fix; head.sha the merge. Along
        // first parents, head~2..head reaches back to good and so checks bad, someone else's commit.
        using var repo = GitTestRepo.Create();
        repo.Git("checkout", "-q", "-b", "pr", repo.GoodSha);
        File.WriteAllText(Path.Combine(repo.Path, "NOTES"), "notes\n");
        repo.Git("add", "NOTES");
        repo.Git("commit", "-q", "-m", "notes: add notes");
        repo.Git("merge", "-q", "--no-edit", repo.FixSha);
        string merge = repo.Git("rev-parse", "HEAD");

        string clone = Path.Combine(Path.GetTempPath(), "patchbot-action-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (c, _, e) = NpmTools.Run("git", ["clone", "-q", "--depth", "1", "--branch", "pr", "file://" + repo.Path, clone], TimeSpan.FromSeconds(60));
            Assert.True(c == 0, e);
            var (code, stdout, stderr, outputs) = RunAction(clone, repo, commits: "2", format: "github", baseSha: repo.FixSha, headSha: merge);

            Assert.True(code == 0, stdout + stderr);
            Assert.Equal("0", outputs["exit-code"]);
            Assert.DoesNotContain("::error", stdout, StringComparison.Ordinal);
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
    public void The_sdk_is_pinned_and_the_build_is_cached_by_its_source()
    {
        using var globalJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "global.json")));
        var sdk = globalJson.RootElement.GetProperty("sdk");
        string version = sdk.GetProperty("version").GetString()!;
        Assert.Matches(@"^\d+\.\d+\.\d{3}$", version); // one SDK, not a floating 10.0.x
        Assert.Contains(sdk.GetProperty("rollForward").GetString(), (string[])["patch", "latestPatch", "disable"]);

        // This machine's SDK is one global.json accepts (the same feature band, a patch at least as new).
        var (code, installed, _) = NpmTools.Run("dotnet", ["--version"], TimeSpan.FromSeconds(60), RepoPaths.Root);
        Assert.Equal(0, code);
        Assert.Equal(version[..^2], installed.Trim()[..^2]);

        string action = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "action.yml"));
        Assert.Contains("global-json-file:", action, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.x", action, StringComparison.Ordinal);
        Assert.Contains("actions/cache@", action, StringComparison.Ordinal);
        Assert.Contains("steps.source.outputs.hash", action, StringComparison.Ordinal);
        Assert.Contains("if: steps.cache.outputs.cache-hit != 'true'", action, StringComparison.Ordinal);
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
        string checkout, GitTestRepo repo, string commits, string format, string? baseSha = null, string? headSha = null)
    {
        string work = Directory.CreateTempSubdirectory("patchbot-runner-").FullName;
        try
        {
            string bin = Path.Combine(work, "patchbot");
            // Each run says so on stderr, so a test can count the analyses.
            File.WriteAllText(bin, $"#!/bin/sh\necho 'patchbot-run' >&2\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "patchbot.dll")}\" \"$@\"\n");
            Assert.Equal(0, NpmTools.Run("chmod", ["u+x", bin], TimeSpan.FromSeconds(10)).ExitCode);
            string output = Path.Combine(work, "output");
            File.WriteAllText(output, string.Empty);
            var (code, stdout, stderr) = NpmTools.Run("bash", [Script], TimeSpan.FromMinutes(3), checkout, new Dictionary<string, string>
            {
                ["PATCHBOT_BIN"] = bin,
                ["PATCHBOT_BASE"] = baseSha ?? repo.BaseSha,
                ["PATCHBOT_HEAD"] = baseSha == string.Empty ? string.Empty : headSha ?? repo.FixSha,
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

    private static int Runs(string stderr) => stderr.Split('\n').Count(l => l.Trim() == "patchbot-run");

    [GeneratedRegex(@"\$\{?(PATCHBOT_[A-Z_]+)")]
    private static partial Regex EnvironmentName();
}
