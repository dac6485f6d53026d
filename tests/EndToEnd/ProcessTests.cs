using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// The patchbot serve process as systemd sees it: one instance per state file, a clear line and exit 2 for what it
/// refuses at start (settings, a state file in use or damaged), a non-zero exit when it stopped because of a failure.
/// These read a folder (no server needed) and use the real patchbot.dll and a real SQLite file.
/// </summary>
[Collection("mail")]
public sealed class ProcessTests(MailServers mail, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);

    private BotScenario FolderScenario(Action<JsonObject>? tweak = null) => new(mail, config =>
    {
        string inbox = Path.Combine(Path.GetTempPath(), "patchbot-inbox-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(inbox);
        config["Sources"] = new JsonObject { ["Folders"] = new JsonArray(new JsonObject { ["Name"] = "drop", ["Path"] = inbox, ["PollInterval"] = "00:00:00.200" }) };
        config.Remove("Smtp");
        tweak?.Invoke(config);
    });

    private static string InboxOf(BotScenario s) =>
        JsonNode.Parse(File.ReadAllText(s.ConfigPath))!["Sources"]!["Folders"]![0]!["Path"]!.GetValue<string>();

    private static void WaitForLog(BotProcess bot, string text)
    {
        var until = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < until && !bot.Log.Contains(text, StringComparison.Ordinal) && !bot.HasExited)
        {
            Thread.Sleep(100);
        }

        Assert.True(bot.Log.Contains(text, StringComparison.Ordinal), $"no \"{text}\" in the log:\n{bot.Log}");
    }

    private static CliProcess.Result Serve(BotScenario s, params string[] extra) =>
        CliProcess.Run(["serve", "--config", s.ConfigPath, .. extra], workingDirectory: s.Dir);

    /// <summary>stderr holds exactly the expected line(s) and no stack trace.</summary>
    private static void AssertClearLines(CliProcess.Result result, string expected)
    {
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.StartsWith("patchbot serve: ", l, StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_instance_on_the_same_state_refuses_to_start_and_the_lock_goes_with_the_first()
    {
        using var s = FolderScenario();
        s.Bot.Start();
        WaitForLog(s.Bot, "patchbot serve started");

        var second = Serve(s, "--Health:Port=0");
        output.WriteLine(second.Stderr);
        Assert.Equal(2, second.ExitCode);
        AssertClearLines(second, "is in use by another patchbot serve");
        Assert.Single(second.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(s.Bot.HasExited);

        // kill -9 leaves no stale lock: the kernel drops it with the process
        s.Bot.Kill();
        s.Bot.Start();
        var until = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < until && Regex.Count(s.Bot.Log, "patchbot serve started") < 2 && !s.Bot.HasExited)
        {
            Thread.Sleep(100);
        }

        Assert.Equal(2, Regex.Count(s.Bot.Log, "patchbot serve started"));
        Thread.Sleep(1000);
        Assert.False(s.Bot.HasExited);
        Assert.Equal(0, s.Bot.Stop());
    }

    [Fact]
    public void A_state_file_that_is_not_a_database_is_one_line_and_exit_2()
    {
        using var s = FolderScenario();
        File.WriteAllBytes(Path.Combine(s.Dir, "state.db"), [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 7))]);
        var result = Serve(s);
        output.WriteLine(result.Stderr);
        Assert.Equal(2, result.ExitCode);
        AssertClearLines(result, "not a SQLite database");
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_state_file_with_damaged_pages_is_found_at_start_one_line_and_exit_2()
    {
        using var s = FolderScenario();
        string db = Path.Combine(s.Dir, "state.db");
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE filler(x BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO filler SELECT randomblob(200) FROM n;";
            cmd.ExecuteNonQuery();
        }

        using (var f = new FileStream(db, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.True(f.Length > 20 * 4096);
            f.Position = 10 * 4096; // a b-tree page in the middle
            f.Write([.. Enumerable.Repeat((byte)0x5A, 4096)]);
        }

        var result = Serve(s);
        output.WriteLine(result.Stderr);
        Assert.Equal(2, result.ExitCode);
        AssertClearLines(result, "is damaged");
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_bad_rules_file_is_a_configuration_error_not_a_crash()
    {
        using var s = FolderScenario();
        string rules = Path.Combine(s.Dir, "rules.json");
        File.WriteAllText(rules, """{ "rules": { "no-such-rule": "off" }, "severity": 12 """);
        var result = Serve(s, $"--Series:RulesConfig={rules}");
        output.WriteLine(result.Stderr);
        Assert.Equal(2, result.ExitCode);
        AssertClearLines(result, "configuration: Series:RulesConfig");
    }

    [Fact]
    public void Stopping_because_a_service_failed_exits_non_zero()
    {
        using var s = FolderScenario();
        // the dry-run folder cannot be created (a file is in the way): writing the first reply fails and stops the host
        File.WriteAllText(Path.Combine(s.Dir, "dry-run"), "in the way");
        File.WriteAllBytes(Path.Combine(InboxOf(s), "1.eml"), PatchMail.Make("Dev <dev@example.test>", $"exit.{Guid.NewGuid():N}@example.test", "exit", "To: lkml@example.test"));
        s.Bot.Start();
        Assert.True(s.Bot.WaitExit(Timeout), "the bot should have stopped:\n" + s.Bot.Log);
        output.WriteLine(s.Bot.Log);
        Assert.Equal(1, s.Bot.Stop());
        Assert.Contains("patchbot serve: stopped after a failure: IOException", s.Bot.Log, StringComparison.Ordinal);
    }
}
