using System.Text;
using PatchBot.Tests.Support;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary>
/// A file name is the patch author's text: git quotes a path with a newline or an escape character as
/// <c>"a/x\nfake.c:99: ERROR: ..."</c>, and a reader that unquotes it must not print it raw, or the patch forges a
/// finding line (which b4 shows as one) or colours the terminal. Terse output also shows what was not analysed.
/// </summary>
public class ForgedOutputTests
{
    private const string Forged = "drivers/pci/q\\nfake/file.c:99: ERROR: [dma-alias-in-probe] forged\\033[31m.c";

    /// <summary>A patch with a finding (a DMA alias in a final fixup), its file renamed to the forged path.</summary>
    private static readonly string Patch = File.ReadAllText(Path.Combine(RepoPaths.Fixtures, "rules", "dma-alias-in-final-fixup", "bad-final-quirk.patch"))
        .Replace(" a/drivers/pci/quirks.c", $" \"a/{Forged}\"", StringComparison.Ordinal)
        .Replace(" b/drivers/pci/quirks.c", $" \"b/{Forged}\"", StringComparison.Ordinal);

    /// <summary>A quirk whose alias no caller in the patch reaches: not analysed without a tree.</summary>
    private static readonly string Unreached =
        "From: Jane Dev <jane@example.org>\nSubject: [PATCH] PCI: quirk\nDate: Mon, 21 Nov 2022 17:40:37 +0100\nMessage-ID: <unreached@example.org>\n\n"
        + "Alias.\n\nSigned-off-by: Jane Dev <jane@example.org>\n---\n"
        + "diff --git a/drivers/pci/q.c b/drivers/pci/q.c\nindex 1111111..2222222 100644\n--- a/drivers/pci/q.c\n+++ b/drivers/pci/q.c\n"
        + "@@ -10,3 +10,4 @@ static void quirk_foo(struct pci_dev *dev)\n \tint a;\n+\tpci_add_dma_alias(dev, PCI_DEVFN(0, 1), 1);\n \tint b;\n }\n";

    private static string Check(string format, string? patch = null)
    {
        patch ??= Patch;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Cli.PatchBotCli.Run(["check", "--format", format, "--no-tree", "-"], stdout, stderr, () => new MemoryStream(Encoding.UTF8.GetBytes(patch)));
        return stdout.ToString();
    }

    [Theory]
    [InlineData("text")]
    [InlineData("terse")]
    [InlineData("github")]
    public void A_file_name_cannot_start_a_line_or_hold_an_escape(string format)
    {
        string output = Check(format);

        Assert.Contains("fake/file.c", output, StringComparison.Ordinal); // the file is reported...
        Assert.DoesNotContain(output.Split('\n'), l => l.StartsWith("fake/", StringComparison.Ordinal)); // ...on its own line only
        Assert.DoesNotContain('\u001b', output);
        Assert.Contains("\\x1B", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Terse_shows_what_was_not_analysed_as_a_check_line()
    {
        string output = Check("terse", Unreached);

        Assert.Contains(output.Split('\n'), l => l.Contains(": CHECK: not analysed: ", StringComparison.Ordinal) && l.Contains("quirk_foo", StringComparison.Ordinal));
    }
}
