using System.Diagnostics;
using System.Text;
using PatchBot.Bot.Cli;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary>
/// The whole check pipeline (mail -> diff -> graph -> replay -> findings tied back to their lines -> report) grows
/// linearly with the number of offending lines: x1, x10, x100 calls, elapsed time compared as ratios only.
/// </summary>
[Collection(nameof(HostileTiming))]
public class PipelineScalingTests
{
    private static byte[] PatchWithAliasCalls(int calls)
    {
        var hunk = new StringBuilder();
        hunk.Append("+static int x_probe(struct pci_dev *pdev, const struct pci_device_id *id)\n+{\n");
        for (int i = 0; i < calls; i++)
        {
            hunk.Append($"+\tpci_add_dma_alias(pdev, PCI_DEVFN({i % 32}, {i % 8}), 1);\n");
        }

        hunk.Append("+\treturn 0;\n+}\n");
        int lines = calls + 4;
        return Encoding.UTF8.GetBytes(
            "From: Jane Dev <jane@example.org>\nSubject: [PATCH] PCI: many aliases\nDate: Mon, 21 Nov 2022 17:40:37 +0100\nMessage-ID: <scale@hostile.test>\n\n"
            + "Aliases.\n\nSigned-off-by: Jane Dev <jane@example.org>\n---\n"
            + "diff --git a/drivers/pci/x.c b/drivers/pci/x.c\nnew file mode 100644\n--- /dev/null\n+++ b/drivers/pci/x.c\n"
            + $"@@ -0,0 +1,{lines} @@\n" + hunk);
    }

    private static (TimeSpan Elapsed, int Findings) Check(byte[] input)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var best = TimeSpan.MaxValue;
        for (int run = 0; run < 2; run++)
        {
            var watch = Stopwatch.StartNew();
            int exit = PatchBotCli.Run(["check", "--format", "terse", "-"], stdout, stderr, () => new MemoryStream(input, writable: false));
            best = watch.Elapsed < best ? watch.Elapsed : best;
            Assert.Equal(1, exit);
        }

        int findings = stdout.ToString().Split('\n').Count(l => l.Contains("dma-alias", StringComparison.Ordinal)) / 2;
        return (best, findings);
    }

    [Fact]
    public void Check_is_linear_in_offending_lines()
    {
        Check(PatchWithAliasCalls(20)); // warm
        for (int attempt = 1; ; attempt++)
        {
            var x1 = Check(PatchWithAliasCalls(40));
            var x10 = Check(PatchWithAliasCalls(400));
            var x100 = Check(PatchWithAliasCalls(4000));
            string report = $"x1 {x1.Elapsed.TotalMilliseconds:F0} ms ({x1.Findings} findings), x10 {x10.Elapsed.TotalMilliseconds:F0} ms ({x10.Findings}), x100 {x100.Elapsed.TotalMilliseconds:F0} ms ({x100.Findings})";
            Assert.True(x100.Findings > x10.Findings && x10.Findings > x1.Findings, report);
            double floor = Math.Max(x10.Elapsed.TotalMilliseconds, 20);
            if (x100.Elapsed.TotalMilliseconds / floor <= 40)
            {
                return;
            }

            Assert.True(attempt < 3, "check grows faster than its input: " + report);
        }
    }
}
