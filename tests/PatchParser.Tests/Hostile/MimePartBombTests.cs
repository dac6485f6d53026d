using System.Text;
using MimeKit;
using PatchBot.PatchParser.Mail;
using static PatchBot.PatchParser.Tests.Mail.MailTestKit;

namespace PatchBot.PatchParser.Tests.Hostile;

/// <summary>
/// A message of very many MIME parts (each a few bytes: "--P" and a blank line) costs MimeKit an object graph per
/// part, so the part limit must stop the parser, not only the walk over what it built. The message gives a
/// problem, its first parts are still read, and the messages after it are checked.
/// </summary>
[Collection(nameof(TimingTests))]
public class MimePartBombTests
{
    private const int BombParts = 200_000;

    private static string Bomb(int parts, string subject = "[PATCH] PCI: parts") =>
        Message(subject, "--P\nContent-Type: text/plain\n\n" + Body + "\n" + new StringBuilder().Insert(0, "--P\n\n", parts) + "--P--\n",
            contentType: "multipart/mixed; boundary=P");

    private static byte[] Mbox(params string[] messages) =>
        Encoding.UTF8.GetBytes(string.Concat(messages.Select((m, i) =>
            "From jane@example.org Mon Nov 21 17:40:37 2022\n" + m.Replace("<1@example.org>", $"<{i}@example.org>", StringComparison.Ordinal) + "\n")));

    private static (List<MailItem> Items, long Allocated) Read(byte[] input, int parallelism)
    {
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        using var stream = new MemoryStream(input);
        var items = MailReader.Read(stream, "bomb", null, parallelism).ToList();
        return (items, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Part_bomb_in_an_mbox_stops_at_the_limit_and_the_next_message_is_read(int parallelism)
    {
        var input = Mbox(Bomb(BombParts), Message("[PATCH] PCI: after the bomb", Body));
        var (items, allocated) = Read(input, parallelism);

        Assert.Equal(2, items.Count);
        var bomb = items[0];
        Assert.Contains(bomb.Problems, p => p.Message.Contains($"more than {MailOptions.Default.MaxMimeParts} MIME parts", StringComparison.Ordinal));
        Assert.Equal(MailItemKind.Patch, bomb.Kind); // the first part, read before the limit
        Assert.Equal(MailItemKind.Patch, items[1].Kind);
        Assert.Empty(items[1].Problems);

        // MimeKit builds an object graph of about a kilobyte per part: a parser that built every part of the bomb
        // allocates hundreds of megabytes; one stopped at the limit, a few times the input.
        Assert.True(allocated < 16L * input.Length, $"{allocated} bytes allocated for an input of {input.Length}");
    }

    [Fact]
    public void Part_bomb_as_a_single_message_stops_at_the_limit()
    {
        var input = Encoding.UTF8.GetBytes(Bomb(BombParts));
        var (items, allocated) = Read(input, 1);

        var bomb = Assert.Single(items);
        Assert.Contains(bomb.Problems, p => p.Message.Contains("MIME parts", StringComparison.Ordinal));
        Assert.True(allocated < 16L * input.Length, $"{allocated} bytes allocated for an input of {input.Length}");
    }

    [Fact]
    public void Part_bomb_loaded_for_serve_stops_at_the_limit_and_reports_it()
    {
        var raw = Encoding.UTF8.GetBytes(Bomb(BombParts));
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        using var message = MailReader.LoadMessage(raw);
        var item = MailReader.ReadMessage(message, "serve");
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(message.BodyParts.Count() <= MailOptions.Default.MaxMimeParts + 1, $"{message.BodyParts.Count()} parts built");
        Assert.Contains(item.Problems, p => p.Message.Contains($"more than {MailOptions.Default.MaxMimeParts} MIME parts", StringComparison.Ordinal));
        Assert.True(allocated < 16L * raw.Length, $"{allocated} bytes allocated for an input of {raw.Length}");
    }

    [Fact]
    public void Message_under_the_limit_with_many_dash_lines_keeps_all_its_parts()
    {
        // Removed lines that start with "--" look like boundaries to a byte scan: only MIME parts count.
        var diff = QuirkDiff.Replace(" \tint b;\n", string.Concat(Enumerable.Range(0, 400).Select(i => $"---{i};\n")) + " \tint b;\n", StringComparison.Ordinal)
            .Replace("@@ -10,3 +10,4 @@", "@@ -10,403 +10,4 @@", StringComparison.Ordinal);
        var item = ReadOne(Message("[PATCH] PCI: many removed lines", "x\n\nSigned-off-by: Jane Dev <jane@example.org>\n---\n" + diff));

        Assert.Equal(MailItemKind.Patch, item.Kind);
        Assert.Empty(item.Problems);
        Assert.Equal(400, item.Patches[0].Diff.Files[0].Hunks[0].Lines.Count(l => l.Text.StartsWith("--", StringComparison.Ordinal)));
    }

    [Fact]
    public void Parts_up_to_the_limit_are_all_read()
    {
        var options = MailOptions.Default with { MaxMimeParts = 10 };
        var parts = string.Concat(Enumerable.Range(0, 9).Select(i =>
            $"--P\nContent-Type: text/x-patch\nContent-Disposition: attachment; filename=\"{i}.patch\"\n\n" + QuirkDiff.Replace("quirks.c", $"q{i}.c", StringComparison.Ordinal)));
        var item = ReadOne(Message("[PATCH] PCI: nine", parts + "--P--\n", contentType: "multipart/mixed; boundary=P"), options);

        Assert.Empty(item.Problems);
        Assert.Equal(9, item.Patches.Count);
    }
}
