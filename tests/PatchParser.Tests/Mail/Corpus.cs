using System.Text.Json;

namespace PatchBot.PatchParser.Tests.Mail;

/// <summary>The shared corpus, found as ../shared/corpus next to the repository root.</summary>
internal static class Corpus
{
    private static readonly Lazy<string> RootDir = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PatchBot.sln")))
        {
            dir = dir.Parent;
        }
        if (dir is null)
        {
            throw new InvalidOperationException("PatchBot.sln not found above " + AppContext.BaseDirectory);
        }
        return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpus"));
    });

    public static string Root => RootDir.Value;

    public static string CasesDir => Path.Combine(Root, "cases");

    public static string SampleMbox => Path.Combine(Root, "sample", "linux-pci-sample.mbox.gz");

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
