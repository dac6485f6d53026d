using System.Diagnostics;
using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Xunit.Abstractions;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// patchbot serve against real servers: Postfix + Dovecot on loopback, git send-email for the patches,
/// public-inbox-imapd for the archive. Every wait is bounded.
/// </summary>
[Collection("mail")]
public sealed class ServeTests(MailServers mail, ITestOutputHelper output)
{
    private static readonly TimeSpan Connect = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(4); // longer than Series:WaitForMissing (3 s)

    private static string Tag() => "t" + Guid.NewGuid().ToString("N")[..8];

    private static BinarySearchQuery BotMailAbout(string tag) =>
        SearchQuery.FromContains("bot@example.test").And(SearchQuery.SubjectContains(tag));

    private static void MakeSeries(PatchRepo repo, string tag, bool bad)
    {
        repo.Write("drivers/ntb/hw/acme/Kconfig", $"config NTB_ACME\n\ttristate \"Acme NTB\"\n\thelp\n\t  Acme NTB ({tag}).\n");
        repo.Commit($"NTB: acme: Kconfig help text {tag}");
        repo.Write(PatchRepo.DriverPath, PatchRepo.Driver(aliasInProbe: bad, tag));
        repo.Commit($"NTB: acme: Add the endpoint driver {tag}");
        repo.Write("drivers/ntb/hw/acme/acme_regs.h", $"#define ACME_BAR 0\n#define ACME_DOORBELL 4 /* {tag} */\n");
        repo.Commit($"NTB: acme: Add the doorbell register {tag}");
    }

    private MimeMessage ArchivedPatch(string tag, string part) =>
        mail.WaitFor("lkml", SearchQuery.SubjectContains(part).And(SearchQuery.SubjectContains(tag)).And(SearchQuery.Not(SearchQuery.FromContains("bot@example.test"))), 1, ReplyTimeout).Single();

    [Fact]
    public void Series_gets_one_threaded_reply_about_the_bad_patch_then_v2_is_fixed_and_a_restart_sends_nothing_twice()
    {
        using var s = new BotScenario(mail);
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        using var repo = new PatchRepo(mail.SmtpPort);
        string tag = Tag();
        MakeSeries(repo, tag, bad: true);
        repo.SendSeries(3, 1, $"acme NTB endpoint {tag}");

        var patch2 = ArchivedPatch(tag, "PATCH 2/3");
        var replies = mail.WaitFor("dev", MailServers.RepliesTo(patch2.MessageId), 1, ReplyTimeout);
        var reply = Assert.Single(replies);
        output.WriteLine(reply.ToString());

        // threading and the robot's headers
        Assert.Equal("Re: " + patch2.Subject, reply.Subject);
        Assert.Equal(patch2.MessageId, reply.InReplyTo);
        Assert.Equal(string.Join(" ", [.. patch2.References, patch2.MessageId]), string.Join(" ", reply.References));
        Assert.Equal("auto-replied", reply.Headers["Auto-Submitted"]);
        var body = Assert.IsType<TextPart>(reply.Body);
        Assert.Equal("text/plain", body.ContentType.MimeType);
        Assert.Equal("utf-8", body.ContentType.Charset, ignoreCase: true);
        Assert.Null(body.ContentType.Parameters["format"]);
        Assert.DoesNotContain("format=flowed", reply.Headers[HeaderId.ContentType], StringComparison.OrdinalIgnoreCase);
        // addresses: the author, Cc the list
        Assert.Equal(["dev@example.test"], reply.To.Mailboxes.Select(m => m.Address));
        Assert.Equal(["lkml@example.test"], reply.Cc.Mailboxes.Select(m => m.Address));
        // body: series, version, the finding at file:line, the quoted line, trace, why, fix, footer
        string text = body.Text;
        Assert.Contains($"acme NTB endpoint {tag}", text, StringComparison.Ordinal);
        Assert.Contains("version: v1", text, StringComparison.Ordinal);
        Assert.Matches(@"drivers/ntb/hw/acme/ntb_hw_acme\.c:\d+: error: .*\[dma-alias-after-iommu-group\]", text);
        Assert.Contains("> \t\tpci_add_dma_alias(pdev, devfn, 1);", text, StringComparison.Ordinal);
        Assert.Contains("trace: acme_ntb_probe (pci_driver.probe) -> acme_ntb_setup_aliases -> pci_add_dma_alias", text, StringComparison.Ordinal);
        Assert.Contains("why:", text, StringComparison.Ordinal);
        Assert.Contains("fix:", text, StringComparison.Ordinal);
        Assert.Contains("patchbot: ignore <rule-id>", text, StringComparison.Ordinal);

        // nothing about the clean patches, nothing twice; the list has its copy too
        Thread.Sleep(Settle);
        Assert.Single(mail.Find("dev", BotMailAbout(tag)));
        Assert.Single(mail.Find("lkml", MailServers.RepliesTo(patch2.MessageId)));

        // v2 with the bug fixed: one mail, on the cover letter, saying it is fixed
        repo.Git("reset", "-q", "--hard", "HEAD~3");
        MakeSeries(repo, tag, bad: false);
        repo.SendSeries(3, 2, $"acme NTB endpoint {tag}");
        var cover2 = ArchivedPatch(tag, "v2 0/3");
        MimeMessage fixedReply = Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(cover2.MessageId), 1, ReplyTimeout));
        string fixedText = (fixedReply.Body as TextPart)?.Text ?? string.Empty;
        output.WriteLine(fixedText);
        Assert.Contains("fixed in v2", fixedText, StringComparison.Ordinal);
        Assert.Contains("[dma-alias-after-iommu-group] is fixed", fixedText, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\.c:\d+: error:", fixedText);
        Thread.Sleep(Settle);
        Assert.Equal(2, mail.Find("dev", BotMailAbout(tag)).Count);

        // graceful stop, restart on the same state: nothing is sent again
        Assert.Equal(0, s.Bot.Stop());
        Assert.Contains("patchbot serve stopping", s.Bot.Log, StringComparison.Ordinal);
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        Thread.Sleep(Settle);
        Assert.Equal(2, mail.Find("dev", BotMailAbout(tag)).Count);
    }

    [Theory]
    [InlineData("stored")]
    [InlineData("checked")]
    [InlineData("sent")]
    public void Killed_at_any_point_the_bot_still_replies_exactly_once(string point)
    {
        using var s = new BotScenario(mail);
        s.Bot.Start(fault: point);
        s.Bot.WaitConnected(Connect);
        using var repo = new PatchRepo(mail.SmtpPort);
        string tag = Tag();
        repo.Write(PatchRepo.DriverPath, PatchRepo.Driver(aliasInProbe: true, tag));
        repo.Commit($"NTB: acme: Add the endpoint driver {tag}");
        repo.SendSeries(1, 1, $"unused {tag}", cover: false);

        Assert.True(s.Bot.WaitExit(ReplyTimeout), "the bot should have killed itself at " + point + ":\n" + s.Bot.Log);
        Assert.Contains($"PATCHBOT_FAULT={point}", s.Bot.Log, StringComparison.Ordinal);
        var patch = ArchivedPatch(tag, "[PATCH]");

        s.Bot.Start();
        var replies = mail.WaitFor("dev", MailServers.RepliesTo(patch.MessageId), 1, ReplyTimeout);
        Assert.Single(replies);
        Thread.Sleep(Settle);
        Assert.Single(mail.Find("dev", MailServers.RepliesTo(patch.MessageId)));
        if (point == "sent")
        {
            const string Recovered = @"was being sent when PatchBot stopped: (found in .*|its copy arrived through a source: it was sent), marked sent";
            var until = DateTime.UtcNow + ReplyTimeout; // the restarted bot may still be starting on a loaded machine
            while (DateTime.UtcNow < until && !System.Text.RegularExpressions.Regex.IsMatch(s.Bot.Log, Recovered))
            {
                Thread.Sleep(200);
            }

            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(s.Bot.Log, Recovered), s.Bot.Log);
            Assert.Single(mail.Find("dev", MailServers.RepliesTo(patch.MessageId)));
        }
    }

    [Fact]
    public void After_an_IMAP_outage_the_bot_reconnects_and_catches_up()
    {
        using var s = new BotScenario(mail);
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        using var repo = new PatchRepo(mail.SmtpPort);
        string tag = Tag();
        repo.Write(PatchRepo.DriverPath, PatchRepo.Driver(aliasInProbe: true, tag));
        repo.Commit($"NTB: acme: Add the endpoint driver {tag}");

        mail.StopDovecot();
        try
        {
            repo.SendSeries(1, 1, $"unused {tag}", cover: false); // Postfix queues it: LMTP is down
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (DateTime.UtcNow < until && !s.Bot.Log.Contains("reconnecting in", StringComparison.Ordinal))
            {
                Thread.Sleep(100);
            }

            Assert.True(s.Bot.Log.Contains("reconnecting in", StringComparison.Ordinal), "no reconnect logged:\n" + s.Bot.Log);
        }
        finally
        {
            mail.StartDovecot();
        }

        var patch = ArchivedPatch(tag, "[PATCH]");
        Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(patch.MessageId), 1, ReplyTimeout));
        Assert.Matches(@"patchbot_source_reconnects_total [1-9]", s.Bot.Metrics());
    }

    [Fact]
    public void A_malformed_mail_is_logged_and_skipped_and_later_mail_is_answered()
    {
        using var s = new BotScenario(mail);
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        string tag = Tag();
        string brokenId = $"broken.{tag}@example.test";
        byte[] broken = System.Text.Encoding.Latin1.GetBytes(
            $"From: Dev <dev@example.test>\r\nTo: lkml@example.test\r\nSubject: [PATCH] broken {tag}\r\nMessage-ID: <{brokenId}>\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"nope\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            "--nope\r\nContent-Type: text/x-patch\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@ not base64 \u00ff\u00fe\r\ndiff --git a/x.c b/x.c\r\n");
        mail.SendRaw("dev@example.test", ["lkml@example.test"], broken);

        using var repo = new PatchRepo(mail.SmtpPort);
        repo.Write(PatchRepo.DriverPath, PatchRepo.Driver(aliasInProbe: true, tag));
        repo.Commit($"NTB: acme: Add the endpoint driver {tag}");
        repo.SendSeries(1, 1, $"unused {tag}", cover: false);
        var patch = ArchivedPatch(tag, "endpoint driver");
        Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(patch.MessageId), 1, ReplyTimeout));
        Assert.Matches($@"message {System.Text.RegularExpressions.Regex.Escape(brokenId)}: (malformed, )?skipped", s.Bot.Log);
        Assert.Empty(mail.Find("dev", MailServers.RepliesTo(brokenId)));
        Assert.False(s.Bot.HasExited);
    }

    [Fact]
    public void Bots_auto_submitted_mail_and_its_own_mail_are_never_answered()
    {
        using var s = new BotScenario(mail);
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        string tag = Tag();
        string patch = File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "ntb-acme-dma-alias-in-probe.patch"));
        patch = patch[(patch.IndexOf('\n', StringComparison.Ordinal) + 1)..]; // the mbox "From " line
        string[] ids = [$"lkp.{tag}@example.test", $"auto.{tag}@example.test"];
        string Mail(string from, string id, string extra) =>
            patch.Replace("From: Ada Developer <ada@example.org>", $"From: {from}\nTo: lkml@example.test\nMessage-ID: <{id}>{extra}", StringComparison.Ordinal)
                .Replace("Subject: [PATCH] NTB", $"Subject: [PATCH] {tag} NTB", StringComparison.Ordinal);
        mail.SendRaw("dev@example.test", ["lkml@example.test"], System.Text.Encoding.UTF8.GetBytes(Mail("kernel test robot <lkp@intel.com>", ids[0], "")));
        mail.SendRaw("dev@example.test", ["lkml@example.test"], System.Text.Encoding.UTF8.GetBytes(Mail("Dev <dev@example.test>", ids[1], "\nAuto-Submitted: auto-generated")));
        var until = DateTime.UtcNow + ReplyTimeout;
        while (DateTime.UtcNow < until && !ids.All(id => s.Bot.Log.Contains($"message {id}: skipped", StringComparison.Ordinal)))
        {
            Thread.Sleep(100);
        }

        output.WriteLine(s.Bot.Log);
        Assert.Contains($"message {ids[0]}: skipped: sender lkp@intel.com is ignored", s.Bot.Log, StringComparison.Ordinal);
        Assert.Contains($"message {ids[1]}: skipped: Auto-Submitted: auto-generated", s.Bot.Log, StringComparison.Ordinal);
        Thread.Sleep(Settle);
        Assert.Empty(mail.Find("dev", BotMailAbout(tag)));
    }

    [Fact]
    public void Delivery_to_reply_latency_median_of_20_on_loopback()
    {
        using var s = new BotScenario(mail);
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);
        string patch = File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "ntb-acme-dma-alias-in-probe.patch"));
        patch = patch[(patch.IndexOf('\n', StringComparison.Ordinal) + 1)..];
        using var watcher = new ImapClient();
        watcher.Connect("127.0.0.1", mail.ImapPort, SecureSocketOptions.None);
        watcher.Authenticate("dev@example.test", MailServers.Password);
        watcher.Inbox.Open(FolderAccess.ReadOnly);
        var samples = new List<double>();
        string run = Tag();
        for (int i = 0; i < 20; i++)
        {
            string id = $"lat{i}.{run}@example.test";
            string raw = patch.Replace("From: Ada Developer <ada@example.org>", $"From: Dev <dev@example.test>\nTo: lkml@example.test\nMessage-ID: <{id}>", StringComparison.Ordinal)
                .Replace("Subject: [PATCH] NTB: acme:", $"Subject: [PATCH] NTB: acme{i} {run}:", StringComparison.Ordinal);
            var sw = Stopwatch.StartNew();
            mail.SendRaw("dev@example.test", ["lkml@example.test"], System.Text.Encoding.UTF8.GetBytes(raw));
            bool got = false;
            while (sw.Elapsed < ReplyTimeout && !got)
            {
                watcher.NoOp();
                got = watcher.Inbox.Search(SearchQuery.HeaderContains("In-Reply-To", id)).Count > 0;
                if (!got)
                {
                    Thread.Sleep(20);
                }
            }

            Assert.True(got, $"no reply to {id}:\n{s.Bot.Log}");
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }

        samples.Sort();
        double median = (samples[9] + samples[10]) / 2;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"delivery-to-reply latency on loopback (SMTP accepted -> reply in the author's IMAP INBOX), 20 patches: median {median:F0} ms, min {samples[0]:F0} ms, max {samples[^1]:F0} ms");
        output.WriteLine(line);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "patchbot-serve-latency.txt"), line + "\n");
        Assert.True(median < 10_000, line);
    }
}
