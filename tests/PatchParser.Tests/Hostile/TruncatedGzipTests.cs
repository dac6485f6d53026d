using System.IO.Compression;
using System.Text;
using PatchBot.PatchParser.Mail;
using static PatchBot.PatchParser.Tests.Mail.MailTestKit;

namespace PatchBot.PatchParser.Tests.Hostile;

/// <summary>
/// A gzip archive cut short (a download that stopped) must not look whole: the messages before the cut are read,
/// and the cut is a problem at the message where it stops. Whole archives, concatenated members and zero padding
/// read as before.
/// </summary>
public class TruncatedGzipTests
{
    /// <summary>Messages that do not compress to nothing (each has a line of its own), so a cut in the middle of the
    /// compressed data falls in the middle of the messages.</summary>
    private static string Mbox(int messages) => string.Concat(Enumerable.Range(0, messages).Select(i =>
        "From jane@example.org Mon Nov 21 17:40:37 2022\n"
        + Message($"[PATCH] PCI: part {i}", Noise(i) + "\n\n" + Body).Replace("<1@example.org>", $"<{i}@example.org>", StringComparison.Ordinal) + "\n"));

    private static string Noise(int seed)
    {
        var bytes = new byte[300];
        new Random(seed).NextBytes(bytes);
        return Convert.ToHexString(bytes);
    }

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    private static List<MailItem> Read(byte[] bytes, int parallelism)
    {
        using var stream = new MemoryStream(bytes);
        return MailReader.Read(stream, "archive.mbox.gz", null, parallelism).ToList();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Whole_archive_reads_every_message_without_a_problem(int parallelism)
    {
        var items = Read(Gzip(Mbox(40)), parallelism);

        Assert.Equal(40, items.Count);
        Assert.All(items, i => Assert.Equal(MailItemKind.Patch, i.Kind));
        Assert.All(items, i => Assert.Empty(i.AllProblems));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(1, 20)]   // inside the deflate data
    [InlineData(1, 4)]    // inside the trailer
    [InlineData(1, 8)]    // the whole trailer gone
    public void Cut_archive_reads_the_messages_before_the_cut_and_reports_it(int parallelism, int cutBytes)
    {
        var whole = Gzip(Mbox(40));
        int keep = cutBytes == 2 ? whole.Length / 2 : whole.Length - cutBytes;
        var items = Read(whole[..keep], parallelism);

        var last = items[^1];
        Assert.Equal(MailItemKind.Unreadable, last.Kind);
        var problem = Assert.Single(last.Problems);
        Assert.Contains("truncated", problem.Message, StringComparison.Ordinal);
        Assert.Contains($"message {items.Count} (byte ", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Skipped);
        Assert.All(items[..^1], i => Assert.Equal(MailItemKind.Patch, i.Kind));
        Assert.True(items.Count >= (cutBytes == 2 ? 10 : 40), $"{items.Count} items");
    }

    [Fact]
    public void Concatenated_members_and_zero_padding_read_as_one_archive()
    {
        var bytes = Gzip(Mbox(3)).Concat(Gzip(Mbox(2))).Concat(new byte[512]).ToArray();
        var items = Read(bytes, 1);

        Assert.Equal(5, items.Count);
        Assert.All(items, i => Assert.Empty(i.AllProblems));
    }

    [Fact]
    public void Corrupted_trailer_is_reported()
    {
        var bytes = Gzip(Mbox(3));
        bytes[^6] ^= 0x55; // the CRC-32
        var items = Read(bytes, 1);

        Assert.Contains(items, i => i.Problems.Any(p => p.Skipped));
    }
}
