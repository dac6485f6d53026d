using System.Text;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules;
using PatchBot.Rules.Model;

namespace PatchBot.Fuzz;

/// <summary>
/// The fuzz targets. Each takes raw input bytes and runs one parser over them the way the bot does. A target must
/// never throw: any exception (or a hang, or an out-of-memory under the heap limit run.sh sets) is a finding.
/// </summary>
internal static class Harnesses
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["mail"] = Mail,
        ["diff"] = Diff,
        ["c"] = CAnalysis,
    };

    /// <summary>Message (mbox, .eml or bare patch) -> mail items with their patches and diffs.</summary>
    public static void Mail(byte[] input)
    {
        using var stream = new MemoryStream(input, writable: false);
        int patches = 0;
        foreach (var item in MailReader.Read(stream, "fuzz"))
        {
            foreach (var patch in item.Patches)
            {
                patches += patch.Diff.Files.Count;
            }
        }

        GC.KeepAlive(patches);
    }

    /// <summary>Text -> unified diff.</summary>
    public static void Diff(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        var diff = DiffReader.Read(text);
        _ = DiffReader.FindDiffStart(text);
        GC.KeepAlive(diff);
    }

    /// <summary>
    /// C text -> tokenizer, fragment analyzer and call graph -> replay and rules. The text is analysed twice: as a new
    /// file (every line added) and as one hunk of a changed file, where a line starting with '-' is removed and one
    /// starting with ' ' is context (marker dropped), so both images of a hunk are exercised.
    /// </summary>
    public static void CAnalysis(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        string[] lines = text.Split('\n');
        var added = new List<DiffLine>(lines.Length);
        var mixed = new List<DiffLine>(lines.Length);
        int oldLine = 0;
        int newLine = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            added.Add(new DiffLine(DiffLineKind.Added, line, 0, i + 1, i + 1));
            if (line.StartsWith('-'))
            {
                mixed.Add(new DiffLine(DiffLineKind.Removed, line[1..], ++oldLine, 0, i + 1));
            }
            else if (line.StartsWith(' '))
            {
                mixed.Add(new DiffLine(DiffLineKind.Context, line[1..], ++oldLine, ++newLine, i + 1));
            }
            else
            {
                mixed.Add(new DiffLine(DiffLineKind.Added, line.StartsWith('+') ? line[1..] : line, 0, ++newLine, i + 1));
            }
        }

        var newFile = new FilePatch(null, "drivers/fuzz/new.c", FileChangeKind.Added,
            [new Hunk(0, 0, 1, added.Count, string.Empty, added, 1)], 1);
        var changed = new FilePatch("drivers/fuzz/changed.c", "drivers/fuzz/changed.c", FileChangeKind.Modified,
            [new Hunk(1, oldLine, 1, newLine, "static int fuzz_probe(struct pci_dev *pdev)", mixed, 1)], 1);
        GraphInput[] inputs = [new GraphInput("<new@fuzz>", [newFile]), new GraphInput("<changed@fuzz>", [changed])];
        var graph = CallGraphBuilder.Build(inputs, IdiomModel.Default.Table);
        var result = Analyzer.Analyze(graph, inputs);
        GC.KeepAlive(result);
    }
}
