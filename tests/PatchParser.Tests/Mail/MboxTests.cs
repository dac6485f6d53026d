using System.IO.Compression;
using System.Text;
using PatchBot.PatchParser.Mail;
using Xunit.Abstractions;
using static PatchBot.PatchParser.Tests.Mail.MailTestKit;

namespace PatchBot.PatchParser.Tests.Mail;

public class MboxTests(ITestOutputHelper output)
{
    private static string MboxMessage(string subject, string body, string id) =>
        "From mboxrd@z Thu Jan  1 00:00:00 1970\n" +
        Message(subject, body).Replace("<1@example.org>", $"<{id}@example.org>", StringComparison.Ordinal) + "\n";

    [Fact]
    public void A_gzipped_mbox_reads_as_the_mbox_it_holds()
    {
        var mbox = Encoding.UTF8.GetBytes(MboxMessage("[PATCH 0/2] series", "cover\n", "c") + MboxMessage("[PATCH 1/2] PCI: one", Body, "p1"));
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(mbox);
        }

        static string Shape(MailItem i) => $"{i.Ordinal} {i.ByteOffset} {i.Kind} {i.MessageId} {i.Patches.Sum(p => p.Diff.HunkCount)}";
        var plain = ReadAll(mbox).Select(Shape).ToList();
        var gzipped = ReadAll(packed.ToArray()).Select(Shape).ToList();

        Assert.Equal(2, plain.Count);
        Assert.Equal(plain, gzipped);
        Assert.Equal(plain, MailReader.Read(new MemoryStream(packed.ToArray()), "test", null, parallelism: 2).Select(Shape).ToList());
    }

    [Fact]
    public void Mbox_items_have_ordinals_offsets_and_kinds()
    {
        var mbox = MboxMessage("[PATCH 0/2] series", "cover\n", "c") +
                   MboxMessage("[PATCH 1/2] PCI: one", Body, "p1") +
                   MboxMessage("Re: [PATCH 1/2] PCI: one", "> " + "looks fine\n", "r");
        var items = ReadAll(mbox);
        Assert.Equal([1, 2, 3], items.Select(i => i.Ordinal));
        Assert.Equal([MailItemKind.CoverLetter, MailItemKind.Patch, MailItemKind.Reply], items.Select(i => i.Kind));
        Assert.Equal(["c@example.org", "p1@example.org", "r@example.org"], items.Select(i => i.MessageId));
        Assert.Equal(0, items[0].ByteOffset);
        Assert.Equal(Encoding.UTF8.GetByteCount(MboxMessage("[PATCH 0/2] series", "cover\n", "c")), items[1].ByteOffset);
        Assert.All(items, i => Assert.Equal("test", i.Source));
    }

    [Fact]
    public void Mboxrd_from_quoting_is_undone_in_the_commit_message()
    {
        var body = "Message line\n>From the start this was wrong.\n>>From quoted.\n\nSigned-off-by: J <j@x>\n---\n" + QuirkDiff;
        var item = Assert.Single(ReadAll(MboxMessage("[PATCH] PCI: x", body, "m")));
        Assert.Equal("Message line\nFrom the start this was wrong.\n>From quoted.\n\nSigned-off-by: J <j@x>", item.Patches[0].CommitMessage);
    }

    [Fact]
    public void Git_format_patch_output_is_an_mbox_of_one()
    {
        var text = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n" +
            "From: Jane Dev <jane@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: [PATCH 1/3] PCI: Add quirk\n\n" + Body;
        var item = Assert.Single(ReadAll(text));
        Assert.Equal(MailItemKind.Patch, item.Kind);
        Assert.Equal(1, item.PatchSubject.Index);
        Assert.Single(item.Patches[0].Diff.Files);
    }

    [Fact]
    public void Sample_mbox_reads_end_to_end()
    {
        var counts = new Dictionary<MailItemKind, int>();
        int patches = 0, mailProblems = 0, diffProblems = 0, items = 0, lastOrdinal = 0, withDiffFiles = 0;
        using (var file = File.OpenRead(Corpus.SampleMbox))
        using (var gz = new GZipStream(file, CompressionMode.Decompress))
        {
            foreach (var item in MailReader.Read(gz, "linux-pci-sample.mbox.gz"))
            {
                items++;
                Assert.Equal(lastOrdinal + 1, item.Ordinal);
                lastOrdinal = item.Ordinal;
                counts[item.Kind] = counts.GetValueOrDefault(item.Kind) + 1;
                patches += item.Patches.Count;
                withDiffFiles += item.Patches.Count(p => p.Diff.Files.Count > 0);
                mailProblems += item.Problems.Count;
                diffProblems += item.Patches.Sum(p => p.Diff.Problems.Count);
                if (item.Kind == MailItemKind.NotAPatch && item.PatchSubject.IsPatch)
                {
                    output.WriteLine($"patch subject, no diff: #{item.Ordinal} {item.Subject} ({item.Reason})");
                }
                foreach (var p in item.AllProblems)
                {
                    output.WriteLine($"problem: {p}");
                }
            }
        }
        output.WriteLine($"items {items}; " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));
        output.WriteLine($"patches {patches} (with files {withDiffFiles}); mail problems {mailProblems}; diff problems {diffProblems}");
        Assert.Equal(5000, items);
        Assert.False(counts.ContainsKey(MailItemKind.Unreadable));
        Assert.True(counts.GetValueOrDefault(MailItemKind.Patch) > 500, "a list like linux-pci is mostly patches and replies");
        Assert.True(counts.GetValueOrDefault(MailItemKind.Reply) > 1000);
        Assert.Equal(patches, withDiffFiles);
    }
}
