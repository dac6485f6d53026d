using System.Text.Json.Nodes;
using MailKit.Search;
using MimeKit;
using Xunit.Abstractions;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// patchbot serve with a kernel clone (Tree:Path): each series is analysed against its base-commit: when the clone has
/// it, read from git objects, else against the branch head, and the reply says which. The split case: the helper that
/// calls pci_add_dma_alias() is already in the tree at the series' base; the mailed patch only adds the call from
/// probe(), so only the tree can tell. Real Postfix/Dovecot, git format-patch --base and git send-email.
/// </summary>
[Collection("mail")]
public sealed class TreeServeTests(MailServers mail, ITestOutputHelper output)
{
    private static readonly TimeSpan Connect = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_series_is_checked_at_its_base_commit_from_the_clone_and_without_one_at_the_branch_head()
    {
        string tag = "t" + Guid.NewGuid().ToString("N")[..8];
        using var repo = new PatchRepo(mail.SmtpPort);

        // Upstream: A has the helper (not called yet); B, the branch head, has since removed it.
        repo.Write(PatchRepo.DriverPath, PatchRepo.Driver(helper: true, call: false, tag));
        repo.Commit($"NTB: acme: add the endpoint driver {tag}");
        string baseCommit = repo.Git("rev-parse", "HEAD").Trim();
        repo.Write(PatchRepo.DriverPath, PatchRepo.Driver(helper: false, call: false, tag));
        repo.Commit($"NTB: acme: drop the unused alias helper {tag}");
        string head = repo.Git("rev-parse", "HEAD").Trim();

        string clone = Path.Combine(repo.Dir, "bot-clone.git");
        repo.Git("clone", "-q", "--mirror", repo.Dir, clone);

        using var s = new BotScenario(mail, config =>
        {
            config["Tree"] = new JsonObject
            {
                ["Path"] = clone,
                ["FetchInterval"] = "00:00:01",
                ["CacheDirectory"] = Path.Combine(Path.GetTempPath(), "patchbot-tree-cache-" + tag),
            };
            config["Delivery"]!["Lists"]![0]!["SendWhenClean"] = true;
        });
        s.Bot.Start();
        s.Bot.WaitConnected(Connect);

        // The developer's patch, on A: probe() now calls the helper. format-patch --base writes base-commit: A.
        repo.Git("checkout", "-q", "-b", "topic-" + tag, baseCommit);
        repo.Write(PatchRepo.DriverPath, PatchRepo.Driver(helper: true, call: true, tag));
        repo.Commit($"NTB: acme: set up the DMA aliases {tag}");
        repo.SendSeries(1, 1, string.Empty, cover: false, "--base=" + baseCommit);

        var patch = Archived(tag, "[PATCH]");
        var reply = Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(patch.MessageId), 1, ReplyTimeout));
        string text = Assert.IsType<TextPart>(reply.Body).Text;
        output.WriteLine(text);
        Assert.Contains($"tree:    base-commit {baseCommit[..12]} (from the series)", text, StringComparison.Ordinal);
        Assert.Matches(@"drivers/ntb/hw/acme/ntb_hw_acme\.c:\d+: error: .*\[dma-alias-after-iommu-group\]", text);
        Assert.Contains("trace: acme_ntb_probe (pci_driver.probe) -> acme_ntb_setup_aliases -> pci_add_dma_alias", text, StringComparison.Ordinal);
        Assert.Contains("> \tacme_ntb_setup_aliases(pdev);", text, StringComparison.Ordinal); // anchored at the added call

        // The same change under another title, without base-commit: checked at the clone's head, where the helper is gone.
        repo.Git("commit", "-q", "--amend", "-s", "-m", $"NTB: acme: call the alias helper {tag}");
        repo.SendSeries(1, 1, string.Empty, cover: false);
        var v2 = Archived(tag, "call the alias helper");
        var clean = Assert.Single(mail.WaitFor("dev", MailServers.RepliesTo(v2.MessageId), 1, ReplyTimeout));
        string cleanText = Assert.IsType<TextPart>(clean.Body).Text;
        output.WriteLine(cleanText);
        Assert.Contains($"tree:    HEAD at {head[..12]} (the series names no base-commit)", cleanText, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\.c:\d+: error:", cleanText);

        Assert.Contains($"series {patch.MessageId}: analysed against base-commit {baseCommit[..12]}", s.Bot.Log, StringComparison.Ordinal);
        Assert.Contains($"tree {clone}: fetched", s.Bot.Log, StringComparison.Ordinal);
    }

    private MimeMessage Archived(string tag, string subjectPart) =>
        mail.WaitFor("lkml", SearchQuery.SubjectContains(subjectPart).And(SearchQuery.SubjectContains(tag)).And(SearchQuery.Not(SearchQuery.FromContains("bot@example.test"))), 1, ReplyTimeout).Single();
}
