using System.Text.Json.Nodes;
using MailKit.Search;

namespace PatchBot.EndToEnd.Tests;

/// <summary>A bot started for the first time on a mailbox that already holds patches answers only what comes after.</summary>
[Collection("mail")]
public sealed class FirstRunTests(MailServers mail)
{
    [Fact]
    public void By_default_a_first_start_answers_new_mail_only()
    {
        string tag = "t" + Guid.NewGuid().ToString("N")[..8];
        string old = $"old.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", old, tag + "old", "To: lkml@example.test"));
        Assert.Single(mail.WaitFor("bot", SearchQuery.HeaderContains("Message-ID", old), 1, TimeSpan.FromSeconds(30)));

        using var s = new BotScenario(mail, config => config["Sources"]!["Imap"]![0]!.AsObject().Remove("FirstRun"));
        Assert.DoesNotContain("FirstRun", File.ReadAllText(s.ConfigPath), StringComparison.Ordinal);
        s.Bot.Start();
        s.Bot.WaitConnected(TimeSpan.FromSeconds(40));
        string fresh = $"new.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", fresh, tag + "new", "To: lkml@example.test"));

        Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(fresh), 1, TimeSpan.FromSeconds(40)));
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.Empty(mail.Find("dev", MailServers.RepliesTo(old)));
        Assert.Contains("first run with FirstRun=New", s.Bot.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(old, s.Bot.Log, StringComparison.Ordinal);
    }
}
