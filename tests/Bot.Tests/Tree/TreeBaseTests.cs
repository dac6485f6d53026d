using System.Text.Json;

namespace PatchBot.Bot.Tests.Tree;

/// <summary>
/// Tree mode when the tree is not the patch's base: a patch already committed in the checkout it is checked in
/// (format-patch right after commit), and a patch whose hunk does not apply to a tree that moved on.
/// Real kernel files, real git.
/// </summary>
public sealed class TreeBaseTests : IDisposable
{
    private const string Driver = "drivers/misc/mei/pci-me.c";

    private const string QuirkProbe = "static bool mei_me_quirk_probe(struct pci_dev *pdev,\n\t\t\t\tconst struct mei_cfg *cfg)\n{\n";

    private const string Alias = "\tpci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 7), 1);\n";

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("patchbot-treebase-");

    private Dictionary<string, string> Env => new() { ["XDG_CACHE_HOME"] = Path.Combine(_temp.FullName, "cache") };

    public void Dispose() => _temp.Delete(recursive: true);

    internal static List<JsonElement> Findings(CliProcess.Result result, string rule = "dma-alias-after-iommu-group")
    {
        using var doc = JsonDocument.Parse(result.Stdout);
        return [.. doc.RootElement.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("rule").GetString() == rule).Select(f => f.Clone())];
    }

    internal static List<string> Coverage(CliProcess.Result result)
    {
        using var doc = JsonDocument.Parse(result.Stdout);
        return [.. doc.RootElement.GetProperty("coverage").EnumerateArray().Select(c => c.GetProperty("reason").GetString()!)];
    }

    /// <summary>The line of the first added line holding <paramref name="text"/>, in the numbering of the patch's own hunk headers.</summary>
    internal static int MailedLine(string patch, string text)
    {
        int newLine = 0;
        foreach (var line in File.ReadLines(patch))
        {
            if (line.StartsWith("@@ ", StringComparison.Ordinal))
            {
                int plus = line.IndexOf(" +", StringComparison.Ordinal) + 2;
                int end = line.IndexOfAny([',', ' '], plus);
                newLine = int.Parse(line[plus..end], System.Globalization.CultureInfo.InvariantCulture);
                continue;
            }

            if (newLine == 0 || line.StartsWith('-'))
            {
                continue;
            }

            if (line.StartsWith('+') && line.Contains(text, StringComparison.Ordinal))
            {
                return newLine;
            }

            newLine++;
        }

        throw new InvalidOperationException($"{text} not added in {patch}");
    }

    [Fact]
    public void A_patch_already_committed_in_the_checkout_is_checked_against_the_tree_as_it_is()
    {
        using var repo = KernelGitRepo.Create(Driver);
        repo.Edit(Driver, QuirkProbe, QuirkProbe + Alias);
        repo.Commit("mei: me: alias function 7 for DMA");
        string patch = Assert.Single(repo.FormatPatch(1, Path.Combine(_temp.FullName, "out")));

        // As a developer runs it: inside the checkout, which holds the patch already.
        var result = CliProcess.Run(["check", "--format", "json", patch], workingDirectory: Path.Combine(repo.Path, "drivers"), environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(Findings(result));
        Assert.Equal(Driver, finding.GetProperty("file").GetString());
        Assert.Equal(MailedLine(patch, "pci_add_dma_alias"), finding.GetProperty("line").GetInt32());
        Assert.Equal(["mei_me_probe (pci_driver.probe)", "mei_me_quirk_probe", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));
        Assert.DoesNotContain(Coverage(result), c => c.Contains("does not apply", StringComparison.Ordinal));
    }

    [Fact]
    public void A_series_already_committed_is_undone_part_by_part_and_checked_on_its_own_base()
    {
        using var repo = KernelGitRepo.Create(Driver);
        repo.Edit(Driver, "\treturn true;\n}\n", "\treturn true;\n}\n\nstatic void mei_me_alias_func7(struct pci_dev *pdev)\n{\n" + Alias + "}\n");
        repo.Commit("mei: me: add a helper that aliases function 7");
        repo.Edit(Driver, QuirkProbe, QuirkProbe + "\tmei_me_alias_func7(pdev);\n");
        repo.Commit("mei: me: alias function 7 from the quirk probe");
        var patches = repo.FormatPatch(2, Path.Combine(_temp.FullName, "out"), "--thread", "--cover-letter");

        var result = CliProcess.Run(["check", "--format", "json", .. patches], workingDirectory: repo.Path, environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(Findings(result));
        Assert.Equal(["mei_me_probe (pci_driver.probe)", "mei_me_quirk_probe", "mei_me_alias_func7", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));
        Assert.DoesNotContain(Coverage(result), c => c.Contains("does not apply", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hunk_that_does_not_apply_still_gets_the_callers_and_registration_of_its_function_from_the_tree()
    {
        using var repo = KernelGitRepo.Create(Driver);
        string base_ = repo.Git("rev-parse", "HEAD");

        // The tree moved on: the context of the coming hunk changed.
        repo.Edit(Driver, "Device doesn't have valid ME Interface", "No valid ME interface");
        repo.Commit("mei: me: reword the quirk message");

        // The patch was made on the old base.
        repo.Git("checkout", "-q", "-b", "dev", base_);
        repo.Edit(Driver, QuirkProbe, QuirkProbe + Alias);
        repo.Commit("mei: me: alias function 7 for DMA");
        string patch = Assert.Single(repo.FormatPatch(1, Path.Combine(_temp.FullName, "out")));
        repo.Git("checkout", "-q", "master");

        var alone = CliProcess.Run(["check", "--format", "json", "--no-tree", patch], environment: Env);
        Assert.Empty(Findings(alone)); // the patch alone shows neither the caller nor the .probe

        var result = CliProcess.Run(["check", "--format", "json", "--tree", repo.Path, patch], environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        Assert.Contains(Coverage(result), c => c.Contains("does not apply to the tree; analysed from the patch, with the tree's callers and registrations", StringComparison.Ordinal));
        var finding = Assert.Single(Findings(result));
        Assert.Equal(MailedLine(patch, "pci_add_dma_alias"), finding.GetProperty("line").GetInt32());
        Assert.Equal(["mei_me_probe (pci_driver.probe)", "mei_me_quirk_probe", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public void A_hunk_without_function_context_that_does_not_apply_is_named_after_the_function_holding_it_in_the_tree()
    {
        using var repo = KernelGitRepo.Create(Driver);
        string base_ = repo.Git("rev-parse", "HEAD");
        repo.Edit(Driver, "Device doesn't have valid ME Interface", "No valid ME interface");
        repo.Commit("mei: me: reword the quirk message");

        repo.Git("checkout", "-q", "-b", "dev", base_);
        repo.Edit(Driver, "\t\treturn false;\n\t}\n\n\treturn true;\n", "\t\treturn false;\n\t}\n\n" + Alias + "\treturn true;\n");
        repo.Commit("mei: me: alias function 7 for DMA");
        string patch = Assert.Single(repo.FormatPatch(1, Path.Combine(_temp.FullName, "out"), "-U5"));
        repo.Git("checkout", "-q", "master");

        // As diff -u writes it (or git with a funcname pattern that finds no function): no @@ function context.
        string text = File.ReadAllText(patch);
        Assert.Contains("@@ static bool mei_me_quirk_probe(", text, StringComparison.Ordinal);
        File.WriteAllText(patch, System.Text.RegularExpressions.Regex.Replace(text, "(?m)^(@@ [^@]+ @@).*$", "$1"));

        var alone = CliProcess.Run(["check", "--format", "json", "--no-tree", patch], environment: Env);
        Assert.Contains(Coverage(alone), c => c.Contains("whose name is not known", StringComparison.Ordinal));

        var result = CliProcess.Run(["check", "--format", "json", "--tree", repo.Path, patch], environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        Assert.Contains(Coverage(result), c => c.Contains("does not apply to the tree", StringComparison.Ordinal));
        Assert.DoesNotContain(Coverage(result), c => c.Contains("whose name is not known", StringComparison.Ordinal));
        var finding = Assert.Single(Findings(result));
        Assert.Equal(MailedLine(patch, "pci_add_dma_alias"), finding.GetProperty("line").GetInt32());
        Assert.Equal(["mei_me_probe (pci_driver.probe)", "mei_me_quirk_probe", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public void A_finding_points_at_the_line_the_author_mailed_whatever_offset_the_tree_applied_it_at()
    {
        using var repo = KernelGitRepo.Create(Driver);
        string base_ = repo.Git("rev-parse", "HEAD");

        // The tree moved on above the hunk: seven lines more, so the hunk applies seven lines lower.
        repo.Edit(Driver, "#include <linux/module.h>\n", "#include <linux/module.h>\n" + string.Concat(Enumerable.Repeat("/* moved */\n", 7)));
        repo.Commit("mei: me: seven lines more");

        repo.Git("checkout", "-q", "-b", "dev", base_);
        repo.Edit(Driver, QuirkProbe, QuirkProbe + Alias);
        repo.Commit("mei: me: alias function 7 for DMA");
        string patch = Assert.Single(repo.FormatPatch(1, Path.Combine(_temp.FullName, "out")));
        repo.Git("checkout", "-q", "master");

        var result = CliProcess.Run(["check", "--format", "json", "--tree", repo.Path, patch], environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(Findings(result));
        int mailed = MailedLine(patch, "pci_add_dma_alias");
        Assert.Equal(mailed, finding.GetProperty("line").GetInt32());
        Assert.Equal(mailed + 7, finding.GetProperty("treeLine").GetInt32());
        Assert.Equal("mei_me_probe (pci_driver.probe)", finding.GetProperty("trace")[0].GetString());

        var terse = CliProcess.Run(["check", "--format", "terse", "--tree", repo.Path, patch], environment: Env);
        Assert.StartsWith($"{Driver}:{mailed}: ERROR: [dma-alias-after-iommu-group]", terse.Stdout, StringComparison.Ordinal);
    }
}
