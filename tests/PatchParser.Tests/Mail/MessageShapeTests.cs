using System.Text;
using PatchBot.PatchParser.Mail;
using static PatchBot.PatchParser.Tests.Mail.MailTestKit;

namespace PatchBot.PatchParser.Tests.Mail;

/// <summary>Encodings and MIME shapes a patch arrives in.</summary>
public class MessageShapeTests
{
    private static void AssertTheOnePatch(MailItem item)
    {
        Assert.Equal(MailItemKind.Patch, item.Kind);
        var patch = Assert.Single(item.Patches);
        var file = Assert.Single(patch.Diff.Files);
        Assert.Equal("drivers/pci/quirks.c", file.Path);
        var hunk = Assert.Single(file.Hunks);
        var added = Assert.Single(hunk.Lines, l => l.Kind == PatchParser.Diff.DiffLineKind.Added);
        Assert.Equal("\tpci_add_dma_alias(dev, PCI_DEVFN(0, 1), 1);", added.Text);
        Assert.Equal(11, added.NewLine);
        Assert.Empty(patch.Diff.Problems);
    }

    [Fact]
    public void Plain_inline_patch()
    {
        var item = ReadOne(Message("[PATCH v2 1/2] PCI: Add quirk", Body));
        AssertTheOnePatch(item);
        Assert.Equal("1@example.org", item.MessageId);
        Assert.Equal("jane@example.org", item.From);
        Assert.Equal("Jane Dev", item.FromName);
        Assert.Equal(new DateTimeOffset(2022, 11, 21, 17, 40, 37, TimeSpan.FromHours(1)), item.Date);
        Assert.Equal(2, item.PatchSubject.Version);
        Assert.Equal(1, item.Ordinal);
        var patch = item.Patches[0];
        Assert.Equal("Some devices use function 1 as requester ID.\n\nSigned-off-by: Jane Dev <jane@example.org>", patch.CommitMessage);
        Assert.Null(patch.AttachmentName);
        // the diff starts after the subject-less body's commit message, "---" and the diffstat
        Assert.Equal(8, patch.DiffStartLine);
    }

    [Fact]
    public void Quoted_printable_with_soft_line_breaks()
    {
        var diff = QuirkDiff.Replace("\tpci_add_dma_alias(dev, PCI_DEVFN(0, 1), 1);", "\tpci_add_dma_alias(dev, PCI_DEVF=\nN(0, 1), 1);", StringComparison.Ordinal)
            .Replace("@@ -10,3", "@@ -10=\n,3", StringComparison.Ordinal);
        var body = "A =3D B in the message.\n\nSigned-off-by: Jane Dev <jane@example.org>\n---\n" + diff;
        var item = ReadOne(Message("[PATCH] PCI: Add quirk", body, "Content-Transfer-Encoding: quoted-printable\n"));
        AssertTheOnePatch(item);
        Assert.StartsWith("A = B in the message.", item.Patches[0].CommitMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Iso_8859_1_body()
    {
        var text = Message("[PATCH] PCI: Add quirk", "Tested on a caf\u00e9 machine by J\u00f6rg.\n\nSigned-off-by: J\u00f6rg <j@example.org>\n---\n" + QuirkDiff,
            contentType: "text/plain; charset=iso-8859-1") ;
        var bytes = Encoding.Latin1.GetBytes(text.Replace("MIME-Version", "Content-Transfer-Encoding: 8bit\nMIME-Version", StringComparison.Ordinal));
        var item = ReadOne(bytes);
        AssertTheOnePatch(item);
        Assert.Contains("caf\u00e9 machine by J\u00f6rg", item.Patches[0].CommitMessage, StringComparison.Ordinal);
        Assert.Equal("J\u00f6rg <j@example.org>", Assert.Single(item.Patches[0].TrailerValues("Signed-off-by")));
    }

    [Fact]
    public void Rfc2047_encoded_subject_is_decoded()
    {
        var item = ReadOne(Message("=?utf-8?q?=5BPATCH_v2=5D_PCI=3A_Caf=C3=A9_quirk?=", Body));
        Assert.Equal("[PATCH v2] PCI: Caf\u00e9 quirk", item.Subject);
        Assert.Equal(2, item.PatchSubject.Version);
        Assert.Equal("Caf\u00e9 quirk", item.PatchSubject.Title);
    }

    [Fact]
    public void Crlf_line_endings()
    {
        var item = ReadOne(Message("[PATCH] PCI: Add quirk", Body).Replace("\n", "\r\n", StringComparison.Ordinal));
        AssertTheOnePatch(item);
        Assert.DoesNotContain('\r', item.Patches[0].CommitMessage);
        Assert.DoesNotContain(item.Patches[0].Diff.Files[0].Hunks[0].Lines, l => l.Text.EndsWith('\r'));
    }

    private static string Multipart(string boundary, params string[] parts) =>
        "This is a multi-part message in MIME format.\n" +
        string.Concat(parts.Select(p => $"--{boundary}\n{p}\n")) + $"--{boundary}--\n";

    private static string Base64Lines(string text) =>
        string.Join("\n", Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).Chunk(76).Select(c => new string(c)));

    [Theory]
    [InlineData("text/x-patch; charset=UTF-8; name=\"0001-quirk.patch\"", "attachment; filename=\"0001-quirk.patch\"", "0001-quirk.patch")]
    [InlineData("text/x-diff", "attachment", "(unnamed patch attachment)")]
    [InlineData("application/octet-stream; name=\"quirk.diff\"", "attachment; filename=\"quirk.diff\"", "quirk.diff")]
    [InlineData("text/plain; charset=UTF-8; name=\"qca.patch\"", "attachment; filename=\"qca.patch\"", "qca.patch")]
    public void Base64_patch_attachment(string contentType, string disposition, string expectedName)
    {
        var body = Multipart("XYZ",
            "Content-Type: text/plain; charset=utf-8\n\nPlease apply the attached patch.\n",
            $"Content-Type: {contentType}\nContent-Transfer-Encoding: base64\nContent-Disposition: {disposition}\n\n{Base64Lines(QuirkDiff)}");
        var item = ReadOne(Message("PCI quirk for my card", body, contentType: "multipart/mixed; boundary=\"XYZ\""));
        AssertTheOnePatch(item);
        Assert.Equal(expectedName, item.Patches[0].AttachmentName);
    }

    [Fact]
    public void Attached_format_patch_file_gives_its_own_subject_and_message()
    {
        var file = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n" +
            "From: Jane Dev <jane@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: [PATCH] PCI: Add quirk for\n the card\n\n" + Body;
        var body = Multipart("B1", "Content-Type: text/plain\n\nSee attached.\n",
            $"Content-Type: text/x-patch; name=\"0001.patch\"\nContent-Transfer-Encoding: base64\n\n{Base64Lines(file)}");
        var item = ReadOne(Message("quirk", body, contentType: "multipart/mixed; boundary=B1"));
        AssertTheOnePatch(item);
        Assert.Equal("[PATCH] PCI: Add quirk for the card", item.Patches[0].Subject);
        Assert.StartsWith("Some devices use function 1", item.Patches[0].CommitMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Attachment_that_is_not_a_patch_is_ignored()
    {
        var body = Multipart("B2", "Content-Type: text/plain\n\nHere is my dmesg.\n",
            $"Content-Type: text/plain; name=\"dmesg.txt\"\nContent-Disposition: attachment; filename=\"dmesg.txt\"\n\n{QuirkDiff}");
        var item = ReadOne(Message("Re: bug report", body, contentType: "multipart/mixed; boundary=B2"));
        Assert.Empty(item.Patches);
        Assert.Equal(MailItemKind.Reply, item.Kind);
    }

    [Fact]
    public void Pgp_signed_message_reads_the_signed_content()
    {
        var body = Multipart("SIG",
            "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n" + Body,
            "Content-Type: application/pgp-signature; name=\"signature.asc\"\n\n-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----");
        var item = ReadOne(Message("[PATCH] PCI: Add quirk", body,
            contentType: "multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"SIG\""));
        AssertTheOnePatch(item);
        Assert.Empty(item.Problems);
    }

    [Fact]
    public void Signed_inside_mixed_with_alternative_html()
    {
        var alt = Multipart("ALT", "Content-Type: text/plain\n\n" + Body, "Content-Type: text/html\n\n<p>html copy</p>");
        var signed = Multipart("SIG", "Content-Type: multipart/alternative; boundary=ALT\n\n" + alt,
            "Content-Type: application/pgp-signature\n\nxx");
        var item = ReadOne(Message("[PATCH] PCI: Add quirk", signed,
            contentType: "multipart/signed; protocol=\"application/pgp-signature\"; boundary=SIG"));
        AssertTheOnePatch(item);
    }

    [Fact]
    public void Html_only_is_not_a_patch()
    {
        var item = ReadOne(Message("hello", "<html><body>" + QuirkDiff + "</body></html>", contentType: "text/html"));
        Assert.Equal(MailItemKind.NotAPatch, item.Kind);
        Assert.NotNull(item.Reason);
    }

    [Fact]
    public void Format_flowed_body_is_unflowed()
    {
        // RFC 3676: space-stuffed context lines and a soft break (trailing space) inside the added line
        var flowed = "Message.\n\nSigned-off-by: Jane Dev <jane@example.org>\n---\n" +
            QuirkDiff.Replace("\n ", "\n  ", StringComparison.Ordinal).Replace("PCI_DEVFN(0, ", "PCI_DEVFN(0, \n", StringComparison.Ordinal);
        var item = ReadOne(Message("[PATCH] PCI: Add quirk", flowed, contentType: "text/plain; charset=utf-8; format=flowed"));
        AssertTheOnePatch(item);
    }

    [Fact]
    public void Two_attached_patches_give_two_patches_and_the_limit_gives_a_problem()
    {
        var body = Multipart("M",
            "Content-Type: text/plain\n\nTwo patches.\n",
            "Content-Type: text/x-patch; name=\"1.patch\"\n\n" + QuirkDiff,
            "Content-Type: text/x-patch; name=\"2.patch\"\n\n" + QuirkDiff.Replace("quirks.c", "pci.c", StringComparison.Ordinal));
        var message = Message("two", body, contentType: "multipart/mixed; boundary=M");
        var item = ReadOne(message);
        Assert.Equal(["1.patch", "2.patch"], item.Patches.Select(p => p.AttachmentName));
        Assert.Equal("drivers/pci/pci.c", item.Patches[1].Diff.Files[0].Path);

        var limited = ReadOne(message, MailOptions.Default with { MaxPatchesPerMessage = 1 });
        Assert.Single(limited.Patches);
        Assert.Contains(limited.Problems, p => p.Message.Contains("more than 1 patches", StringComparison.Ordinal));
    }

    [Fact]
    public void Bare_patch_without_headers()
    {
        var item = ReadOne(QuirkDiff);
        AssertTheOnePatch(item);
        Assert.Equal(string.Empty, item.Patches[0].CommitMessage);
        Assert.Null(item.MessageId);
    }

    [Fact]
    public void Bare_format_patch_without_mbox_line_is_a_message()
    {
        var item = ReadOne("From: Jane Dev <jane@example.org>\nSubject: [PATCH 2/3] PCI: x\n\n" + Body);
        AssertTheOnePatch(item);
        Assert.Equal(2, item.PatchSubject.Index);
    }

    [Fact]
    public void Svn_style_index_line_is_not_mail()
    {
        var item = ReadOne("Index: drivers/pci/quirks.c\n===================================================================\n" + QuirkDiff[QuirkDiff.IndexOf("---", StringComparison.Ordinal)..]);
        AssertTheOnePatch(item);
    }

    [Fact]
    public void Plain_text_without_diff_is_not_a_patch()
    {
        var item = ReadOne("just some notes\nnothing to see\n");
        Assert.Equal(MailItemKind.NotAPatch, item.Kind);
        Assert.Empty(item.Patches);
    }
}
