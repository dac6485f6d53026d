using System.IO.Compression;
using System.Text;
using PatchBot.PatchParser.Mail;
using static PatchBot.PatchParser.Tests.Mail.MailTestKit;

namespace PatchBot.PatchParser.Tests.Mail;

/// <summary>Truncated, garbled and hostile input gives items and problems, never exceptions.</summary>
public class HostileInputTests
{
    public static TheoryData<string> Cases() => CorpusTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Corpus_case_cut_in_half_reads(string name)
    {
        var bytes = Corpus.CaseBytes(name);
        var half = bytes.AsSpan(0, bytes.Length / 2).ToArray();
        var items = ReadAll(half);
        Assert.Single(items);
    }

    [Fact]
    public void Patch_cut_inside_a_hunk_reports_a_problem()
    {
        var text = Message("[PATCH] PCI: x", Body);
        var cut = text[..(text.IndexOf("+\tpci_add_dma_alias", StringComparison.Ordinal) + 5)];
        var item = ReadOne(cut);
        Assert.Equal(MailItemKind.Patch, item.Kind);
        Assert.NotEmpty(item.AllProblems);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Corpus_case_with_flipped_bytes_and_nuls_reads(string name)
    {
        var bytes = Corpus.CaseBytes(name);
        var random = new Random(name.Length * 7919);
        for (int round = 0; round < 4; round++)
        {
            var garbled = (byte[])bytes.Clone();
            for (int i = 0; i < garbled.Length / 50; i++)
            {
                int at = random.Next(garbled.Length);
                garbled[at] = round % 2 == 0 ? (byte)random.Next(256) : (byte)0;
            }
            var items = ReadAll(garbled);
            Assert.NotEmpty(items);
        }
    }

    [Fact]
    public void Random_garbage_is_unreadable()
    {
        var garbage = new byte[100_000];
        new Random(42).NextBytes(garbage);
        var item = ReadOne(garbage);
        Assert.Equal(MailItemKind.Unreadable, item.Kind);
        Assert.NotEmpty(item.Problems);
        Assert.NotNull(item.Reason);
    }

    [Fact]
    public void Empty_input_is_unreadable()
    {
        var item = ReadOne([]);
        Assert.Equal(MailItemKind.Unreadable, item.Kind);
    }

    [Fact]
    public void Nul_bytes_inside_a_message_body_do_not_stop_reading()
    {
        var text = Message("[PATCH] PCI: x", "Msg \0\0 with NULs.\n\nSigned-off-by: J <j@x>\n---\n" + QuirkDiff);
        var item = ReadOne(text);
        Assert.Equal(MailItemKind.Patch, item.Kind);
    }

    [Fact]
    public void Broken_mime_boundaries_do_not_throw()
    {
        var unclosed = Message("[PATCH] x", "--B\nContent-Type: text/plain\n\n" + Body, contentType: "multipart/mixed; boundary=B");
        var item = ReadOne(unclosed);
        Assert.Equal(MailItemKind.Patch, item.Kind);

        var missing = Message("[PATCH] x", Body, contentType: "multipart/mixed; boundary=NEVER");
        Assert.NotEqual(MailItemKind.Unreadable, ReadOne(missing).Kind);

        var noBoundary = Message("[PATCH] x", Body, contentType: "multipart/mixed");
        Assert.NotEqual(MailItemKind.Unreadable, ReadOne(noBoundary).Kind);
    }

    [Fact]
    public void Deep_multipart_nesting_gives_a_problem()
    {
        const int depth = 5000;
        var sb = new StringBuilder();
        for (int i = 0; i < depth; i++)
        {
            sb.Append("--b").Append(i).Append("\nContent-Type: multipart/mixed; boundary=b").Append(i + 1).Append("\n\n");
        }
        sb.Append("--b").Append(depth).Append("\nContent-Type: text/plain\n\n").Append(Body);
        for (int i = depth; i >= 0; i--)
        {
            sb.Append("--b").Append(i).Append("--\n");
        }
        var item = ReadOne(Message("[PATCH] deep", sb.ToString(), contentType: "multipart/mixed; boundary=b0"));
        Assert.Contains(item.Problems, p => p.Message.Contains("MIME nesting deeper", StringComparison.Ordinal));
        Assert.Empty(item.Patches);
    }

    [Fact]
    public void Too_many_parts_gives_a_problem()
    {
        var parts = string.Concat(Enumerable.Range(0, 50).Select(i => $"--P\nContent-Type: text/plain\n\npart {i}\n")) + "--P--\n";
        var item = ReadOne(Message("many", parts, contentType: "multipart/mixed; boundary=P"), MailOptions.Default with { MaxMimeParts = 10 });
        Assert.Contains(item.Problems, p => p.Message.Contains("more than 10 MIME parts", StringComparison.Ordinal));
    }

    [Fact]
    public void Message_over_the_size_limit_is_unreadable_but_keeps_its_headers()
    {
        var item = ReadOne(Message("[PATCH] PCI: big", Body), MailOptions.Default with { MaxMessageSize = 100 });
        Assert.Equal(MailItemKind.Unreadable, item.Kind);
        Assert.Equal("1@example.org", item.MessageId);
        Assert.Contains("over the limit", Assert.Single(item.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Attachment_over_the_size_limit_is_skipped_with_a_problem()
    {
        var body = "--A\nContent-Type: text/plain\n\nsee attached\n--A\nContent-Type: text/x-patch; name=\"a.patch\"\n\n" + QuirkDiff + "--A--\n";
        var item = ReadOne(Message("[PATCH] a", body, contentType: "multipart/mixed; boundary=A"), MailOptions.Default with { MaxAttachmentSize = 50 });
        Assert.Empty(item.Patches);
        Assert.Contains(item.Problems, p => p.Message.Contains("over the limit of 50", StringComparison.Ordinal));
    }

    [Fact]
    public void Mbox_with_a_garbled_and_a_truncated_message_keeps_reading()
    {
        var good = "From a@b Thu Jan  1 00:00:00 1970\n" + Message("[PATCH] PCI: one", Body) + "\n";
        var garbled = "From a@b Thu Jan  1 00:00:00 1970\n\u0001\u0002: :: \n\0\0\0 --\n\n";
        var truncated = "From a@b Thu Jan  1 00:00:00 1970\n" + Message("[PATCH] PCI: two", Body)[..200];
        var items = ReadAll(good + garbled + good + truncated);
        Assert.Equal(4, items.Count);
        Assert.Equal(MailItemKind.Patch, items[0].Kind);
        Assert.Equal(MailItemKind.Patch, items[2].Kind);
        Assert.Equal([1, 2, 3, 4], items.Select(i => i.Ordinal));
        Assert.Equal(MailItemKind.Unreadable, items[1].Kind);
        Assert.Contains("byte " + Encoding.UTF8.GetByteCount(good), Assert.Single(items[1].Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_mbox_message_is_cut_off_and_the_next_one_read()
    {
        var big = "From a@b Thu Jan  1 00:00:00 1970\n" + Message("[PATCH] PCI: big", Body + new string('x', 10_000) + "\n") + "\n";
        var small = "From a@b Thu Jan  1 00:00:00 1970\n" + Message("[PATCH] PCI: small", Body) + "\n";
        var items = ReadAll(big + small, options: MailOptions.Default with { MaxMessageSize = 2_000 });
        Assert.Equal([MailItemKind.Unreadable, MailItemKind.Patch], items.Select(i => i.Kind));
        Assert.Equal("[PATCH] PCI: big", items[0].Subject);
        Assert.Equal("[PATCH] PCI: small", items[1].Subject);
    }

    [Fact]
    public void Truncated_gzip_sample_gives_items_then_stops_cleanly()
    {
        var compressed = new byte[2_000_000];
        int n;
        using (var file = File.OpenRead(Corpus.SampleMbox))
        {
            n = file.ReadAtLeast(compressed, compressed.Length);
        }
        using var gz = new GZipStream(new MemoryStream(compressed, 0, n), CompressionMode.Decompress);
        var items = MailReader.Read(gz, "cut.gz").ToList();
        Assert.True(items.Count > 100);
        Assert.True(items.Count < 5000);
    }
}
