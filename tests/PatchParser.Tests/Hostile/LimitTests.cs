using System.Text;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Model;
using static PatchBot.PatchParser.Tests.Mail.MailTestKit;

namespace PatchBot.PatchParser.Tests.Hostile;

/// <summary>Every limit is an option with a sane default, and going over it is reported as a problem or a gap.</summary>
public class LimitTests
{
    /// <summary>Counts the bytes taken from the source.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Taken { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Taken; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            Taken += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void Defaults_are_sane()
    {
        var mail = MailOptions.Default;
        Assert.InRange(mail.MaxMessageSize, 1L << 20, 1L << 30);
        Assert.InRange(mail.MaxMimeDepth, 4, 1000);
        Assert.InRange(mail.MaxMimeParts, 16, 100_000);
        Assert.InRange(mail.MaxAttachmentSize, 1L << 20, mail.MaxMessageSize);
        Assert.InRange(mail.MaxPatchesPerMessage, 1, 10_000);
        var diff = DiffReaderOptions.Default;
        Assert.InRange(diff.MaxFiles, 100, 100_000);
        Assert.InRange(diff.MaxHunksPerFile, 100, 100_000);
        Assert.InRange(diff.MaxLineLength, 1024, 1 << 24);
        var graph = GraphOptions.Default;
        Assert.InRange(graph.MaxTokensPerFile, 10_000, 100_000_000);
        Assert.InRange(graph.MaxNesting, 16, 10_000);
        var paths = CallPathLimits.Default;
        Assert.InRange(paths.MaxPaths, 1, 100_000);
        Assert.InRange(paths.MaxDepth, 4, 1_000);
        Assert.InRange(paths.MaxSteps, paths.MaxPaths * paths.MaxDepth, 10_000_000);
        Assert.InRange(new SeriesAssembler().MaxParts, 100, 100_000);
    }

    [Fact]
    public void Huge_single_message_is_reported_without_reading_it_all()
    {
        var message = Encoding.UTF8.GetBytes(Message("[PATCH] PCI: huge", Body + new string('x', 4_000_000) + "\n"));
        using var source = new CountingStream(new MemoryStream(message));
        var item = Assert.Single(MailReader.Read(source, "huge", new MailOptions { MaxMessageSize = 10_000 }));
        Assert.Equal(MailItemKind.Unreadable, item.Kind);
        Assert.Contains("over the limit of 10000 bytes", Assert.Single(item.Problems).Message, StringComparison.Ordinal);
        Assert.True(source.Taken < 200_000, $"read {source.Taken} bytes");
    }

    [Fact]
    public void Huge_bare_patch_is_reported()
    {
        var text = Encoding.UTF8.GetBytes(QuirkDiff + new string('+', 100_000) + "\n");
        using var stream = new MemoryStream(text);
        var item = Assert.Single(MailReader.Read(stream, "big.patch", new MailOptions { MaxMessageSize = 10_000 }));
        Assert.Equal(MailItemKind.Unreadable, item.Kind);
        Assert.Contains("over the limit of 10000", item.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Mime_nesting_over_the_limit_is_reported()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 6; i++)
        {
            sb.Append($"--b{i}\nContent-Type: multipart/mixed; boundary=\"b{i + 1}\"\n\n");
        }

        sb.Append($"--b6\nContent-Type: text/plain\n\n{Body}\n");
        var item = ReadOne(Message("[PATCH] deep", sb.ToString(), contentType: "multipart/mixed; boundary=\"b0\""), new MailOptions { MaxMimeDepth = 3 });
        Assert.Contains(item.Problems, p => p.Message.Contains("MIME nesting deeper than 3", StringComparison.Ordinal));
        var deepEnough = ReadOne(Message("[PATCH] deep", sb.ToString(), contentType: "multipart/mixed; boundary=\"b0\""), new MailOptions { MaxMimeDepth = 10 });
        Assert.Equal(MailItemKind.Patch, deepEnough.Kind);
    }

    [Fact]
    public void Inline_text_part_over_the_attachment_limit_is_skipped_with_a_problem()
    {
        var body = "--A\nContent-Type: text/plain\n\n" + Body + "--A--\n";
        var item = ReadOne(Message("[PATCH] a", body, contentType: "multipart/mixed; boundary=A"), new MailOptions { MaxAttachmentSize = 100 });
        Assert.Empty(item.Patches);
        Assert.Contains(item.Problems, p => p.Message.Contains("over the limit of 100", StringComparison.Ordinal));
    }

    [Fact]
    public void Patch_attachments_over_the_limit_are_reported()
    {
        var body = "--A\nContent-Type: text/plain\n\nthree patches attached\n"
            + string.Concat(Enumerable.Range(1, 3).Select(i => $"--A\nContent-Type: text/x-patch; name=\"{i}.patch\"\nContent-Disposition: attachment; filename=\"{i}.patch\"\n\n{QuirkDiff}"))
            + "--A--\n";
        var item = ReadOne(Message("[PATCH] a", body, contentType: "multipart/mixed; boundary=A"), new MailOptions { MaxPatchesPerMessage = 2 });
        Assert.Equal(2, item.Patches.Count);
        Assert.Contains(item.Problems, p => p.Message.Contains("more than 2 patches", StringComparison.Ordinal));
    }

    [Fact]
    public void Hunks_over_the_limit_are_reported()
    {
        var text = "--- a/x.c\n+++ b/x.c\n" + string.Concat(Enumerable.Range(0, 10).Select(h => $"@@ -{(h * 10) + 1} +{(h * 10) + 1} @@\n-a\n+b\n"));
        var diff = DiffReader.Read(text, new DiffReaderOptions { MaxHunksPerFile = 4 });
        Assert.Equal(4, Assert.Single(diff.Files).Hunks.Count);
        Assert.Contains(diff.Problems, p => p.Message.Contains('4', StringComparison.Ordinal));
    }

    [Fact]
    public void Files_over_the_limit_are_reported()
    {
        var text = string.Concat(Enumerable.Range(0, 10).Select(f => $"--- a/f{f}.c\n+++ b/f{f}.c\n@@ -1 +1 @@\n-a\n+b\n"));
        var diff = DiffReader.Read(text, new DiffReaderOptions { MaxFiles = 3 });
        Assert.Equal(3, diff.Files.Count);
        Assert.NotEmpty(diff.Problems);
    }

    [Fact]
    public void Long_line_is_cut_and_reported()
    {
        var diff = DiffReader.Read("--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+" + new string('y', 10_000_000) + "\n", new DiffReaderOptions { MaxLineLength = 1000 });
        var line = Assert.Single(diff.Files).Hunks[0].Lines[1];
        Assert.True(line.Text.Length <= 1000);
        Assert.NotEmpty(diff.Problems);
    }

    [Fact]
    public void Tokens_over_the_limit_leave_a_gap()
    {
        string text = string.Concat(Enumerable.Range(0, 1000).Select(i => $"static int f{i}(void) {{ return {i}; }}\n"));
        var file = new FilePatch(null, "drivers/x.c", FileChangeKind.Added,
            [new Hunk(0, 0, 1, 1000, "", text.TrimEnd('\n').Split('\n').Select((l, i) => new DiffLine(DiffLineKind.Added, l, 0, i + 1, i + 1)).ToList(), 1)], 1);
        var graph = CallGraphBuilder.Build([new GraphInput("o", [file])], IdiomModel.Default.Table, new GraphOptions { MaxTokensPerFile = 500 });
        Assert.Contains(graph.Gaps, g => g.Reason.Contains("token limit (500", StringComparison.Ordinal));
        Assert.True(graph.Functions.Count < 1000);
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(40, true)]
    [InlineData(100_000, true)]
    public void Initialiser_nesting_over_the_limit_leaves_a_gap(int depth, bool over)
    {
        string text = "static struct pci_driver d = " + new string('{', depth) + ".probe = p" + new string('}', depth) + ";";
        var file = new FilePatch(null, "drivers/x.c", FileChangeKind.Added,
            [new Hunk(0, 0, 1, 1, "", [new DiffLine(DiffLineKind.Added, text, 0, 1, 1)], 1)], 1);
        var graph = CallGraphBuilder.Build([new GraphInput("o", [file])], IdiomModel.Default.Table, new GraphOptions { MaxNesting = 32 });
        Assert.Equal(over, graph.Gaps.Any(g => g.Reason.Contains("nested deeper than 32", StringComparison.Ordinal)));
    }
}
