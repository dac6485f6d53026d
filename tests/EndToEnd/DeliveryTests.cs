using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailKit.Search;
using Xunit.Abstractions;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// The outbox against a real Postfix that refuses some recipients: unknown users of example.test get 550 5.1.1
/// (permanent), busy@example.test gets 450 (temporary). A refused reply never holds up the others.
/// </summary>
[Collection("mail")]
public sealed class DeliveryTests(MailServers mail, ITestOutputHelper output)
{
    private static readonly TimeSpan Connect = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(40);

    private static string Tag() => "t" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>lkml@ replies to the author and the list; bob@ stands for a list whose policy mails the author only.</summary>
    private static void TwoLists(JsonObject config)
    {
        config["Delivery"]!["Lists"] = new JsonArray(
            new JsonObject { ["Address"] = "lkml@example.test", ["ReplyToAuthor"] = true, ["ReplyToList"] = true },
            new JsonObject { ["Address"] = "bob@example.test", ["ReplyToAuthor"] = true, ["ReplyToList"] = false });
        var smtp = config["Smtp"]!.AsObject();
        smtp["RetryMin"] = "00:00:00.300";
        smtp["RetryMax"] = "00:00:01";
        smtp["GiveUpAfter"] = "00:00:05";
    }

    private static void WaitForLog(BotProcess bot, string pattern, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until && !Regex.IsMatch(bot.Log, pattern))
        {
            Thread.Sleep(100);
        }

        Assert.True(Regex.IsMatch(bot.Log, pattern), $"log never matched {pattern}:\n{bot.Log}");
    }

    private static string WaitForMetric(BotProcess bot, string pattern, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        string metrics = bot.Metrics();
        while (DateTime.UtcNow < until && !Regex.IsMatch(metrics, pattern, RegexOptions.Multiline))
        {
            Thread.Sleep(200);
            metrics = bot.Metrics();
        }

        Assert.Matches(new Regex(pattern, RegexOptions.Multiline), metrics);
        return metrics;
    }

    [Fact]
    public void Refused_replies_end_as_failed_or_wait_their_turn_and_never_hold_up_a_good_one()
    {
        using var s = new BotScenario(mail, TwoLists);
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        string tag = Tag();
        string unknownOnly = $"ghost-only.{tag}@example.test";
        string busyOnly = $"busy-only.{tag}@example.test";
        string good = $"good.{tag}@example.test";
        string unknownAndList = $"ghost-list.{tag}@example.test";

        // a reply whose only recipient does not exist (550), one whose only recipient is busy (450), then a good one
        mail.SendRaw("dev@example.test", ["bot@example.test"], PatchMail.Make("Ghost <ghost@example.test>", unknownOnly, tag + "a", "To: bob@example.test"));
        mail.SendRaw("dev@example.test", ["bot@example.test"], PatchMail.Make("Busy <busy@example.test>", busyOnly, tag + "b", "To: bob@example.test"));
        mail.SendRaw("dev@example.test", ["bot@example.test"], PatchMail.Make("Dev <dev@example.test>", good, tag + "c", "To: bob@example.test"));
        // on the list: the author does not exist, the list still gets the reply
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Ghost <ghost@example.test>", unknownAndList, tag + "d", "To: lkml@example.test"));

        Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(good), 1, ReplyTimeout));
        Assert.Single(mail.WaitFor("lkml", MailServers.RepliesTo(unknownAndList), 1, ReplyTimeout));
        WaitForLog(s.Bot, $@"message {Regex.Escape(unknownAndList)}: reply \S+: recipient ghost@example\.test refused \(550", ReplyTimeout);
        WaitForLog(s.Bot, $@"message {Regex.Escape(unknownAndList)}: reply \S+ sent to lkml@example\.test in", ReplyTimeout);

        // the permanent refusal failed at once and is never tried again
        WaitForLog(s.Bot, $@"message {Regex.Escape(unknownOnly)}: reply \S+ failed for good \(attempt 1\), not retried: every recipient refused: ghost@example\.test: 550", ReplyTimeout);

        // the temporary one is retried with growing waits, then given up after GiveUpAfter (5 s)
        WaitForLog(s.Bot, $@"message {Regex.Escape(busyOnly)}: reply \S+ failed for good .*Smtp:GiveUpAfter", TimeSpan.FromSeconds(30));
        var delays = Regex.Matches(s.Bot.Log, $@"message {Regex.Escape(busyOnly)}: reply \S+ deferred \(attempt (\d+)\): every recipient refused: busy@example\.test: 450 .*; next try in (\S+)")
            .Select(m => TimeSpan.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        output.WriteLine("busy@ waits: " + string.Join(", ", delays));
        Assert.True(delays.Count >= 2, s.Bot.Log);
        Assert.Equal(TimeSpan.FromMilliseconds(300), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(600), delays[1]);
        Assert.All(delays, d => Assert.True(d <= TimeSpan.FromSeconds(1)));

        var metrics = WaitForMetric(s.Bot, @"^patchbot_outbox_failed 2$", TimeSpan.FromSeconds(10));
        output.WriteLine(metrics);
        Assert.Contains("patchbot_replies_total{outcome=\"failed\"} 2", metrics, StringComparison.Ordinal);
        Assert.Matches(@"patchbot_replies_total\{outcome=""deferred""\} [2-9]", metrics);
        Assert.Contains("patchbot_reply_recipients_refused_total{outcome=\"permanent\"} 1", metrics, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(s.Bot.Log, $@"message {Regex.Escape(unknownOnly)}: reply \S+ (failed|deferred|sent)"));
        Assert.False(s.Bot.HasExited);
    }

    [Fact]
    public void An_unreachable_smtp_server_holds_every_reply_with_backoff_and_loses_none()
    {
        int closedPort = MailServers.FreePort();
        using var s = new BotScenario(mail, config =>
        {
            TwoLists(config);
            config["Smtp"]!["Port"] = closedPort;
        });
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        string tag = Tag();
        string id = $"down.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["bot@example.test"], PatchMail.Make("Dev <dev@example.test>", id, tag, "To: bob@example.test"));
        WaitForLog(s.Bot, @"smtp server unavailable: .*; every reply waits, next try in 00:00:01", TimeSpan.FromSeconds(30));
        var waits = Regex.Matches(s.Bot.Log, @"smtp server unavailable: .*next try in (\S+)").Select(m => m.Groups[1].Value).ToList();
        output.WriteLine(string.Join(", ", waits));
        Assert.Equal(["00:00:00.3000000", "00:00:00.6000000", "00:00:01"], waits.Take(3));
        var metrics = s.Bot.Metrics();
        Assert.Contains("patchbot_outbox_pending 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("outcome=\"failed\"", metrics, StringComparison.Ordinal);
        Assert.Empty(mail.Find("dev", MailServers.RepliesTo(id)));
    }
}
