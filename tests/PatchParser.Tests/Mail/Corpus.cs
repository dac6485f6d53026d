using System.Text.Json;

namespace PatchBot.PatchParser.Tests.Mail;

/// <summary>The labelled corpus of tests/corpus: case files and their tags.</summary>
internal static class Corpus
{
    public static string CasesDir => RepoPaths.CorpusCases;

    public static string SampleMbox => RepoPaths.SampleMbox;

    public static string CasePath(string name) => Path.Combine(CasesDir, name + ".eml");

    public static byte[] CaseBytes(string name) => File.ReadAllBytes(CasePath(name));

    public static IEnumerable<string> CaseNames() =>
        Directory.EnumerateFiles(CasesDir, "*.eml").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal);

    /// <summary>case name -> tags, from labels.json.</summary>
    public static IReadOnlyDictionary<string, string[]> Tags()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CasesDir, "labels.json")));
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var tags = entry.TryGetProperty("tags", out var t) ? t.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : [];
            result[entry.GetProperty("case").GetString()!] = tags;
        }
        return result;
    }
}
