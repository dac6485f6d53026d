using System.Diagnostics;
using System.Text;
using MimeKit;
using PatchBot.Bot.Sinks;

namespace PatchBot.Bot.Tests.Serve;

/// <summary>A patch whose References header names tens of thousands of messages: the reply is composed in linear time
/// and keeps a bounded References header (the thread's root and the last ones, ending with the patch), as mail clients do.</summary>
public sealed class ReplyReferencesTests
{
    private static MimeMessage PatchWithReferences(int count)
    {
        var raw = new StringBuilder();
        raw.Append("From: Dev <dev@example.test>\r\nTo: lkml@example.test\r\nSubject: [PATCH] x\r\nMessage-ID: <patch@example.test>\r\nReferences:");
        for (int i = 0; i < count; i++)
        {
            raw.Append(System.Globalization.CultureInfo.InvariantCulture, $"\r\n <ref{i}@example.test>");
        }

        raw.Append("\r\n\r\nbody\r\n");
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(raw.ToString()));
        return MimeMessage.Load(stream);
    }

    private static ReplyContent Content(MimeMessage parent) => new(parent, "x", 1, "patch", [], [], 0, [], null);

    [Fact]
    public void Forty_thousand_references_compose_in_linear_time_into_a_bounded_header()
    {
        var parent = PatchWithReferences(40_000);
        Assert.Equal(40_000, parent.References.Count);
        var sw = Stopwatch.StartNew();
        var reply = ReplyComposer.Compose(Content(parent), new ReplyAddresses([MailboxAddress.Parse("dev@example.test")], []),
            new MailboxAddress("PatchBot", "bot@example.test"), string.Empty, DateTimeOffset.UnixEpoch);
        using var buffer = new MemoryStream();
        reply.WriteTo(buffer);
        sw.Stop();

        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"composing took {sw.Elapsed}");
        Assert.Equal(ReplyComposer.MaxReferences, reply.References.Count);
        Assert.Equal("ref0@example.test", reply.References[0]); // the thread's root
        Assert.Equal("ref39999@example.test", reply.References[^2]);
        Assert.Equal("patch@example.test", reply.References[^1]); // the message replied to, last
        Assert.Equal([.. Enumerable.Range(40_000 - (ReplyComposer.MaxReferences - 2), ReplyComposer.MaxReferences - 2).Select(i => $"ref{i}@example.test")],
            reply.References.Skip(1).Take(ReplyComposer.MaxReferences - 2));
    }

    [Fact]
    public void A_short_thread_keeps_every_reference_in_order()
    {
        var parent = PatchWithReferences(3);
        var reply = ReplyComposer.Compose(Content(parent), new ReplyAddresses([MailboxAddress.Parse("dev@example.test")], []),
            new MailboxAddress("PatchBot", "bot@example.test"), string.Empty, DateTimeOffset.UnixEpoch);
        Assert.Equal(["ref0@example.test", "ref1@example.test", "ref2@example.test", "patch@example.test"], reply.References);
    }

    [Theory]
    [InlineData("<20201110220516.>")]
    [InlineData("<(g>")]
    public void A_patch_id_mimekit_cannot_write_is_left_out_of_the_threading_headers(string id)
    {
        // Found by the reply fuzzer: MimeKit reads these ids but its In-Reply-To setter refuses them, and the exception
        // failed the whole series.
        string raw = $"From: Dev <dev@example.test>\r\nSubject: [PATCH] x\r\nMessage-ID: {id}\r\nReferences: <root@example.test> {id}\r\n\r\nbody\r\n";
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(raw));
        var parent = MimeMessage.Load(stream);
        Assert.False(string.IsNullOrEmpty(parent.MessageId));

        var reply = ReplyComposer.Compose(Content(parent), new ReplyAddresses([MailboxAddress.Parse("dev@example.test")], []),
            new MailboxAddress("PatchBot", "bot@example.test"), string.Empty, DateTimeOffset.UnixEpoch);
        using var buffer = new MemoryStream();
        reply.WriteTo(buffer);

        Assert.Null(reply.InReplyTo);
        Assert.Equal(["root@example.test"], reply.References);
        Assert.StartsWith("patchbot.", reply.MessageId, StringComparison.Ordinal);
    }
}
