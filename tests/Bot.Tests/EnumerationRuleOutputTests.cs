using System.Globalization;
using System.Text.Json;
using MimeKit;
using PatchBot.Bot.Sinks;
using PatchBot.Engine.Check;
using PatchBot.Engine.Inputs;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Tests;

/// <summary>
/// The four enumeration-order rules (ASPM, MPS, ACS, capability init) in every output: each rule's first bad fixture
/// through text, terse, json, sarif and github, --disable and .patchbot.json, and the mail reply. The output tests of
/// the first rules name dma-alias-after-iommu-group only, so each new rule is asserted once per format here.
/// </summary>
public sealed class EnumerationRuleOutputTests
{
    public static TheoryData<string> Rules =>
        ["aspm-disable-in-late-fixup", "mpss-quirk-after-mps-config", "acs-requested-after-enumeration", "capability-used-before-init"];

    /// <summary>The rule's first bad fixture and the first place its .expected file names for the rule.</summary>
    private static (string Patch, string File, int Line) Bad(string rule)
    {
        string dir = Path.Combine(RepoPaths.Fixtures, "rules", rule);
        string patch = Directory.GetFiles(dir, "bad-*.patch").Order(StringComparer.Ordinal).First();
        string expected = File.ReadAllLines(Path.ChangeExtension(patch, ".expected")).First(l => l.EndsWith($" [{rule}]", StringComparison.Ordinal));
        string[] parts = expected.Split(':');
        return (patch, parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Json_has_the_finding_with_its_trace_explanation_and_fix(string rule)
    {
        var (patch, file, line) = Bad(rule);
        var result = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", patch]);
        using var doc = JsonDocument.Parse(result.Stdout);
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray(),
            f => f.GetProperty("rule").GetString() == rule && f.GetProperty("line").GetInt32() == line);
        Assert.Equal(file, finding.GetProperty("file").GetString());
        Assert.Equal("warning", finding.GetProperty("severity").GetString());
        Assert.True(finding.GetProperty("trace").GetArrayLength() >= 2, "the trace names the entry point and what it reaches");
        foreach (var field in new[] { "message", "explanation", "fix", "function" })
        {
            Assert.False(string.IsNullOrWhiteSpace(finding.GetProperty(field).GetString()), field);
        }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Text_and_terse_name_the_place_the_rule_and_the_fix(string rule)
    {
        var (patch, file, line) = Bad(rule);
        var text = CliProcess.Run(["check", patch]);
        Assert.Equal(1, text.ExitCode);
        Assert.Contains($"{file}:{line}: warning: ", text.Stdout, StringComparison.Ordinal);
        Assert.Contains($"[{rule}]", text.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{file}:{line}: note: trace: ", text.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{file}:{line}: note: fix: ", text.Stdout, StringComparison.Ordinal);

        var terse = CliProcess.Run(["check", "--format", "terse", patch]);
        Assert.Contains(terse.Stdout.Split('\n'), l => l.StartsWith($"{file}:{line}: WARNING: [{rule}] ", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Sarif_and_github_annotate_the_line(string rule)
    {
        var (patch, file, line) = Bad(rule);
        var sarif = CliProcess.Run(["check", "--format", "sarif", "--fail-level", "none", patch]);
        using var doc = JsonDocument.Parse(sarif.Stdout);
        var results = doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.GetProperty("ruleId").GetString() == rule
            && r.GetProperty("level").GetString() == "warning"
            && r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32() == line);

        var github = CliProcess.Run(["check", "--format", "github", "--fail-level", "none", patch]);
        Assert.Contains(github.Stdout.Split('\n'), l => l.StartsWith($"::warning file={file},line={line},title={rule}%3A ", StringComparison.Ordinal)
            && l.Contains("%0Afix: ", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Disable_and_the_configuration_file_change_the_rule(string rule)
    {
        var (patch, _, _) = Bad(rule);
        var disabled = CliProcess.Run(["check", "--format", "terse", "--disable", rule, patch]);
        Assert.DoesNotContain($"[{rule}]", disabled.Stdout, StringComparison.Ordinal);
        var only = CliProcess.Run(["check", "--format", "terse", "--enable", rule, patch]);
        Assert.Contains($"[{rule}]", only.Stdout, StringComparison.Ordinal);
        var other = CliProcess.Run(["check", "--format", "terse", "--enable", "sysfs-after-device-add", patch]);
        Assert.DoesNotContain($"[{rule}]", other.Stdout, StringComparison.Ordinal);

        string dir = Path.Combine(Path.GetTempPath(), "patchbot-rules16-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            string config = Path.Combine(dir, ".patchbot.json");
            File.WriteAllText(config, $$"""{ "rules": { "{{rule}}": "error" } }""");
            var raised = CliProcess.Run(["check", "--format", "terse", "--config", config, patch]);
            Assert.Contains(raised.Stdout.Split('\n'), l => l.Contains($": ERROR: [{rule}] ", StringComparison.Ordinal));

            File.WriteAllText(config, $$"""{ "rules": { "{{rule}}": "off" } }""");
            var off = CliProcess.Run(["check", "--format", "terse", "--config", config, patch]);
            Assert.DoesNotContain($"[{rule}]", off.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_mail_reply_quotes_the_line_and_gives_the_trace_and_fix(string rule)
    {
        var (patch, file, line) = Bad(rule);
        var settings = new CheckSettings { Paths = [patch], NoTree = true };
        using var report = new CheckRunner(settings, AnalysisOptions.Default).Run([new InputSource(patch, () => File.OpenRead(patch))]);
        var finding = Assert.Single(report.Findings, f => f.Finding.Rule == rule && f.Finding.Line == line);

        var parent = new MimeMessage();
        parent.From.Add(new MailboxAddress("Fixture Author", "fixture@example.org"));
        parent.Subject = finding.Subject ?? "[PATCH] fixture";
        parent.MessageId = "fixture@example.org";
        parent.Body = new TextPart("plain") { Text = "patch" };
        string body = ReplyComposer.Body(new ReplyContent(parent, "fixture", 1, "patch", [finding], [], 0, [], null), "admin@example.test");

        Assert.Contains($"{file}:{line}: warning: {finding.Finding.Message} [{rule}]", body, StringComparison.Ordinal);
        Assert.Contains("trace: " + string.Join(" -> ", finding.Finding.Trace), body, StringComparison.Ordinal);
        Assert.NotNull(finding.SourceLine);
        Assert.Contains("> " + finding.SourceLine, body, StringComparison.Ordinal);
        string fixStart = string.Join(' ', finding.Finding.Fix.Split(' ').Take(2));
        Assert.Contains("fix:   " + fixStart, body, StringComparison.Ordinal);
    }
}
