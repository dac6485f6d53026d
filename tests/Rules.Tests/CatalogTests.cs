using System.Text.RegularExpressions;
using PatchBot.Rules.Catalog;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Tests;

public sealed partial class CatalogTests
{
    public static TheoryData<string> RuleIds => [.. RuleCatalog.All.Select(r => r.Id)];

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();

    // "drivers/pci/quirks.c:4165: [dma-alias-in-final-fixup]": every finding the whole patch must produce.
    [GeneratedRegex(@"^[\w./+-]+:\d+: \[[a-z0-9-]+\]$")]
    private static partial Regex ExpectedLine();

    [Fact]
    public void Ids_are_unique_kebab_case()
    {
        var ids = RuleCatalog.All.Select(r => r.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches(KebabCase(), id));
        Assert.Contains("dma-alias-after-iommu-group", ids);
        Assert.Contains("dma-alias-in-final-fixup", ids);
        Assert.Contains("sysfs-after-device-add", ids);
        Assert.Contains("dma-alias-from-module", ids);
        Assert.Contains("aspm-disable-in-late-fixup", ids);
        Assert.Contains("mpss-quirk-after-mps-config", ids);
        Assert.Contains("acs-requested-after-enumeration", ids);
        Assert.Contains("capability-used-before-init", ids);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Metadata_is_complete(string id)
    {
        var rule = RuleCatalog.Find(id)!;
        Assert.False(string.IsNullOrWhiteSpace(rule.Title));
        Assert.False(string.IsNullOrWhiteSpace(rule.Summary));
        Assert.Contains("/", rule.Explanation, StringComparison.Ordinal); // cites a kernel path
        Assert.False(string.IsNullOrWhiteSpace(rule.Fix));
        Assert.NotEqual(rule.BadExample, rule.GoodExample);
        Assert.NotEmpty(rule.References);
        Assert.True(rule.Needs.Callees.Count + rule.Needs.Fields.Count + (rule.Needs.ReadFields?.Count ?? 0) > 0, "the rule looks at nothing");
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Checked_in_doc_matches_the_metadata(string id)
    {
        var path = Path.Combine(RepoPaths.Root, "docs", "rules", id + ".md");
        var expected = RuleDocs.Render(RuleCatalog.Find(id)!);
        if (Environment.GetEnvironmentVariable("PATCHBOT_WRITE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), $"missing {path}; run the tests with PATCHBOT_WRITE_DOCS=1");
        Assert.Equal(expected, File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Every_rule_has_bad_and_good_fixtures(string id)
    {
        var dir = Path.Combine(RepoPaths.Root, "tests", "fixtures", "rules", id);
        Assert.True(Directory.Exists(dir), dir);
        var bad = Directory.GetFiles(dir, "bad-*.patch");
        Assert.NotEmpty(bad);
        Assert.NotEmpty(Directory.GetFiles(dir, "good-*.patch"));
        foreach (var patch in bad)
        {
            var expected = Path.ChangeExtension(patch, ".expected");
            Assert.True(File.Exists(expected), expected);
            var lines = File.ReadAllLines(expected).Where(l => l.Length > 0).ToList();
            Assert.All(lines, l => Assert.Matches(ExpectedLine(), l));
            Assert.Contains(lines, l => l.EndsWith($" [{id}]", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Docs_render_every_section()
    {
        var doc = RuleDocs.Render(RuleCatalog.Find("dma-alias-after-iommu-group")!);
        foreach (var section in new[] { "## What it finds", "## Why it is wrong", "## Bad", "## Good", "## How to suppress", "## References" })
        {
            Assert.Contains(section, doc, StringComparison.Ordinal);
        }

        Assert.Contains("patchbot: ignore dma-alias-after-iommu-group", doc, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalogue_order_is_the_order_rules_were_added()
    {
        // SARIF, `patchbot rules` and the docs list rules in this order; a new rule takes the next place, after these.
        Assert.Equal(
            ["dma-alias-after-iommu-group", "dma-alias-in-final-fixup", "sysfs-after-device-add", "dma-alias-from-module",
             "aspm-disable-in-late-fixup", "mpss-quirk-after-mps-config", "acs-requested-after-enumeration", "capability-used-before-init"],
            RuleCatalog.All.Select(r => r.Id).Take(8));
        Assert.Empty(RuleCatalog.Validate([.. RuleCatalog.Rules.Select((r, i) => (i, r))], LifecycleModel.Default));
    }

    [Fact]
    public void Places_and_ids_used_twice_and_unknown_effects_are_reported()
    {
        var rules = RuleCatalog.Rules;
        var problems = RuleCatalog.Validate(
            [(1, rules[0]), (1, rules[1]), (2, rules[0]), (3, new GhostRule())],
            LifecycleModel.Default);
        Assert.Contains($"place 1 is taken by {rules[0].Metadata.Id}, {rules[1].Metadata.Id}", problems);
        Assert.Contains($"rule id {rules[0].Metadata.Id} is used 2 times", problems);
        Assert.Contains(problems, p => p.StartsWith("rule ghost-rule judges effect NoSuchEffect", StringComparison.Ordinal));
    }

    private sealed class GhostRule : Rule
    {
        public override RuleMetadata Metadata { get; } = new(
            "ghost-rule", "t", Severity.Info, "s", "e", "f", "bad", "good", [], new RuleNeeds([], [], [], false));

        public override KernelEffect Effect => new("NoSuchEffect");

        public override Finding? Evaluate(SiteReplay replay, RuleContext context) => null;
    }

    [Fact]
    public void Unknown_rule_is_not_found() => Assert.Null(RuleCatalog.Find("no-such-rule"));
}
