using Microsoft.Extensions.Options;
using MimeKit;
using PatchBot.Engine.Check;
using PatchBot.Bot.Sinks;
using PatchBot.Bot.Sources;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Tests.Serve;

public sealed class ServeUnitTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "patchbot-unit-" + Guid.NewGuid().ToString("N")[..8]);

    public ServeUnitTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static MimeMessage Parent()
    {
        var m = new MimeMessage();
        m.From.Add(new MailboxAddress("Jörg Dev", "dev@example.test"));
        m.To.Add(MailboxAddress.Parse("lkml@example.test"));
        m.Subject = "[PATCH v2 2/3] PCI: acme: Add aliases";
        m.MessageId = "p2@example.test";
        m.References.Add("cover@example.test");
        m.References.Add("p1@example.test");
        m.Body = new TextPart("plain") { Text = "patch" };
        return m;
    }

    private static ReportedFinding Finding(string function = "acme_probe") => new(
        new Finding("dma-alias-after-iommu-group", Severity.Error, "drivers/pci/acme.c", 42, function,
            "pci_add_dma_alias() runs too late", "Because the group exists.", "Use a HEADER quirk.",
            [$"{function} (pci_driver.probe)", "pci_add_dma_alias"], ["hot-add"], "p2@example.test"),
        "<p2@example.test>", "[PATCH v2 2/3] PCI: acme: Add aliases", "\tpci_add_dma_alias(pdev, 0, 1);");

    [Fact]
    public void Reply_is_threaded_plain_utf8_and_auto_submitted()
    {
        var parent = Parent();
        var content = new ReplyContent(parent, "acme aliases", 2, "patch 2/3", [Finding()], [], 0, [], null);
        var reply = ReplyComposer.Compose(content, new ReplyAddresses([MailboxAddress.Parse("dev@example.test")], [MailboxAddress.Parse("lkml@example.test")]),
            new MailboxAddress("PatchBot", "bot@example.test"), "admin@example.test", DateTimeOffset.UnixEpoch);

        Assert.Equal("Re: [PATCH v2 2/3] PCI: acme: Add aliases", reply.Subject);
        Assert.Equal("p2@example.test", reply.InReplyTo);
        Assert.Equal(["cover@example.test", "p1@example.test", "p2@example.test"], reply.References.ToArray());
        Assert.Equal("auto-replied", reply.Headers["Auto-Submitted"]);
        var part = Assert.IsType<TextPart>(reply.Body);
        Assert.Equal("utf-8", part.ContentType.Charset);
        Assert.Null(part.ContentType.Parameters["format"]);
        Assert.Equal(ContentEncoding.EightBit, part.ContentTransferEncoding); // "Jörg" in the greeting
        string text = part.Text;
        Assert.StartsWith("Hi Jörg Dev,", text, StringComparison.Ordinal);
        Assert.Contains("drivers/pci/acme.c:42: error: pci_add_dma_alias() runs too late [dma-alias-after-iommu-group]", text, StringComparison.Ordinal);
        int quote = text.IndexOf("> \tpci_add_dma_alias(pdev, 0, 1);", StringComparison.Ordinal);
        int trace = text.IndexOf("trace: acme_probe (pci_driver.probe) -> pci_add_dma_alias", StringComparison.Ordinal);
        Assert.True(quote > 0 && trace > quote, "the quoted line comes first, the explanation below it");
        Assert.Contains("admin@example.test", text, StringComparison.Ordinal);
        // the same parent always gets the same reply id
        Assert.Equal(reply.MessageId, ReplyComposer.ReplyMessageId("p2@example.test", "bot@example.test"));
        Assert.NotEqual(reply.MessageId, ReplyComposer.ReplyMessageId("p3@example.test", "bot@example.test"));
    }

    [Fact]
    public void Reply_names_the_tree_and_at_most_five_things_not_analysed()
    {
        var notChecked = Enumerable.Range(1, 7).Select(i => $"drivers/pci/f{i}.c: hunk {i} does not apply").ToList();
        var content = new ReplyContent(Parent(), "acme aliases", 2, "patch 2/3", [Finding()], [], 0, [], null)
        {
            Tree = "base-commit 0123456789ab (from the series)",
            NotChecked = notChecked,
        };
        string text = ReplyComposer.Body(content, string.Empty);

        Assert.Contains("  tree:    base-commit 0123456789ab (from the series)\n", text, StringComparison.Ordinal);
        Assert.Contains("Not analysed:\n  - drivers/pci/f1.c: hunk 1 does not apply\n", text, StringComparison.Ordinal);
        Assert.Contains("  - drivers/pci/f5.c: hunk 5 does not apply\n  - and 2 more\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("f6.c", text, StringComparison.Ordinal);

        string without = ReplyComposer.Body(new ReplyContent(Parent(), "acme aliases", 2, "patch 2/3", [Finding()], [], 0, [], null), string.Empty);
        Assert.DoesNotContain("tree:", without, StringComparison.Ordinal);
        Assert.DoesNotContain("Not analysed", without, StringComparison.Ordinal);
        Assert.False(ReplyComposer.IsWorthSaying(new CoverageEntry("[PATCH 1/2] docs", "no C in the patch", "<p1@example.test>")));
        Assert.True(ReplyComposer.IsWorthSaying(new CoverageEntry("drivers/pci/a.c", "not in the tree; analysed from the patch alone", "<p1@example.test>")));
    }

    [Fact]
    public void Base_commit_comes_from_the_cover_letter_else_from_a_patch()
    {
        static PatchBot.PatchParser.Mail.MailItem Read(string raw) =>
            PatchBot.PatchParser.Mail.MailReader.ReadMessage(MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw))), "test");

        const string Headers = "From: Dev <dev@example.test>\nTo: lkml@example.test\nMessage-ID: <{0}@example.test>\nSubject: {1}\n\n";
        const string Diff = "---\n a.c | 1 +\n\ndiff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1,2 @@\n int a;\n+int b;\n-- \n2.45.0\n";
        var cover = Read(string.Format(System.Globalization.CultureInfo.InvariantCulture, Headers, "c", "[PATCH 0/1] a series")
            + "Blurb.\n\nDev (1):\n  a\n\n a.c | 1 +\n\nbase-commit: 1111111111111111111111111111111111111111\n-- \n2.45.0\n");
        var patchWithBase = Read(string.Format(System.Globalization.CultureInfo.InvariantCulture, Headers, "p", "[PATCH] a")
            + "Body.\n\nSigned-off-by: Dev <dev@example.test>\n" + Diff.Replace("-- \n", "\nbase-commit: 2222222222222222222222222222222222222222\n-- \n", StringComparison.Ordinal));
        var plain = Read(string.Format(System.Globalization.CultureInfo.InvariantCulture, Headers, "q", "[PATCH 1/1] a")
            + "Body.\n\nSigned-off-by: Dev <dev@example.test>\n" + Diff);
        var mentions = Read(string.Format(System.Globalization.CultureInfo.InvariantCulture, Headers, "m", "[PATCH 0/1] a series")
            + "This is on top of the tree whose base-commit: 3333333 was said in a sentence.\n");

        Assert.Equal(PatchBot.PatchParser.Mail.MailItemKind.CoverLetter, cover.Kind);
        Assert.Equal("1111111111111111111111111111111111111111", SeriesProcessor.BaseCommitOf([cover, plain]));
        Assert.Equal("2222222222222222222222222222222222222222", SeriesProcessor.BaseCommitOf([patchWithBase]));
        Assert.Null(SeriesProcessor.BaseCommitOf([plain]));
        Assert.Null(SeriesProcessor.BaseCommitOf([mentions, plain])); // only a line of its own counts
    }

    [Fact]
    public void Fixed_reply_names_what_was_fixed_and_has_no_findings()
    {
        var content = new ReplyContent(Parent(), "acme aliases", 2, "patch 2/3", [],
            [new FindingKey("dma-alias-after-iommu-group", "drivers/pci/acme.c", "acme_probe", "x")], 0, [3], 1);
        string text = ReplyComposer.Body(content, string.Empty);
        Assert.Contains("fixed in v2", text, StringComparison.Ordinal);
        Assert.Contains("drivers/pci/acme.c: acme_probe: [dma-alias-after-iommu-group] is fixed", text, StringComparison.Ordinal);
        Assert.Contains("part 3 never arrived", text, StringComparison.Ordinal);
        Assert.DoesNotContain(": error:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Ignore_requests_are_read_from_unquoted_lines_only()
    {
        string body = "Thanks.\n> patchbot: ignore sysfs-after-device-add\npatchbot: ignore dma-alias-after-iommu-group, dma-alias-in-final-fixup\n  PATCHBOT: IGNORE Foo\n";
        Assert.Equal(["dma-alias-after-iommu-group", "dma-alias-in-final-fixup", "foo"], SeriesProcessor.IgnoreRequests(body));
        Assert.Empty(SeriesProcessor.IgnoreRequests("with a line \"patchbot: ignore <rule-id>\"\n"));
    }

    [Fact]
    public void Finding_keys_ignore_the_line_number()
    {
        var a = Finding();
        var moved = a with { Finding = a.Finding with { Line = 99 } };
        Assert.Equal(SeriesProcessor.KeyOf(a), SeriesProcessor.KeyOf(moved));
        Assert.NotEqual(SeriesProcessor.KeyOf(a), SeriesProcessor.KeyOf(Finding("other_probe")));
    }

    [Fact]
    public void Store_keeps_each_message_once_and_moves_the_cursor_with_it()
    {
        using var store = new BotStore(Path.Combine(dir, "s.db"));
        Assert.True(store.AddMessage("m1@x", "imap", DateTimeOffset.UnixEpoch, [1, 2], new SourceCursor(7, 10)));
        Assert.False(store.AddMessage("m1@x", "other", DateTimeOffset.UnixEpoch, [1, 2], new SourceCursor(7, 11)));
        Assert.Equal(new SourceCursor(7, 10), store.GetCursor("imap"));
        Assert.Equal(1, store.CountMessages(MessageStates.New));
    }

    [Fact]
    public void Outbox_survives_reopening_and_a_reply_is_recorded_once()
    {
        string path = Path.Combine(dir, "o.db");
        using (var store = new BotStore(path))
        {
            store.AddMessage("p@x", "imap", DateTimeOffset.UnixEpoch, [1]);
            long row = store.MessagesIn(MessageStates.New)[0].Id;
            store.RecordCheckedSeries(new SeriesRecord(0, "k", 1, "t", "dev@x", "p@x"), DateTimeOffset.UnixEpoch,
                [(new FindingKey("r", "f.c", "fn", "a -> b"), 3, "error", "<p@x>")],
                [("reply@x", "p@x", false, [9])], [(row, "dev@x")]);
            var entry = Assert.Single(store.Outbox(OutboxStates.Pending));
            store.SetOutboxState(entry.Id, OutboxStates.Sending);
        }

        using (var store = new BotStore(path))
        {
            var interrupted = Assert.Single(store.Outbox(OutboxStates.Sending));
            Assert.Equal(1, interrupted.Attempts);
            Assert.True(store.SeriesChecked("p@x"));
            Assert.Equal(("k", "dev@x"), store.SeriesOfMessage("p@x"));
            Assert.Single(store.EarlierFindings("k", 2));
            Assert.Empty(store.EarlierFindings("k", 1));
        }
    }

    [Fact]
    public void Message_id_falls_back_to_a_hash_for_headerless_bytes()
    {
        Assert.Equal("abc@x", MailIntake.MessageIdOf("Message-ID: <abc@x>\r\nSubject: s\r\n\r\nbody"u8.ToArray()));
        Assert.StartsWith("sha256:", MailIntake.MessageIdOf("no headers here"u8.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_validation_gives_clear_errors()
    {
        var sources = new SourcesOptionsValidator().Validate(null, new SourcesOptions());
        Assert.True(sources.Failed);
        Assert.Contains("no source configured", sources.FailureMessage, StringComparison.Ordinal);

        var imap = new SourcesOptionsValidator().Validate(null, new SourcesOptions { Imap = [new ImapSourceOptions { Host = "", Port = 0, IdleRefresh = TimeSpan.FromMinutes(45) }] });
        Assert.Contains("Sources:Imap:0:Host is empty", imap.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Sources:Imap:0:User is empty", imap.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("IdleRefresh", imap.FailureMessage, StringComparison.Ordinal);

        Assert.True(new HealthOptionsValidator().Validate(null, new HealthOptions { Address = "0.0.0.0" }).Failed);
        Assert.True(new IdentityOptionsValidator().Validate(null, new IdentityOptions { Address = "nobody" }).Failed);
        Assert.True(new DeliveryOptionsValidator().Validate(null, new DeliveryOptions { Lists = [new ListPolicy { Address = "l@x", ReplyToAuthor = false, ReplyToList = false }] }).Failed);
        Assert.False(new DeliveryOptionsValidator().Validate(null, new DeliveryOptions { Lists = [new ListPolicy { Address = "l@x" }] }).Failed);
    }

    [Fact]
    public void Serve_with_a_bad_configuration_exits_2_naming_the_problem()
    {
        string config = Path.Combine(dir, "bad.json");
        File.WriteAllText(config, """{ "Health": { "Address": "0.0.0.0" }, "State": { "Path": "x.db" } }""");
        var result = CliProcess.Run(["serve", "--config", config], workingDirectory: dir);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no source configured", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Health:Address '0.0.0.0' must be a loopback address", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_example_settings_are_valid()
    {
        string example = Path.Combine(RepoPaths.Root, "deploy", "appsettings.example.json");
        var result = CliProcess.Run(["serve", "--config", example, "--Sources:Imap:0:Port=70000"], workingDirectory: dir);
        // only the deliberately broken override is reported: the example itself validates
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Sources:Imap:0:Port 70000 is not a TCP port", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("configuration:", StringComparison.Ordinal));
    }
}
