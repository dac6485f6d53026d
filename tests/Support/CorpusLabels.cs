using System.Text.Json;

namespace PatchBot.Tests.Support;

/// <summary>labels.json of a labelled set (tests/corpus/cases, cases2), as tests/corpus/README.md describes it.</summary>
public static class CorpusLabels
{
    public sealed record Expected(string Rule, string File, int Line, string? Function, string? Via);

    public sealed record LabelledCase(string Name, IReadOnlyList<Expected> Expect, IReadOnlyList<string> Tags, IReadOnlyList<string> Series);

    /// <summary>The cases of tests/corpus/cases.</summary>
    public static IReadOnlyList<LabelledCase> All { get; } = Load(RepoPaths.CorpusCases);

    public static readonly string[] LabelledRules = ["dma-alias-after-iommu-group", "dma-alias-in-final-fixup", "sysfs-after-device-add"];

    /// <summary>The cases of one labelled set.</summary>
    public static List<LabelledCase> Load(string casesDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(casesDir, "labels.json")));
        var cases = new List<LabelledCase>();
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var expect = c.GetProperty("expect").EnumerateArray().Select(e => new Expected(
                e.GetProperty("rule").GetString()!,
                e.GetProperty("file").GetString()!,
                e.GetProperty("line").GetInt32(),
                e.TryGetProperty("function", out var f) ? f.GetString() : null,
                e.TryGetProperty("via", out var v) ? v.GetString() : null)).ToList();
            cases.Add(new LabelledCase(
                c.GetProperty("case").GetString()!,
                expect,
                Strings(c, "tags"),
                Strings(c, "series")));
        }

        return cases;
    }

    private static List<string> Strings(JsonElement c, string name) =>
        c.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(x => x.GetString()!).ToList()
            : [];
}
