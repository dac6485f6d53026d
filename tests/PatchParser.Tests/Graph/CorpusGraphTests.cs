using System.Text;
using System.Text.Json;
using MimeKit;
using PatchBot.PatchParser.C;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Tests.C;
using PatchBot.Rules.Model;

namespace PatchBot.PatchParser.Tests.Graph;

/// <summary>The real corpus: tokenizer round trip on every C post-image, and the entry paths labels.json names.</summary>
public class CorpusGraphTests
{
    private static string CasesDir() => RepoPaths.CorpusCases;

    /// <summary>Every text part of the mail (body and text attachments), decoded by MimeKit.</summary>
    internal static string MailText(string path)
    {
        using MimeMessage message = MimeMessage.Load(path);
        var sb = new StringBuilder();
        foreach (TextPart part in message.BodyParts.OfType<TextPart>())
        {
            sb.Append(part.Text).Append('\n');
        }

        return sb.ToString();
    }

    internal static ParsedDiff ReadCase(string name) => DiffReader.Read(MailText(Path.Combine(CasesDir(), name + ".eml")));

    public static TheoryData<string> AllCases()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(CasesDir(), "*.eml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(f));
        }

        return data;
    }

    public static TheoryData<string, string, string, string> LabelledPaths()
    {
        var data = new TheoryData<string, string, string, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(CasesDir(), "labels.json")));
        foreach (JsonElement c in doc.RootElement.EnumerateArray())
        {
            foreach (JsonElement e in c.GetProperty("expect").EnumerateArray())
            {
                if (e.TryGetProperty("function", out JsonElement fn) && e.TryGetProperty("via", out JsonElement via))
                {
                    string key = $"{c.GetProperty("case").GetString()}|{e.GetProperty("file").GetString()}|{fn.GetString()}|{via.GetString()}";
                    if (seen.Add(key))
                    {
                        data.Add(c.GetProperty("case").GetString()!, e.GetProperty("file").GetString()!, fn.GetString()!, via.GetString()!);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Tokenizer_round_trips_every_c_post_image(string name)
    {
        foreach (FilePatch file in ReadCase(name).Files.Where(f => CFragment.IsC(f.NewPath)))
        {
            var sb = new StringBuilder();
            foreach (DiffLine line in file.Hunks.SelectMany(h => h.Lines).Where(l => l.Kind != DiffLineKind.Removed))
            {
                sb.Append(line.Text).Append('\n');
            }

            CTokenizerTests.AssertRoundTrip(sb.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Graph_builds_on_every_case(string name)
    {
        ParsedDiff diff = ReadCase(name);
        CallGraph g = CallGraphBuilder.Build([new GraphInput(name, diff.Files)], IdiomModel.Default.Table);
        Assert.All(g.Functions, f => Assert.True(f.StartLine <= f.EndLine, $"{f.Name}: {f.StartLine}..{f.EndLine}"));
        Assert.All(g.Calls, c => Assert.True(c.Line > 0));
        Assert.All(g.Registrations, r => Assert.Equal(name, r.Origin));
    }

    [Theory]
    [MemberData(nameof(LabelledPaths))]
    public void Labelled_entry_reaches_the_function(string name, string file, string function, string via)
    {
        ParsedDiff diff = ReadCase(name);
        CallGraph g = CallGraphBuilder.Build([new GraphInput(name, diff.Files)], IdiomModel.Default.Table);
        IReadOnlyList<CallPath> paths = g.PathsTo(function, file);
        Assert.NotEmpty(paths);

        bool Matches(CallPath p)
        {
            Registration e = p.Entry;
            if (via.Contains("->", StringComparison.Ordinal))
            {
                string[] parts = via.Split("->", StringSplitOptions.TrimEntries);
                return e.ViaMacro == parts[0] && e.Idiom == parts[1];
            }

            if (via.StartsWith("DECLARE_", StringComparison.Ordinal))
            {
                return e.Idiom == via;
            }

            string entryFunction = via.Split(' ')[0];
            return e.Function == entryFunction && e.Role == RoleKind.DriverProbe
                && (p.Calls.Count == 0 ? entryFunction == function : p.Calls[^1].Caller != function);
        }

        Assert.Contains(paths, Matches);
        Assert.All(paths, p => Assert.NotEqual(DiffLineKind.Removed, p.Entry.LineKind));
    }
}
