using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.PatchParser.Tests.Graph;

/// <summary>Builds FilePatch records by hand: "+line" / " line" / "-line" text becomes a hunk with the right numbers.</summary>
internal static class TestPatches
{
    /// <summary>One hunk starting at <paramref name="oldStart"/>/<paramref name="newStart"/>.</summary>
    public static Hunk Hunk(string body, int oldStart = 1, int newStart = 1, string section = "")
    {
        var lines = new List<DiffLine>();
        int oldLine = oldStart, newLine = newStart;
        string[] raw = body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int count = raw.Length > 0 && raw[^1].Length == 0 ? raw.Length - 1 : raw.Length;
        for (int i = 0; i < count; i++)
        {
            string r = raw[i];
            char marker = r.Length > 0 ? r[0] : ' ';
            string text = r.Length > 0 ? r[1..] : string.Empty;
            switch (marker)
            {
                case '+':
                    lines.Add(new DiffLine(DiffLineKind.Added, text, 0, newLine++, i + 2));
                    break;
                case '-':
                    lines.Add(new DiffLine(DiffLineKind.Removed, text, oldLine++, 0, i + 2));
                    break;
                default:
                    lines.Add(new DiffLine(DiffLineKind.Context, text, oldLine++, newLine++, i + 2));
                    break;
            }
        }

        return new Hunk(oldStart, oldLine - oldStart, newStart, newLine - newStart, section, lines, 1);
    }

    public static FilePatch File(string path, params Hunk[] hunks) =>
        new(path, path, FileChangeKind.Modified, hunks, 1);

    /// <summary>A new file: every line added.</summary>
    public static FilePatch NewFile(string path, string text) =>
        new(null, path, FileChangeKind.Added, [Hunk(string.Join("\n", text.TrimEnd('\n').Split('\n').Select(l => "+" + l)), 0, 1)], 1);

    public static CallGraph BuildGraph(params FilePatch[] files) =>
        CallGraphBuilder.Build([new GraphInput("test", files)], IdiomModel.Default.Table);

    public static CallGraph BuildGraph(string path, string hunkBody, int start = 1, string section = "") =>
        BuildGraph(File(path, Hunk(hunkBody, start, start, section)));
}
