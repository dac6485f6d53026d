using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// patchbot serve reading a real public-inbox archive through public-inbox-imapd (read-only, as lore serves it),
/// fed with the real linux-pci mails of tests/corpus: every message is read and checked; with no SMTP server
/// configured every reply is a dry-run written to a folder.
/// </summary>
[Collection("mail")]
public sealed class PublicInboxTests(MailServers mail, ITestOutputHelper output)
{
    [Fact]
    public void The_bot_reads_every_message_of_a_public_inbox_archive_and_checks_it()
    {
        _ = mail; // the collection's servers are up; public-inbox needs none of them
        using var pi = new PublicInboxStack("PI_IMPORT_MBOX", dir => Path.Combine(dir, "corpus.mbox"));

        // The corpus cases as one mboxrd, as lore's archives are.
        var cases = Directory.GetFiles(RepoPaths.CorpusCases, "*.eml").Order(StringComparer.Ordinal).ToList();
        using (var mbox = new StreamWriter(pi.Environment["PI_IMPORT_MBOX"], false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            foreach (var file in cases)
            {
                mbox.Write("From mboxrd@z Thu Jan  1 00:00:00 1970\n");
                foreach (var line in File.ReadAllText(file, Encoding.Latin1).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n'))
                {
                    string l = line.TrimStart('>').StartsWith("From ", StringComparison.Ordinal) ? ">" + line : line;
                    mbox.Write(l + "\n");
                }

                mbox.Write("\n");
            }
        }

        output.WriteLine(pi.Up());
        int archived = int.Parse(MailServers.Run("git", ["--git-dir", pi.Archive("linux-pci"), "rev-list", "--count", "HEAD"], TimeSpan.FromSeconds(30)).Trim(), CultureInfo.InvariantCulture);
        Assert.True(archived >= cases.Count - 2, $"public-inbox archived {archived} of {cases.Count}");

        using var s = new BotScenario(mail, config =>
        {
            config["Sources"] = new JsonObject
            {
                ["PublicInbox"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "lore", ["Host"] = "127.0.0.1", ["Port"] = pi.ImapPort, ["Security"] = "None",
                    ["Mailbox"] = "org.kernel.vger.linux-pci.0", ["FirstRun"] = "All", // the whole archive, not only new mail
                }),
            };
            config.Remove("Smtp");
            config["Delivery"]!["Lists"] = new JsonArray();
        });
        s.Bot.Start();
        s.Bot.WaitConnected(TimeSpan.FromSeconds(40));

        // every archived message is received, and nothing stays pending once the wait for missing parts is over
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string metrics = string.Empty;
        while (DateTime.UtcNow < until)
        {
            metrics = s.Bot.Metrics();
            if (metrics.Contains($"patchbot_messages_received_total {archived}\n", StringComparison.Ordinal)
                && metrics.Contains("patchbot_messages_pending 0\n", StringComparison.Ordinal))
            {
                break;
            }

            Thread.Sleep(250);
        }

        output.WriteLine(metrics);
        Assert.Contains($"patchbot_messages_received_total {archived}\n", metrics, StringComparison.Ordinal);
        Assert.Contains("patchbot_messages_pending 0\n", metrics, StringComparison.Ordinal);
        Assert.Matches(@"patchbot_series_checked_total [1-9]", metrics);
        Assert.DoesNotContain("outcome=\"sent\"", metrics, StringComparison.Ordinal);

        // the labelled positive cases give dry-run replies, written to the folder and the log, never sent
        string dryRun = Path.Combine(s.Dir, "dry-run");
        var mails = Directory.Exists(dryRun) ? Directory.GetFiles(dryRun, "*.eml") : [];
        output.WriteLine($"{archived} messages archived, {mails.Length} dry-run replies");
        Assert.NotEmpty(mails);
        Assert.Contains("dry-run reply", s.Bot.Log, StringComparison.Ordinal);
        foreach (var m in mails)
        {
            string text = File.ReadAllText(m);
            Assert.Contains("Auto-Submitted: auto-replied", text, StringComparison.Ordinal);
            Assert.Matches(@"\[(dma-alias-after-iommu-group|dma-alias-in-final-fixup|sysfs-after-device-add)\]", text);
        }

        // every message the bot stored is accounted for in the log by its Message-ID
        Assert.Equal(archived, System.Text.RegularExpressions.Regex.Count(s.Bot.Log, "lore: stored message "));
    }
}
