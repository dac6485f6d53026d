using System.Diagnostics;
using PatchBot.Fuzz;

namespace PatchBot.Bot.Tests.Regressions;

/// <summary>
/// Every input of the reply fuzz harness (Regressions/Inputs/reply/*) goes through the same harness code as under
/// AFL++: it must finish without an exception (the harness throws when a reply breaks one of its promises: more
/// recipients than the policy allows, a mailer daemon or the bot itself mailed, an unbounded References header),
/// well within the fuzzer's 1 s hang bound (with a margin for a loaded machine).
/// </summary>
public class ReplyFuzzRegressionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static string InputsDir => Path.Combine(RepoPaths.Root, "tests", "Bot.Tests", "Regressions", "Inputs");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string harness in ReplyHarness.All.Keys.Order(StringComparer.Ordinal))
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(InputsDir, harness)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
            {
                data.Add(harness, file);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_runs_clean_and_fast(string harness, string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(InputsDir, harness, file));
        Assert.True(input.Length <= 1024 * 1024, "regression inputs are minimised");
        var watch = Stopwatch.StartNew();
        ReplyHarness.All[harness](input);
        Assert.True(watch.Elapsed < Bound, $"{harness}/{file} took {watch.Elapsed}");
    }

    [Fact]
    public void Patch_with_too_many_recipients_is_answered_within_the_cap()
    {
        // The harness reaches the composer (the promises are checked there): author (Reply-To names 40 addresses, so
        // From), the list, and 20 of the Cc; never the mailer daemon, the list software or the bot in that Cc.
        var outcome = ReplyHarness.Run(File.ReadAllBytes(Path.Combine(InputsDir, "reply", "cc-over-the-cap-with-list-software.eml")));
        Assert.Equal(new ReplyHarness.Outcome("replied", 1 + 1 + 20, 0), outcome with { References = 0 });
    }

    [Fact]
    public void Reply_keeps_a_bounded_references_header()
    {
        var outcome = ReplyHarness.Run(File.ReadAllBytes(Path.Combine(InputsDir, "reply", "references-over-the-bound.eml")));
        Assert.Equal("replied", outcome.Stage);
        Assert.Equal(20, outcome.References);
    }

    [Fact]
    public void Bounce_stops_at_the_intake_filters()
    {
        byte[] patch = File.ReadAllBytes(Path.Combine(InputsDir, "reply", "references-over-the-bound.eml"));
        byte[] bounce = [.. "From: MAILER-DAEMON@mail.example.org\n"u8, .. patch];
        Assert.StartsWith("never answered: a bounce", ReplyHarness.Run(bounce).Stage, StringComparison.Ordinal);
    }
}
