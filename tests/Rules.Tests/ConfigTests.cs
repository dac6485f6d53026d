using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Config;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Tests;

public sealed class ConfigTests
{
    private static GraphBuilder ProbeAliasAndSysfs() => new GraphBuilder()
        .Function("foo_probe", "drivers/misc/foo.c", 10, 40, parameters: [Kernel.PciProbe, Kernel.PciId])
        .Call("foo_probe", "pci_add_dma_alias", "drivers/misc/foo.c", 20, "pdev, 0, 1")
        .Call("foo_probe", "device_create_file", "drivers/misc/foo.c", 21, "&pdev->dev, &dev_attr_x")
        .Register(RoleKind.DriverProbe, "foo_probe", "drivers/misc/foo.c", 60, "pci_driver.probe");

    [Fact]
    public void Severities_and_off_are_read()
    {
        var config = PatchBotConfig.Parse("""
            { "rules": { "sysfs-after-device-add": "error", "dma-alias-in-final-fixup": "off" } }
            """, out var problems);

        Assert.Empty(problems);
        Assert.Equal(Severity.Error, config.SeverityOf("sysfs-after-device-add", Severity.Warning));
        Assert.False(config.IsEnabled("dma-alias-in-final-fixup"));
        Assert.True(config.IsEnabled("dma-alias-after-iommu-group"));
    }

    [Fact]
    public void Analysis_applies_the_configuration()
    {
        var graph = ProbeAliasAndSysfs();
        Assert.Equal(2, graph.Analyze().Findings.Count);

        var config = PatchBotConfig.Parse("""{ "rules": { "sysfs-after-device-add": "error" }, "disable": ["dma-alias-after-iommu-group"] }""", out _);
        var finding = Assert.Single(graph.Analyze(new AnalysisOptions { Config = config }).Findings);
        Assert.Equal(("sysfs-after-device-add", Severity.Error), (finding.Rule, finding.Severity));
    }

    [Fact]
    public void Enable_list_selects_rules()
    {
        var config = PatchBotConfig.Parse("""{ "enable": ["sysfs-after-device-add"] }""", out var problems);
        Assert.Empty(problems);
        var finding = Assert.Single(ProbeAliasAndSysfs().Analyze(new AnalysisOptions { Config = config }).Findings);
        Assert.Equal("sysfs-after-device-add", finding.Rule);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1, 2]")]
    [InlineData("""{ "rules": { "no-such-rule": "error" } }""")]
    [InlineData("""{ "rules": { "sysfs-after-device-add": "loud" } }""")]
    [InlineData("""{ "disable": [42] }""")]
    [InlineData("""{ "rules": [] }""")]
    public void Bad_configuration_is_reported_not_thrown(string json)
    {
        var config = PatchBotConfig.Parse(json, out var problems);
        Assert.NotEmpty(problems);
        Assert.NotNull(config);
    }

    [Fact]
    public void Load_reads_a_stream_with_comments()
    {
        using var stream = new MemoryStream("// team settings\n{ \"rules\": { \"dma-alias-from-module\": \"warning\", }, }"u8.ToArray());
        var config = PatchBotConfig.Load(stream, out var problems);
        Assert.Empty(problems);
        Assert.Equal(Severity.Warning, config.SeverityOf("dma-alias-from-module", Severity.Info));
    }

    [Fact]
    public void The_loader_names_the_source_and_line_of_every_problem_and_gives_the_defaults()
    {
        Assert.False(PatchBotConfig.TryLoad("{\n  \"rules\": { \"no-such-rule\": \"off\" },\n  \"enable\": [3]\n}", "repo/.patchbot.json", out var config, out string? error));
        Assert.Equal("repo/.patchbot.json: unknown rule id no-such-rule; repo/.patchbot.json: enable: expected rule ids, not 3", error);
        Assert.Same(PatchBotConfig.Empty, config);

        Assert.False(PatchBotConfig.TryLoad("{\n  \"rules\": ", "x.json", out _, out error));
        Assert.StartsWith("x.json:", error, StringComparison.Ordinal);
        Assert.Matches(@"^x\.json:\d+: not valid JSON", error);

        Assert.True(PatchBotConfig.TryLoad(null, "absent", out config, out error));
        Assert.Null(error);
        Assert.Same(PatchBotConfig.Empty, config);
    }
}
