using System.Text.Json;

namespace PatchBot.Bot.Tests;

/// <summary>
/// tests/fixtures/rules/&lt;rule-id&gt;/{bad,good}-*.patch through the real CLI: a bad patch gives exactly the
/// findings its .expected file lists, a good patch gives no finding of its rule.
/// </summary>
public sealed class RuleFixtureTests
{
    private static string FixtureRoot => Path.Combine(RepoPaths.Root, "tests", "fixtures", "rules");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(FixtureRoot, "*.patch", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(FixtureRoot, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_gives_its_expected_findings(string fixture)
    {
        string path = Path.Combine(FixtureRoot, fixture);
        string rule = Path.GetDirectoryName(fixture)!;
        var result = CliProcess.Run(["check", "--format", "json", "--fail-level", "none", path]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var actual = doc.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("file").GetString()}:{f.GetProperty("line").GetInt32()}: [{f.GetProperty("rule").GetString()}]")
            .Order(StringComparer.Ordinal)
            .ToList();

        if (Path.GetFileName(fixture).StartsWith("bad-", StringComparison.Ordinal))
        {
            var expected = File.ReadAllLines(Path.ChangeExtension(path, ".expected"))
                .Where(l => l.Length > 0)
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.Equal(expected, actual);
        }
        else
        {
            Assert.DoesNotContain(actual, a => a.EndsWith($"[{rule}]", StringComparison.Ordinal));
        }
    }
}
