using System.Text;
using PatchBot.Bot.Tests.GitHub;
using PatchBot.Tests.Support;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary>
/// What was not checked is never a pass: an oversized or binary input, or an oversized commit in --git mode, is
/// reported and makes the exit code 2 (an input error) unless --allow-skipped says that is acceptable.
/// </summary>
public class UncheckedInputTests
{
    private static readonly string Patch = File.ReadAllText(Path.Combine(RepoPaths.Fixtures, "rules", "dma-alias-in-final-fixup", "good-final-no-alias.patch"));

    private static (int Exit, string Stdout, string Stderr) Check(byte[] input, params string[] options)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = Cli.PatchBotCli.Run(["check", .. options, "-"], stdout, stderr, () => new MemoryStream(input, writable: false));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void A_clean_patch_exits_0()
    {
        Assert.Equal(0, Check(Encoding.UTF8.GetBytes(Patch)).Exit);
    }

    [Fact]
    public void Binary_input_is_reported_and_exits_2()
    {
        var binary = new byte[4096];
        new Random(7).NextBytes(binary);
        var (exit, stdout, stderr) = Check(binary);

        Assert.Equal(2, exit);
        Assert.Contains("binary", stdout, StringComparison.Ordinal);
        Assert.Contains("--allow-skipped", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_input_is_reported_and_exits_2_unless_allowed()
    {
        var input = Encoding.UTF8.GetBytes(Patch);
        var (exit, stdout, _) = Check(input, "--max-message-size", "100");
        Assert.Equal(2, exit);
        Assert.Contains("over the limit", stdout, StringComparison.Ordinal);

        var (allowed, allowedOut, _) = Check(input, "--max-message-size", "100", "--allow-skipped");
        Assert.Equal(0, allowed);
        Assert.Contains("over the limit", allowedOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_archive_checks_the_messages_before_the_cut_and_exits_2()
    {
        var whole = File.ReadAllBytes(RepoPaths.SampleMbox);
        var (exit, stdout, _) = Check(whole[..(whole.Length / 2)], "--format", "json", "--fail-level", "none");

        Assert.Equal(2, exit);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        var input = Assert.Single(doc.RootElement.GetProperty("inputs").EnumerateArray());
        Assert.True(input.GetProperty("messages").GetInt32() > 10);
        Assert.Contains(input.GetProperty("problems").EnumerateArray(), p => p.GetProperty("message").GetString()!.Contains("truncated", StringComparison.Ordinal));
    }

    [Fact]
    public void Oversized_commit_in_git_mode_exits_2()
    {
        using var repo = GitTestRepo.Create();
        var result = CliProcess.Run(["check", "--git", $"{repo.BaseSha}..HEAD", "--max-message-size", "300"], workingDirectory: repo.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("over the limit", result.Stdout, StringComparison.Ordinal);
    }
}
