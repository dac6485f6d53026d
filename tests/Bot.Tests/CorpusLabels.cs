using System.Text.Json;

namespace PatchBot.Bot.Tests;

/// <summary>../shared/corpus/cases/labels.json, as the corpus README describes it.</summary>
internal static class CorpusLabels
{
    public sealed record Expected(string Rule, string File, int Line, string? Function, string? Via);

    public sealed record Case(string Name, IReadOnlyList<Expected> Expect, IReadOnlyList<string> Tags, IReadOnlyList<string> Series);

    public static IReadOnlyList<Case> All { get; } = Load();

    public static readonly string[] LabelledRules = ["dma-alias-after-iommu-group", "dma-alias-in-final-fixup", "sysfs-after-device-add"];

    private static List<Case> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.CorpusCases, "labels.json")));
        var cases = new List<Case>();
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var expect = c.GetProperty("expect").EnumerateArray().Select(e => new Expected(
                e.GetProperty("rule").GetString()!,
                e.GetProperty("file").GetString()!,
                e.GetProperty("line").GetInt32(),
                e.TryGetProperty("function", out var f) ? f.GetString() : null,
                e.TryGetProperty("via", out var v) ? v.GetString() : null)).ToList();
            cases.Add(new Case(
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
