using System.Text.Json;
using PatchBot.Bot.Tests.GitHub;
using PatchBot.Tests.Support;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary>An empty commit in --git mode (b4's cover-letter commit, any --allow-empty) is counted and skipped, not a problem.</summary>
public class EmptyCommitTests
{
    [Fact]
    public void Empty_commit_is_counted_and_skipped()
    {
        using var repo = GitTestRepo.Create();
        repo.Git("commit", "-q", "--allow-empty", "-m", "cover letter for foo: the series");
        string empty = repo.Git("rev-parse", "HEAD");

        var json = CliProcess.Run(["check", "--git", $"{repo.FixSha}..HEAD", "--format", "json"], workingDirectory: repo.Path);
        Assert.True(json.ExitCode == 0, json.Stderr);
        using var doc = JsonDocument.Parse(json.Stdout);
        var input = Assert.Single(doc.RootElement.GetProperty("inputs").EnumerateArray());
        Assert.Equal(empty, input.GetProperty("source").GetString());
        Assert.Equal(1, input.GetProperty("messages").GetInt32());
        Assert.Empty(input.GetProperty("problems").EnumerateArray());

        var github = CliProcess.Run(["check", "--git", $"{repo.FixSha}..HEAD", "--format", "github"], workingDirectory: repo.Path);
        Assert.Equal(0, github.ExitCode);
        Assert.DoesNotContain("::warning", github.Stdout, StringComparison.Ordinal);
    }
}
