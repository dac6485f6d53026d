using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MimeKit;
using Xunit.Abstractions;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// Whom the bot mails and whom it never answers, through real Postfix + Dovecot: the reply's recipients are read
/// from the copy the list archive (lkml@) received.
/// </summary>
[Collection("mail")]
public sealed class AudienceTests(MailServers mail, ITestOutputHelper output)
{
    private static readonly TimeSpan Connect = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(4);

    private static string Tag() => "t" + Guid.NewGuid().ToString("N")[..8];

    private static void WaitForLog(BotProcess bot, string pattern)
    {
        var until = DateTime.UtcNow + ReplyTimeout;
        while (DateTime.UtcNow < until && !Regex.IsMatch(bot.Log, pattern))
        {
            Thread.Sleep(100);
        }

        Assert.True(Regex.IsMatch(bot.Log, pattern), $"log never matched {pattern}:\n{bot.Log}");
    }

    private static IEnumerable<string> Recipients(MimeMessage m) => m.To.Mailboxes.Concat(m.Cc.Mailboxes).Select(a => a.Address);

    [Fact]
    public void A_reply_goes_to_the_author_the_list_and_at_most_the_cap_of_the_patch_recipients()
    {
        using var s = new BotScenario(mail, config =>
            config["Delivery"]!["Lists"] = new JsonArray(new JsonObject { ["Address"] = "lkml@example.test", ["CcRecipients"] = true, ["MaxCcRecipients"] = 5 }));
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        string tag = Tag();

        // Reply-To names 40 third parties: none of them is mailed, the author (From) is
        string manyReplyTo = $"replyto.{tag}@example.test";
        string thirdParties = string.Join(", ", Enumerable.Range(0, 40).Select(i => $"victim{i}@elsewhere.test"));
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", manyReplyTo, tag + "a", "To: lkml@example.test", $"Reply-To: {thirdParties}"));

        // Cc'd to 30 people, list software and a mailer daemon: the reply Cc's 5 people (the cap), never the robots
        string manyCc = $"cc.{tag}@example.test";
        string ccs = "lkml-owner@example.test, MAILER-DAEMON@example.test, owner-lkml@example.test, "
            + string.Join(", ", Enumerable.Range(0, 30).Select(i => $"person{i}@elsewhere.test"));
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", manyCc, tag + "b", "To: lkml@example.test", $"Cc: {ccs}"));

        var first = Assert.Single(mail.WaitFor("lkml", MailServers.RepliesTo(manyReplyTo), 1, ReplyTimeout));
        output.WriteLine(string.Join(", ", Recipients(first)));
        Assert.Equal(["dev@example.test"], first.To.Mailboxes.Select(a => a.Address));
        Assert.Equal(["lkml@example.test"], first.Cc.Mailboxes.Select(a => a.Address));

        var second = Assert.Single(mail.WaitFor("lkml", MailServers.RepliesTo(manyCc), 1, ReplyTimeout));
        output.WriteLine(string.Join(", ", Recipients(second)));
        Assert.Equal(["dev@example.test", "lkml@example.test", "person0@elsewhere.test", "person1@elsewhere.test", "person2@elsewhere.test", "person3@elsewhere.test", "person4@elsewhere.test"],
            Recipients(second));
        Assert.Single(mail.Find("dev", MailServers.RepliesTo(manyReplyTo)));
    }

    [Fact]
    public void A_list_policy_applies_only_to_the_list_address_in_mail_from_its_own_source_never_to_a_List_Id()
    {
        string drop = Path.Combine(Path.GetTempPath(), "patchbot-drop-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(drop);
        using var s = new BotScenario(mail, config =>
        {
            config["Sources"]!["Folders"] = new JsonArray(new JsonObject { ["Name"] = "drop", ["Path"] = drop, ["PollInterval"] = "00:00:00.200" });
            config["Delivery"]!["Lists"] = new JsonArray(new JsonObject { ["Address"] = "lkml@example.test", ["Sources"] = new JsonArray("bot") });
        });
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        string tag = Tag();

        // sent privately with a forged List-Id of the configured list: not the list's mail, so only a dry run
        string forged = $"listid.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["bot@example.test"], PatchMail.Make("Dev <dev@example.test>", forged, tag + "a", "To: alice@example.test", "List-Id: <lkml.example.test>"));
        // addressed to the list but dropped into another source: the list policy is not this source's, dry run
        string elsewhere = $"drop.{tag}@example.test";
        File.WriteAllBytes(Path.Combine(drop, "1.eml"), PatchMail.Make("Dev <dev@example.test>", elsewhere, tag + "b", "To: lkml@example.test"));
        // the real list post through the bot's source: mailed
        string real = $"real.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", real, tag + "c", "To: lkml@example.test"));

        Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(real), 1, ReplyTimeout));
        WaitForLog(s.Bot, $@"message {Regex.Escape(forged)}: dry-run reply");
        WaitForLog(s.Bot, $@"message {Regex.Escape(elsewhere)}: dry-run reply");
        Thread.Sleep(Settle);
        Assert.Empty(mail.Find("dev", MailServers.RepliesTo(forged)));
        Assert.Empty(mail.Find("dev", MailServers.RepliesTo(elsewhere)));
        Assert.Empty(mail.Find("alice", MailServers.RepliesTo(forged)));
        Directory.Delete(drop, recursive: true);
    }

    [Fact]
    public void Bounces_list_software_and_bulk_mail_are_never_answered_but_a_list_post_is()
    {
        using var s = new BotScenario(mail);
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        string tag = Tag();
        var never = new (string Id, string From, string[] Headers, string Reason)[]
        {
            ($"daemon.{tag}@example.test", "Mail Delivery System <MAILER-DAEMON@example.test>", [], "a bounce (from MAILER-DAEMON@example.test)"),
            ($"owner.{tag}@example.test", "lkml-owner@example.test", [], "list software (lkml-owner@example.test)"),
            ($"request.{tag}@example.test", "lkml-request@example.test", [], "list software (lkml-request@example.test)"),
            ($"bounces.{tag}@example.test", "lkml-bounces+dev=example.test@example.test", [], "list software (lkml-bounces+dev=example.test@example.test)"),
            ($"junk.{tag}@example.test", "Dev <dev@example.test>", ["Precedence: junk"], "Precedence: junk"),
            ($"bulk.{tag}@example.test", "Dev <dev@example.test>", ["Precedence: bulk"], "Precedence: bulk and no List-Id"),
            ($"list.{tag}@example.test", "The list <lkml@example.test>", ["List-Id: <lkml.example.test>"], "mail of the list itself (lkml@example.test), no patch author behind it"),
        };
        int n = 0;
        foreach (var (id, from, headers, _) in never)
        {
            mail.SendRaw("dev@example.test", ["bot@example.test"], PatchMail.Make(from, id, $"{tag}n{n++}", ["To: lkml@example.test", .. headers]));
        }

        // a person's post as the list delivers it (vger adds Precedence: bulk and List-Id): answered
        string post = $"post.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", post, tag + "p", "To: lkml@example.test", "Precedence: bulk", "List-Id: Kernel list <lkml.example.test>"));
        Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(post), 1, ReplyTimeout));

        foreach (var (id, _, _, reason) in never)
        {
            WaitForLog(s.Bot, $"message {Regex.Escape(id)}: skipped: {Regex.Escape(reason)}");
        }

        Thread.Sleep(Settle);
        output.WriteLine(s.Bot.Log);
        Assert.All(never, m => Assert.Empty(mail.Find("lkml", MailServers.RepliesTo(m.Id))));
        Assert.False(Directory.Exists(Path.Combine(s.Dir, "dry-run")) && Directory.EnumerateFiles(Path.Combine(s.Dir, "dry-run")).Any());
    }
}
