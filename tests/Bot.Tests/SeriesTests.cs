using System.Diagnostics;
using System.Text.Json;
using MimeKit;

namespace PatchBot.Bot.Tests;

/// <summary>
/// A real series made with git format-patch --thread: the call is in patch 1, the late registration in patch 2.
/// Given in one call they are analysed together and the finding names patch 1's Message-ID.
/// </summary>
public sealed class SeriesTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("patchbot-series-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _dir.FullName, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "Ada Developer";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "ada@example.org";
        using var git = Process.Start(start)!;
        string output = git.StandardOutput.ReadToEnd();
        string error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }

    private void Write(string path, string text)
    {
        string full = Path.Combine(_dir.FullName, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    [Fact]
    public void A_call_and_its_late_registration_in_two_parts_give_one_finding_in_the_part_with_the_call()
    {
        Git("init", "-q");
        Write("drivers/pci/quirks.c", "// SPDX-License-Identifier: GPL-2.0\n#include <linux/pci.h>\n\nstatic void quirk_other(struct pci_dev *dev)\n{\n\tdev->class = 0;\n}\nDECLARE_PCI_FIXUP_HEADER(0x1111, 0x2222, quirk_other);\n");
        Git("add", "-A");
        Git("commit", "-qm", "base");

        File.AppendAllText(Path.Combine(_dir.FullName, "drivers/pci/quirks.c"),
            "\nstatic void quirk_acme_ntb_alias(struct pci_dev *pdev)\n{\n\tpci_add_dma_alias(pdev, 0, 8);\n}\n");
        Git("commit", "-qam", "PCI: Add a DMA alias helper for Acme NTB\n\nSigned-off-by: Ada Developer <ada@example.org>");
        File.AppendAllText(Path.Combine(_dir.FullName, "drivers/pci/quirks.c"),
            "DECLARE_PCI_FIXUP_FINAL(0x1d0f, 0x8531, quirk_acme_ntb_alias);\n");
        Git("commit", "-qam", "PCI: Apply the Acme NTB DMA alias quirk\n\nSigned-off-by: Ada Developer <ada@example.org>");
        Git("format-patch", "-q", "--thread", "--cover-letter", "-o", "out", "HEAD~2");
        var files = Directory.GetFiles(Path.Combine(_dir.FullName, "out")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, files.Count);
        string part1Id = "<" + MimeMessage.Load(files[1]).MessageId + ">";

        var together = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", .. files]);

        using var doc = JsonDocument.Parse(together.Stdout);
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("dma-alias-in-final-fixup", finding.GetProperty("rule").GetString());
        Assert.Equal(part1Id, finding.GetProperty("messageId").GetString());
        Assert.Equal(12, finding.GetProperty("line").GetInt32());
        Assert.Empty(doc.RootElement.GetProperty("series").EnumerateArray());

        // Part 1 alone: nothing registers the helper yet, so there is nothing to say.
        var alone = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", files[1]]);
        using var aloneDoc = JsonDocument.Parse(alone.Stdout);
        Assert.Empty(aloneDoc.RootElement.GetProperty("findings").EnumerateArray());

        // Part 2 alone: the series is reported incomplete.
        var partTwo = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", files[2]]);
        using var twoDoc = JsonDocument.Parse(partTwo.Stdout);
        Assert.Contains(twoDoc.RootElement.GetProperty("series").EnumerateArray(), s => s.GetString()!.Contains("1 of 2 parts", StringComparison.Ordinal));
    }
}
