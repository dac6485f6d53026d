using System.Text.Json;

namespace PatchBot.Tests.Support;

/// <summary>labels.json of a labelled set (tests/corpus/cases, cases2), as tests/corpus/README.md describes it.</summary>
public static class CorpusLabels
{
    public sealed record Expected(string Rule, string File, int Line, string? Function, string? Via);

    public sealed record LabelledCase(string Name, IReadOnlyList<Expected> Expect, IReadOnlyList<string> Tags, IReadOnlyList<string> Series);

    /// <summary>The cases of tests/corpus/cases.</summary>
    public static IReadOnlyList<LabelledCase> All { get; } = Load(RepoPaths.CorpusCases);

    /// <summary>The cases of tests/corpus/cases2.</summary>
    public static IReadOnlyList<LabelledCase> All2 { get; } = Load(RepoPaths.CorpusCases2);

    /// <summary>The rules the first set (cases/) is labelled for.</summary>
    public static readonly string[] LabelledRules = ["dma-alias-after-iommu-group", "dma-alias-in-final-fixup", "sysfs-after-device-add"];

    /// <summary>The rules the second set (cases2/) is labelled for.</summary>
    public static readonly string[] LabelledRules2 =
        ["aspm-disable-in-late-fixup", "mpss-quirk-after-mps-config", "acs-requested-after-enumeration", "capability-used-before-init"];

    /// <summary>Every labelled rule: each set must give exactly its labels of all of them (the other set's rules stay silent).</summary>
    public static IReadOnlyList<string> AllLabelledRules { get; } = [.. LabelledRules, .. LabelledRules2];

    /// <summary>A labelled set by its folder name under tests/corpus ("cases", "cases2").</summary>
    public static IReadOnlyList<LabelledCase> Set(string name) => name switch
    {
        "cases" => All,
        "cases2" => All2,
        _ => throw new ArgumentException($"no labelled set {name}", nameof(name)),
    };

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
