using PatchBot.PatchParser.Mail;
using static PatchBot.PatchParser.Tests.Mail.MailTestKit;

namespace PatchBot.PatchParser.Tests.Mail;

/// <summary>Replies, cover letters, pull requests; commit messages and trailers.</summary>
public class ClassificationTests
{
    private static string Quoted(string text) => string.Concat(text.Split('\n').Select(l => "> " + l + "\n"));

    [Fact]
    public void Reply_quoting_a_patch_gives_no_patch()
    {
        var item = ReadOne(Message("Re: [PATCH] PCI: Add quirk", "On Mon, Jane wrote:\n" + Quoted(Body) + "\nLooks good.\n",
            "In-Reply-To: <0@example.org>\nReferences: <a@x> <0@example.org>\n"));
        Assert.Equal(MailItemKind.Reply, item.Kind);
        Assert.Empty(item.Patches);
        Assert.Contains("quoting", item.Reason, StringComparison.Ordinal);
        Assert.Equal("0@example.org", item.InReplyTo);
        Assert.Equal(["a@x", "0@example.org"], item.References);
    }

    [Fact]
    public void Quoted_patch_without_re_prefix_is_still_a_reply()
    {
        var item = ReadOne(Message("[PATCH] PCI: Add quirk", Quoted(Body)));
        Assert.Equal(MailItemKind.Reply, item.Kind);
        Assert.Empty(item.Patches);
    }

    [Fact]
    public void Reply_with_its_own_diff_is_a_patch()
    {
        var item = ReadOne(Message("Re: [PATCH] PCI: Add quirk", "> old text\n\nHow about this instead?\n\n" + QuirkDiff));
        Assert.Equal(MailItemKind.Patch, item.Kind);
        Assert.True(item.PatchSubject.IsReply);
    }

    [Fact]
    public void Cover_letter_is_recorded_without_patches()
    {
        var item = ReadOne(Message("[PATCH v2 0/3] PCI: Switchtec fixes", "This series...\n\n drivers/pci/quirks.c | 1 +\n 1 file changed\n"));
        Assert.Equal(MailItemKind.CoverLetter, item.Kind);
        Assert.Empty(item.Patches);
        Assert.Contains("cover letter", item.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Git_pull_subject_is_a_pull_request_even_with_a_diff()
    {
        var item = ReadOne(Message("[GIT PULL] PCI changes for v5.11", "Please pull.\n\n" + QuirkDiff));
        Assert.Equal(MailItemKind.PullRequest, item.Kind);
        Assert.Empty(item.Patches);
    }

    private const string RequestPull =
        "The following changes since commit f8394f232b1eab649ce2df5c5f15b0e528c92091:\n\n  Linux 5.10-rc3\n\n" +
        "are available in the Git repository at:\n\n  git://git.kernel.org/pub/scm/linux/kernel/git/helgaas/pci.git tags/pci\n\n" +
        "for you to fetch changes up to 255b2d524884e4ec60333131aa0ca0ef19826dc2:\n\n";

    [Fact]
    public void Request_pull_body_is_a_pull_request()
    {
        var item = ReadOne(Message("PCI fixes for 6.1", RequestPull + QuirkDiff));
        Assert.Equal(MailItemKind.PullRequest, item.Kind);
        Assert.Empty(item.Patches);
    }

    [Fact]
    public void Quoted_request_pull_in_a_reply_is_a_reply()
    {
        var item = ReadOne(Message("Re: PCI fixes for 6.1", Quoted(RequestPull) + "\nPulled, thanks.\n"));
        Assert.Equal(MailItemKind.Reply, item.Kind);
    }

    [Fact]
    public void Every_trailer_is_read()
    {
        var body = "PCI: do the thing.\n\nLonger explanation with a Note: that is prose.\n\n" +
            "Fixes: 0123456789ab (\"PCI: old thing\")\n" +
            "Reported-by: R <r@example.org>\n" +
            "Closes: https://lore.kernel.org/r/1@example.org\n" +
            "Link: https://bugzilla.kernel.org/show_bug.cgi?id=1\n" +
            "Suggested-by: S <s@example.org>\n" +
            "Co-developed-by: C <c@example.org>\n" +
            "Signed-off-by: C <c@example.org>\n" +
            "Signed-off-by: Jane Dev <jane@example.org>\n" +
            "[bhelgaas: commit log]\n" +
            "Reviewed-by: V <v@example.org>\n" +
            "Acked-by: A <a@example.org>\n" +
            "Tested-by: T <t@example.org>\n" +
            "cc: stable@vger.kernel.org # 5.4+\n" +
            "---\nv2: fixed things\n\n drivers/pci/quirks.c | 1 +\n\n" + QuirkDiff +
            "\nbase-commit: 1111111111111111111111111111111111111111\n" +
            "change-id: 20240101-quirk-abcdef\n" +
            "prerequisite-patch-id: 2222222222222222222222222222222222222222\n\n" +
            "Best regards,\n-- \nJane Dev <jane@example.org>\n";
        var item = ReadOne(Message("[PATCH] PCI: x", body));
        var patch = Assert.Single(item.Patches);
        Assert.Equal(
            [
                "Fixes", "Reported-by", "Closes", "Link", "Suggested-by", "Co-developed-by", "Signed-off-by", "Signed-off-by",
                "Reviewed-by", "Acked-by", "Tested-by", "Cc", "base-commit", "change-id", "prerequisite-patch-id",
            ],
            patch.Trailers.Select(t => t.Key));
        Assert.Equal("0123456789ab (\"PCI: old thing\")", patch.TrailerValues("fixes").Single());
        Assert.Equal("stable@vger.kernel.org # 5.4+", patch.TrailerValues("Cc").Single());
        Assert.Equal("20240101-quirk-abcdef", patch.TrailerValues("change-id").Single());
        Assert.EndsWith("Cc: stable@vger.kernel.org # 5.4+".Replace("Cc", "cc", StringComparison.Ordinal), patch.CommitMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("v2: fixed things", patch.CommitMessage, StringComparison.Ordinal);
        Assert.Empty(patch.Diff.Problems);
        Assert.Single(patch.Diff.Files);
    }

    [Fact]
    public void Prose_paragraph_is_not_a_trailer_block()
    {
        var body = "First line.\n\nV2: Resent using sendmail.\n\nLink: https://x/1\nSigned-off-by: J <j@x>\n---\n" + QuirkDiff;
        var patch = Assert.Single(ReadOne(Message("[PATCH] x", body)).Patches);
        Assert.Equal(["Link", "Signed-off-by"], patch.Trailers.Select(t => t.Key));
    }

    [Fact]
    public void Folded_trailer_is_joined()
    {
        var body = "Msg.\n\nFixes: 0123456789ab (\"PCI: a very long\n  subject\")\nSigned-off-by: J <j@x>\n---\n" + QuirkDiff;
        var patch = Assert.Single(ReadOne(Message("[PATCH] x", body)).Patches);
        Assert.Equal("0123456789ab (\"PCI: a very long subject\")", patch.TrailerValues("Fixes").Single());
    }

    [Fact]
    public void Message_without_separator_ends_at_the_diff()
    {
        var body = "Msg.\n\nSigned-off-by: J <j@x>\n\n" + QuirkDiff[QuirkDiff.IndexOf("--- a/", StringComparison.Ordinal)..];
        var patch = Assert.Single(ReadOne(Message("[PATCH v2] x", body)).Patches);
        Assert.Equal("Msg.\n\nSigned-off-by: J <j@x>", patch.CommitMessage);
        Assert.Single(patch.Diff.Files);
    }

    [Fact]
    public void In_body_headers_and_scissors()
    {
        var body = "Thanks, a fixed version below.\n\n-- >8 --\nFrom: Other Author <o@example.org>\nSubject: [PATCH] PCI: better quirk\n\n" +
            "Real message.\n\nSigned-off-by: O <o@example.org>\n---\n" + QuirkDiff;
        var patch = Assert.Single(ReadOne(Message("Re: [PATCH] PCI: quirk", body)).Patches);
        Assert.Equal("Real message.\n\nSigned-off-by: O <o@example.org>", patch.CommitMessage);
        Assert.Equal("[PATCH] PCI: better quirk", patch.Subject);
    }
}
