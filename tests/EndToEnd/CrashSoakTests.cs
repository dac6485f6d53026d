using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailKit.Search;
using Xunit.Abstractions;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// Patches posted while the bot is killed with SIGKILL at random moments and restarted, one author in ten bouncing
/// (550 for the only recipient): every good patch gets exactly one reply, none twice, and a bounced reply never
/// holds up the good ones. PATCHBOT_SOAK_PATCHES sets the number of patches (default 60; the README figures are
/// from 300). Writes its figures to the test output and to $TMP/patchbot-crash-soak.txt.
/// </summary>
[Collection("mail")]
public sealed class CrashSoakTests(MailServers mail, ITestOutputHelper output)
{
    [Fact]
    public void Patches_under_random_kill_9_with_a_bouncing_author_get_one_reply_each()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("PATCHBOT_SOAK_PATCHES"), CultureInfo.InvariantCulture, out int n) ? n : 60;
        using var s = new BotScenario(mail, config =>
        {
            config["Delivery"]!["Lists"] = new JsonArray(new JsonObject { ["Address"] = "lkml@example.test", ["ReplyToAuthor"] = true, ["ReplyToList"] = false });
            config["Series"]!["WaitForMissing"] = "00:00:01";
        });
        s.Bot.Start();
        s.Bot.WaitConnected(TimeSpan.FromSeconds(40));
        string tag = "t" + Guid.NewGuid().ToString("N")[..8];
        var random = new Random(20261130);
        var good = new List<string>();
        var bad = new List<string>();
        int kills = 0;
        var sw = Stopwatch.StartNew();
        var nextKill = sw.Elapsed + TimeSpan.FromMilliseconds(random.Next(500, 4000));

        int starts = 1;
        bool up = true;
        void MaybeKill()
        {
            // kill at a random moment 0.5-4 s into each run (counted from when it is connected again)
            if (!up)
            {
                if (Regex.Count(s.Bot.Log, "connected, INBOX") < starts)
                {
                    return;
                }

                up = true;
                nextKill = sw.Elapsed + TimeSpan.FromMilliseconds(random.Next(500, 4000));
            }

            if (sw.Elapsed < nextKill)
            {
                return;
            }

            s.Bot.Kill();
            kills++;
            s.Bot.Start();
            starts++;
            up = false;
        }

        for (int i = 0; i < count; i++)
        {
            bool bounces = i % 10 == 3;
            string id = $"soak{i}.{tag}@example.test";
            (bounces ? bad : good).Add(id);
            string from = bounces ? "Ghost <ghost@example.test>" : "Dev <dev@example.test>";
            mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make(from, id, $"{tag}s{i}", "To: lkml@example.test"));
            Thread.Sleep(random.Next(0, 60));
            MaybeKill();
        }

        // keep killing for a while after the last patch, then let it finish
        var killUntil = sw.Elapsed + TimeSpan.FromSeconds(10);
        while (sw.Elapsed < killUntil)
        {
            Thread.Sleep(100);
            MaybeKill();
        }

        var query = SearchQuery.FromContains("bot@example.test").And(SearchQuery.SubjectContains(tag));
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        IReadOnlyList<MimeKit.MimeMessage> replies = [];
        while (DateTime.UtcNow < until)
        {
            replies = mail.Find("dev", query);
            if (replies.Select(r => r.InReplyTo).Distinct().Count() >= good.Count)
            {
                break;
            }

            Thread.Sleep(1000);
        }

        Thread.Sleep(TimeSpan.FromSeconds(5));
        replies = mail.Find("dev", query);
        var perPatch = replies.GroupBy(r => r.InReplyTo ?? string.Empty).ToDictionary(g => g.Key, g => g.Count());
        int sent = good.Count(id => perPatch.ContainsKey(id));
        int lost = good.Count - sent;
        int duplicated = good.Count(id => perPatch.TryGetValue(id, out int c) && c > 1);
        int badAnswered = bad.Count(id => perPatch.ContainsKey(id));

        // delivery -> sent for each good reply, from the bot's log (across restarts), and for the good patch right after each bad one
        var elapsed = Regex.Matches(s.Bot.Log, @"message (\S+): reply \S+ sent to .* in (-?\d+) ms after delivery")
            .GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => long.Parse(g.First().Groups[2].Value, CultureInfo.InvariantCulture));
        var goodTimes = good.Where(elapsed.ContainsKey).Select(id => elapsed[id]).Order().ToList();
        var afterBad = Enumerable.Range(0, count).Where(i => i % 10 == 3 && i + 1 < count).Select(i => $"soak{i + 1}.{tag}@example.test")
            .Where(elapsed.ContainsKey).Select(id => elapsed[id]).ToList();
        int failed = Regex.Count(s.Bot.Log, @"failed for good");
        int unconfirmed = Regex.Count(s.Bot.Log, @"not found yet: not sent again");
        string line = string.Create(CultureInfo.InvariantCulture,
            $"crash soak: {count} patches ({good.Count} good, {bad.Count} from a bouncing author), {kills} kill -9 in {sw.Elapsed.TotalSeconds:F0} s: " +
            $"good replies sent {sent}, lost {lost}, duplicated {duplicated}; bounced replies failed {failed}, answered {badAnswered}; unconfirmed after a crash {unconfirmed}; " +
            $"delivery->sent for good replies median {(goodTimes.Count > 0 ? goodTimes[goodTimes.Count / 2] : -1)} ms, max {(goodTimes.Count > 0 ? goodTimes[^1] : -1)} ms; " +
            $"for the good patch right after a bounced one max {(afterBad.Count > 0 ? afterBad.Max() : -1)} ms");
        output.WriteLine(line);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "patchbot-crash-soak.txt"), line + "\n");

        Assert.Equal(0, duplicated);
        Assert.Equal(0, badAnswered);
        // a reply is lost only when a kill cut it off before the server answered (unconfirmed, never re-sent)
        Assert.True(lost <= unconfirmed, line);
        Assert.True(kills > 0, line);
    }
}
