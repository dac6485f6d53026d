using System.Text.Json;

namespace PatchBot.Bot.Tests;

/// <summary>The check verb's contract: formats, exit codes, bad inputs.</summary>
public sealed class CheckCommandTests
{
    private static string Sample => Path.Combine(RepoPaths.Root, "samples", "ntb-acme-dma-alias-in-probe.patch");

    [Fact]
    public void The_bundled_sample_gives_the_flagship_finding()
    {
        var result = CliProcess.Run(["check", "--format", "terse", Sample]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("drivers/ntb/hw/acme/ntb_hw_acme.c:17: ERROR: [dma-alias-after-iommu-group] ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_format_shows_the_source_line_trace_fix_and_summary()
    {
        var result = CliProcess.Run(["check", Sample]);

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stdout.Split('\n');
        Assert.StartsWith("drivers/ntb/hw/acme/ntb_hw_acme.c:17: error: ", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("[dma-alias-after-iommu-group]", lines[0], StringComparison.Ordinal);
        Assert.Contains("pci_add_dma_alias(pdev, devfn, 1);", lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("note: trace: acme_ntb_probe", StringComparison.Ordinal)
            && l.EndsWith("(pci_driver.probe, inferred) -> acme_ntb_setup_aliases -> pci_add_dma_alias", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("patchbot: 1 message, 1 patch, 1 file, 2 hunks, 0 problems; 1 error", StringComparison.Ordinal));
    }

    [Fact]
    public void Fail_level_sets_the_exit_code()
    {
        Assert.Equal(1, CliProcess.Run(["check", "--fail-level", "error", Sample]).ExitCode);
        Assert.Equal(0, CliProcess.Run(["check", "--fail-level", "none", Sample]).ExitCode);
    }

    [Fact]
    public void Disabling_the_rule_silences_it()
    {
        var result = CliProcess.Run(["check", "--format", "terse", "--disable", "dma-alias-after-iommu-group", Sample]);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("dma-alias-after-iommu-group", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Terse_prints_nothing_for_a_clean_patch()
    {
        string clean = Path.Combine(RepoPaths.CorpusCases, "search-wtype-limits-fix.eml");
        var result = CliProcess.Run(["check", "--format", "terse", clean]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public void A_missing_input_exits_2_and_the_others_are_still_checked()
    {
        var result = CliProcess.Run(["check", "--format", "json", "no/such/file.patch", Sample]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no/such/file.patch: no such file or directory", result.Stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
    }

    [Fact]
    public void Usage_errors_exit_2()
    {
        Assert.Equal(2, CliProcess.Run(["check", "--format", "xml", Sample]).ExitCode);
        Assert.Equal(2, CliProcess.Run(["check"]).ExitCode);
        Assert.Equal(2, CliProcess.Run(["no-such-verb"]).ExitCode);
    }

    [Fact]
    public void Garbled_input_is_a_problem_not_a_crash()
    {
        var dir = Directory.CreateTempSubdirectory("patchbot-garbled-");
        try
        {
            var good = File.ReadAllBytes(Sample);
            File.WriteAllBytes(Path.Combine(dir.FullName, "a-truncated.patch"), good[..(good.Length * 2 / 3)]);
            File.WriteAllBytes(Path.Combine(dir.FullName, "b-noise.bin"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251))]);
            File.Copy(Sample, Path.Combine(dir.FullName, "c-good.patch"));

            // The binary file was not checked: an input error, unless --allow-skipped accepts it.
            Assert.Equal(2, CliProcess.Run(["check", "--format", "json", "--fail-level", "none", dir.FullName]).ExitCode);
            var result = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", "--allow-skipped", dir.FullName]);

            Assert.True(result.ExitCode == 0, result.Stderr);
            using var doc = JsonDocument.Parse(result.Stdout);
            var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
            Assert.Equal(3, inputs.Count);
            Assert.NotEmpty(inputs[0].GetProperty("problems").EnumerateArray());
            Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray(),
                f => f.GetProperty("line").GetInt32() == 17);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_maildir_is_read_as_its_messages()
    {
        var dir = Directory.CreateTempSubdirectory("patchbot-maildir-");
        try
        {
            foreach (var sub in new[] { "cur", "new", "tmp" })
            {
                Directory.CreateDirectory(Path.Combine(dir.FullName, sub));
            }

            File.Copy(Sample, Path.Combine(dir.FullName, "new", "1700000000.1.host"));
            File.Copy(Path.Combine(RepoPaths.CorpusCases, "cover-switchtec-fixes-gen4.eml"), Path.Combine(dir.FullName, "cur", "1700000001.2.host:2,S"));
            File.WriteAllText(Path.Combine(dir.FullName, "tmp", "partial"), "not delivered yet");

            var result = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", dir.FullName]);

            using var doc = JsonDocument.Parse(result.Stdout);
            var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
            Assert.Equal(2, inputs.Count);
            Assert.Equal(1, inputs.Sum(i => i.GetProperty("coverLetters").GetInt32()));
            Assert.Equal(1, inputs.Sum(i => i.GetProperty("patches").GetInt32()));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

/// <summary>The rules and explain verbs.</summary>
public sealed class RulesCommandTests
{
    [Fact]
    public void Rules_lists_every_rule_with_its_severity()
    {
        var result = CliProcess.Run(["rules"]);
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("dma-alias-after-iommu-group ", StringComparison.Ordinal) && l.Contains(" error ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("dma-alias-in-final-fixup ", StringComparison.Ordinal) && l.Contains(" warning ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("sysfs-after-device-add ", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_prints_the_rule_page_and_rejects_unknown_rules()
    {
        var result = CliProcess.Run(["explain", "dma-alias-in-final-fixup"]);
        Assert.Equal(0, result.ExitCode);
        string page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "rules", "dma-alias-in-final-fixup.md"));
        Assert.Equal(page, result.Stdout);

        var unknown = CliProcess.Run(["explain", "no-such-rule"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown rule", unknown.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>The graph verb.</summary>
public sealed class GraphCommandTests
{
    private static string Sample => Path.Combine(RepoPaths.Root, "samples", "ntb-acme-dma-alias-in-probe.patch");

    [Fact]
    public void Text_shows_functions_roles_and_calls()
    {
        var result = CliProcess.Run(["graph", "--no-tree", Sample]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("drivers/ntb/hw/acme/ntb_hw_acme.c:37: static acme_ntb_probe() (partly shown)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("role: DriverProbe (pci_driver.probe, inferred from the signature", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("40: calls acme_ntb_setup_aliases(pdev) [added]", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Dot_and_json_describe_the_same_edges()
    {
        var dot = CliProcess.Run(["graph", "--format", "dot", Sample]);
        Assert.StartsWith("digraph patchbot {", dot.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"drivers/ntb/hw/acme/ntb_hw_acme.c:acme_ntb_probe\" -> \"drivers/ntb/hw/acme/ntb_hw_acme.c:acme_ntb_setup_aliases\" [label=\"40\", color=red]", dot.Stdout, StringComparison.Ordinal);

        var json = CliProcess.Run(["graph", "--format", "json", Sample]);
        using var doc = System.Text.Json.JsonDocument.Parse(json.Stdout);
        var calls = doc.RootElement[0].GetProperty("calls").EnumerateArray()
            .Select(c => (c.GetProperty("caller").GetString(), c.GetProperty("callee").GetString(), c.GetProperty("line").GetInt32()))
            .ToList();
        Assert.Contains(("acme_ntb_probe", "acme_ntb_setup_aliases", 40), calls);
        Assert.Contains(("acme_ntb_setup_aliases", "pci_add_dma_alias", 17), calls);
    }
}
