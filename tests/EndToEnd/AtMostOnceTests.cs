using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailKit.Search;
using Xunit.Abstractions;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// At most one reply per patch across crashes, in every configuration: the bot is killed (SIGKILL) right after the
/// SMTP server accepted a reply, before it could record that, or just before the server got it, and restarted.
/// </summary>
[Collection("mail")]
public sealed class AtMostOnceTests(MailServers mail, ITestOutputHelper output)
{
    private static readonly TimeSpan Connect = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    private static string Tag() => "t" + Guid.NewGuid().ToString("N")[..8];

    private static void AuthorOnly(JsonObject config) =>
        config["Delivery"]!["Lists"] = new JsonArray(new JsonObject { ["Address"] = "lkml@example.test", ["ReplyToAuthor"] = true, ["ReplyToList"] = false });

    private static void WaitForLog(BotProcess bot, string pattern, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until && !Regex.IsMatch(bot.Log, pattern))
        {
            Thread.Sleep(100);
        }

        Assert.True(Regex.IsMatch(bot.Log, pattern), $"log never matched {pattern}:\n{bot.Log}");
    }

    [Fact]
    public void A_reply_to_the_author_alone_taken_by_the_server_before_a_crash_is_not_sent_again()
    {
        using var s = new BotScenario(mail, AuthorOnly);
        s.Bot.Start(fault: "sent");
        s.Bot.WaitConnected(Connect);
        string tag = Tag();
        string id = $"alone.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", id, tag, "To: lkml@example.test"));
        Assert.True(s.Bot.WaitExit(ReplyTimeout), "the bot should have killed itself after the send:\n" + s.Bot.Log);

        s.Bot.Start();
        WaitForLog(s.Bot, $@"message {Regex.Escape(id)}: reply \S+ was being sent when PatchBot stopped: (found in (bot|the mail PatchBot received)|its copy arrived through a source: it was sent), marked sent", ReplyTimeout);
        Thread.Sleep(Settle);
        output.WriteLine(s.Bot.Log);
        var replies = mail.Find("dev", MailServers.RepliesTo(id));
        Assert.Single(replies);
        Assert.Equal(["dev@example.test"], replies[0].To.Mailboxes.Concat(replies[0].Cc.Mailboxes).Select(m => m.Address));
    }

    [Fact]
    public void A_reply_cut_off_before_the_server_answered_is_never_sent_twice_and_is_reported_unconfirmed()
    {
        using var s = new BotScenario(mail, AuthorOnly);
        s.Bot.Start(fault: "sending");
        s.Bot.WaitConnected(Connect);
        string tag = Tag();
        string id = $"cut.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", id, tag, "To: lkml@example.test"));
        Assert.True(s.Bot.WaitExit(ReplyTimeout), "the bot should have killed itself before the send:\n" + s.Bot.Log);

        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        WaitForLog(s.Bot, $@"message {Regex.Escape(id)}: reply \S+ was being sent when PatchBot stopped: not found yet: not sent again", ReplyTimeout);
        Thread.Sleep(Settle);
        Assert.Empty(mail.Find("dev", MailServers.RepliesTo(id)));
        Assert.Contains("patchbot_outbox_unconfirmed 1", s.Bot.Metrics(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_only_a_public_inbox_archive_a_reply_taken_before_a_crash_is_found_there_and_not_sent_again()
    {
        using var pi = new PublicInboxStack("PI_WATCH_MAILDIR", _ => Path.Combine(mail.Dir, "mail", "example.test", "lkml"));
        output.WriteLine(pi.Up());
        string tag = Tag();
        // the archive of lkml@ gets its first message (the IMAP newsgroup slice exists from then on)
        mail.SendRaw("dev@example.test", ["lkml@example.test"], System.Text.Encoding.UTF8.GetBytes(
            $"From: Dev <dev@example.test>\r\nTo: lkml@example.test\r\nSubject: hello {tag}\r\nMessage-ID: <hello.{tag}@example.test>\r\n\r\nhello\r\n"));
        string archive = pi.Archive("lkml");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        bool Archived(string subject)
        {
            try
            {
                return MailServers.Run("git", ["--git-dir", archive, "log", "--format=%s"], TimeSpan.FromSeconds(30)).Contains(subject, StringComparison.Ordinal);
            }
            catch (InvalidOperationException)
            {
                return false; // no commit yet
            }
        }

        // the watcher also imports what earlier tests left in lkml's Maildir: wait until it is through
        while (DateTime.UtcNow < until && !Archived($"hello {tag}"))
        {
            Thread.Sleep(250);
        }

        Assert.True(Archived($"hello {tag}"), "public-inbox-watch did not archive the first message");

        using var s = new BotScenario(mail, config =>
        {
            config["Sources"] = new JsonObject
            {
                ["PublicInbox"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "lore", ["Host"] = "127.0.0.1", ["Port"] = pi.ImapPort, ["Security"] = "None",
                    ["Mailbox"] = "test.example.lkml.0", ["FirstRun"] = "New", ["PollInterval"] = "00:00:01",
                    ["ReconnectMin"] = "00:00:00.200", ["ReconnectMax"] = "00:00:01",
                }),
            };
        });
        // Replies an earlier test's bot (its own state) sent to the same leftover patches carry the same Message-ID:
        // they are counted here so that only this bot's copies are held to "at most once".
        var before = mail.Find("lkml", SearchQuery.FromContains("bot@example.test"));
        s.Bot.Start(fault: "sent");
        s.Bot.WaitConnected(TimeSpan.FromSeconds(90));
        string id = $"pi.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", id, tag, "To: lkml@example.test"));
        Assert.True(s.Bot.WaitExit(TimeSpan.FromSeconds(90)), "the bot should have killed itself after the send:\n" + s.Bot.Log);

        s.Bot.Start();
        // The archive may still be importing what earlier tests left in lkml's Maildir, so the reply cut off can be
        // to one of those patches: whichever it was, it is found (or its copy arrives) and is never sent twice.
        const string Recovered = @"message (\S+): reply \S+ was being sent when PatchBot stopped: (found in|its copy arrived)";
        WaitForLog(s.Bot, Recovered, TimeSpan.FromSeconds(90));
        string interrupted = Regex.Match(s.Bot.Log, Recovered).Groups[1].Value;
        Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(id), 1, TimeSpan.FromSeconds(90)));
        Thread.Sleep(Settle);
        output.WriteLine(s.Bot.Log);
        int earlier = before.Count(m => m.InReplyTo == interrupted.Trim('<', '>'));
        Assert.Equal(earlier + 1, mail.Find("lkml", MailServers.RepliesTo(interrupted)).Count);
        Assert.Single(mail.Find("dev", MailServers.RepliesTo(id)));
    }
}
