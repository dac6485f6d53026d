using System.Text.Json;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary><c>patchbot check --git BASE..HEAD</c> on a real repository: each commit alone, each finding names its commit.</summary>
public sealed class GitRangeTests
{
    [Fact]
    public void Only_the_bad_commit_is_reported_and_the_finding_names_it()
    {
        using var repo = GitTestRepo.Create();
        var result = CliProcess.Run(["check", "--git", $"{repo.BaseSha}..HEAD", "--format", "json"], workingDirectory: repo.Path);
        Assert.True(result.ExitCode == 1, result.Stdout + result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var findings = doc.RootElement.GetProperty("findings").EnumerateArray().ToList();
        var finding = Assert.Single(findings);
        Assert.Equal("dma-alias-after-iommu-group", finding.GetProperty("rule").GetString());
        Assert.Equal(GitTestRepo.Driver, finding.GetProperty("file").GetString());
        Assert.Equal("foo_probe", finding.GetProperty("function").GetString());
        Assert.Equal(repo.BadSha, finding.GetProperty("messageId").GetString());
        Assert.Equal("foo: add the function 7 DMA alias from probe", finding.GetProperty("subject").GetString());

        // One input per commit, in the order they were made, each read as one patch.
        var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        Assert.Equal([repo.GoodSha, repo.BadSha, repo.FixSha], inputs.Select(i => i.GetProperty("source").GetString()));
        Assert.All(inputs, i => Assert.Equal(1, i.GetProperty("patches").GetInt32()));
    }

    [Fact]
    public void The_fix_alone_is_clean_and_the_bad_commit_alone_fails()
    {
        using var repo = GitTestRepo.Create();
        var fix = CliProcess.Run(["check", "--git", $"{repo.BadSha}..{repo.FixSha}", "--format", "terse"], workingDirectory: repo.Path);
        Assert.True(fix.ExitCode == 0, fix.Stdout + fix.Stderr);
        Assert.Equal(string.Empty, fix.Stdout.Trim());

        var bad = CliProcess.Run(["check", "--git", $"{repo.GoodSha}..{repo.BadSha}", "--format", "terse"], workingDirectory: repo.Path);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("[dma-alias-after-iommu-group]", bad.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shallow_clone_works_when_the_range_is_present_and_reports_the_boundary_otherwise()
    {
        using var repo = GitTestRepo.Create();
        string clone = Path.Combine(Path.GetTempPath(), "patchbot-shallow-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, _, err) = NpmTools.Run("git", ["clone", "-q", "--depth", "3", "file://" + repo.Path, clone], TimeSpan.FromSeconds(60));
            Assert.True(code == 0, err);
            Assert.Equal("true", NpmTools.Run("git", ["rev-parse", "--is-shallow-repository"], TimeSpan.FromSeconds(30), clone).Stdout.Trim());

            // good, bad, fix are the three commits of the clone; good's parent (the base) is cut off.
            var present = CliProcess.Run(["check", "--git", $"{repo.GoodSha}..HEAD", "--format", "json"], workingDirectory: clone);
            Assert.True(present.ExitCode == 1, present.Stdout + present.Stderr);
            using (var doc = JsonDocument.Parse(present.Stdout))
            {
                var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
                Assert.Equal(repo.BadSha, finding.GetProperty("messageId").GetString());
            }

            // The base is not in the clone: a usage error that says so, not a wrong answer.
            var missing = CliProcess.Run(["check", "--git", $"{repo.BaseSha}..HEAD"], workingDirectory: clone);
            Assert.Equal(2, missing.ExitCode);
            Assert.Contains("no such commit", missing.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(clone))
            {
                Directory.Delete(clone, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("HEAD")]
    [InlineData("..HEAD")]
    [InlineData("HEAD...main")]
    public void A_malformed_range_is_a_usage_error(string range)
    {
        using var repo = GitTestRepo.Create();
        var result = CliProcess.Run(["check", "--git", range], workingDirectory: repo.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a range", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_a_git_checkout_is_a_usage_error()
    {
        string empty = Directory.CreateTempSubdirectory("patchbot-nogit-").FullName;
        try
        {
            var result = CliProcess.Run(["check", "--git", "HEAD~1..HEAD"], workingDirectory: empty);
            Assert.Equal(2, result.ExitCode);
            Assert.NotEqual(string.Empty, result.Stderr.Trim());
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
