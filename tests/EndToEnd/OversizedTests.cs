using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace PatchBot.EndToEnd.Tests;

/// <summary>A mail over the size limit of <c>patchbot check</c> (32 MiB) is skipped before it is stored: only its
/// header is fetched and kept, and the mail after it is answered.</summary>
[Collection("mail")]
public sealed class OversizedTests(MailServers mail, ITestOutputHelper output)
{
    [Fact]
    public void A_mail_over_the_limit_is_skipped_without_being_stored_and_the_next_is_answered()
    {
        using var s = new BotScenario(mail);
        s.Bot.Start();
        s.Bot.WaitConnected(TimeSpan.FromSeconds(40));
        string tag = "t" + Guid.NewGuid().ToString("N")[..8];
        string big = $"big.{tag}@example.test";
        var raw = new StringBuilder();
        raw.Append(Encoding.UTF8.GetString(PatchMail.Make("Dev <dev@example.test>", big, tag + "big", "To: lkml@example.test")).Replace("\n", "\r\n", StringComparison.Ordinal));
        string line = new string('x', 998) + "\r\n";
        for (int i = 0; i < 34 * 1024; i++)
        {
            raw.Append(line); // 34 MB of body
        }

        mail.SendRaw("dev@example.test", ["bot@example.test"], Encoding.ASCII.GetBytes(raw.ToString()));
        raw.Clear();
        string small = $"small.{tag}@example.test";
        mail.SendRaw("dev@example.test", ["lkml@example.test"], PatchMail.Make("Dev <dev@example.test>", small, tag + "small", "To: lkml@example.test"));

        Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(small), 1, TimeSpan.FromSeconds(90)));
        Assert.Matches($@"message {Regex.Escape(big)}: skipped: message is over the limit of 33554432 bytes \(\d+\); skipped", s.Bot.Log);
        Assert.Empty(mail.Find("dev", MailServers.RepliesTo(big)));
        long db = new FileInfo(Path.Combine(s.Dir, "state.db")).Length + (File.Exists(Path.Combine(s.Dir, "state.db-wal")) ? new FileInfo(Path.Combine(s.Dir, "state.db-wal")).Length : 0);
        output.WriteLine($"state.db + wal: {db} bytes");
        Assert.True(db < 4 * 1024 * 1024, $"the state holds {db} bytes");
        Assert.Contains("patchbot_messages_total{outcome=\"oversized\"} 1", s.Bot.Metrics(), StringComparison.Ordinal);
    }
}
