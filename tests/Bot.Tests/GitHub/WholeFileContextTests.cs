using System.Text.Json.Nodes;
using Octokit;
using Octokit.Internal;
using PatchBot.Bot.GitHub;
using PatchBot.Engine.Inputs;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>A commit as the API gives it (three lines of context per file) widened to the whole file before the check.</summary>
public sealed class WholeFileContextTests
{
    [Fact]
    public void The_api_patch_of_the_bad_commit_shows_the_registration_only_with_the_whole_file()
    {
        using var repo = GitTestRepo.Create();
        string apiPatch = ApiPatch(repo, repo.BadSha);
        string postImage = repo.Git("show", $"{repo.BadSha}:{GitTestRepo.Driver}") + "\n";
        var commit = ApiCommit(repo.BadSha, "foo: add the function 7 DMA alias from probe\n\nSigned-off-by: Dev Eloper <dev@example.org>", apiPatch);

        Assert.True(WholeFileContext.TryExpand(apiPatch, postImage, out string whole));
        Assert.Contains(" static struct pci_driver foo_driver = {", whole, StringComparison.Ordinal);

        var checker = new GitCommitChecker(AnalysisOptions.Default, MailOptions.Default);
        var narrow = checker.Check([PullRequestFetcher.ToPatch(commit, [])], []);
        var wide = checker.Check([PullRequestFetcher.ToPatch(commit, [], new Dictionary<string, string> { [GitTestRepo.Driver] = whole })], []);
        // The hunk alone starts at foo_probe's opening brace: the role comes from its signature, not a registration.
        Assert.Contains("(pci_driver.probe, inferred)", Assert.Single(narrow.Findings).Finding.Message, StringComparison.Ordinal);
        var finding = Assert.Single(wide.Findings);
        Assert.DoesNotContain("inferred", finding.Finding.Message, StringComparison.Ordinal);
        Assert.Equal("dma-alias-after-iommu-group", finding.Finding.Rule);
        Assert.Equal(repo.BadSha, finding.MessageId);
        Assert.Equal("foo: add the function 7 DMA alias from probe", finding.Subject);

        // The same line as git's own whole-file patch gives.
        var local = CliProcess.Run(["check", "--git", $"{repo.GoodSha}..{repo.BadSha}", "--format", "terse"], workingDirectory: repo.Path);
        Assert.Contains($"{GitTestRepo.Driver}:{finding.Finding.Line}:", local.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_does_not_match_the_patch_leaves_the_patch_as_it_came()
    {
        using var repo = GitTestRepo.Create();
        string apiPatch = ApiPatch(repo, repo.BadSha);
        string otherVersion = repo.Git("show", $"{repo.GoodSha}:{GitTestRepo.Driver}") + "\n";
        Assert.False(WholeFileContext.TryExpand(apiPatch, otherVersion, out string kept));
        Assert.Equal(apiPatch, kept);
        Assert.False(WholeFileContext.TryExpand("not a hunk", "x\n", out _));
        Assert.False(WholeFileContext.TryExpand("@@ -0,0 +1,2 @@\n+a\n+b", "a\nb\n", out _));
    }

    [Theory]
    [InlineData("@@ -50,1 +50,1 @@\n-int a;\n+int b;\n")]
    [InlineData("@@ -1,1 +1,1 @@\n int x;\n@@ -9,0 +9,1 @@\n+int y;\n")]
    [InlineData("@@ -4,1 +4,1 @@\n-int z;\n+int y;\n")]
    public void A_hunk_that_starts_past_the_end_of_the_file_leaves_the_patch_as_it_came(string patch)
    {
        // The fetched file is shorter than the commit's diff says (another version of the file, or a truncated answer).
        Assert.False(WholeFileContext.TryExpand(patch, "int x;\n", out string kept));
        Assert.Equal(patch, kept);
    }

    [Fact]
    public void Lines_added_at_the_end_of_the_file_are_widened()
    {
        Assert.True(WholeFileContext.TryExpand("@@ -2,1 +2,2 @@\n b\n+c\n", "a\nb\nc\n", out string whole));
        Assert.Equal("@@ -1,2 +1,3 @@\n a\n b\n+c\n", whole);
    }

    [Fact]
    public void Several_hunks_keep_their_order_and_counts()
    {
        string file = string.Join('\n', Enumerable.Range(1, 30).Select(i => $"line {i}")) + "\n";
        string patch = "@@ -3,3 +3,3 @@\n line 3\n+line 4\n line 5\n-old\n@@ -21,2 +21,2 @@\n line 21\n-gone\n+line 22";
        Assert.True(WholeFileContext.TryExpand(patch, file, out string whole));
        var lines = whole.TrimEnd('\n').Split('\n');
        Assert.Equal("@@ -1,30 +1,30 @@", lines[0]);
        Assert.Equal(30, lines.Count(l => l.StartsWith(' ') || l.StartsWith('+')));
        Assert.Equal(30, lines.Skip(1).Count(l => l.StartsWith(' ') || l.StartsWith('-')));
    }

    /// <summary>What the API's files[].patch holds: the hunks of git's diff with three lines of context, no file headers.</summary>
    private static string ApiPatch(GitTestRepo repo, string sha)
    {
        string diff = repo.Git("show", "--format=", "-U3", sha, "--", GitTestRepo.Driver);
        return diff[diff.IndexOf("@@", StringComparison.Ordinal)..];
    }

    private static GitHubCommit ApiCommit(string sha, string message, string patch)
    {
        var json = new JsonObject
        {
            ["sha"] = sha,
            ["commit"] = new JsonObject
            {
                ["message"] = message,
                ["author"] = new JsonObject { ["name"] = "Dev Eloper", ["email"] = "dev@example.org", ["date"] = "2024-01-01T00:00:00Z" },
            },
            ["files"] = new JsonArray(new JsonObject
            {
                ["filename"] = GitTestRepo.Driver,
                ["status"] = "modified",
                ["additions"] = 2,
                ["deletions"] = 0,
                ["changes"] = 2,
                ["patch"] = patch,
            }),
        };
        return new SimpleJsonSerializer().Deserialize<GitHubCommit>(json.ToJsonString());
    }
}
