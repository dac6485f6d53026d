using PatchBot.PatchParser.C;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.Engine.Check;

/// <summary>
/// Names the function a hunk starts inside when its @@ context does not (git's function context shows a label, a
/// comment, a struct, or nothing), from the tree's copy of the file: the hunk is found there by one of its old lines
/// that occurs exactly once in the file, and the function whose body holds the hunk's first line names it. Used for
/// hunks that do not apply to the tree, which are analysed from the patch: the body they show is then a known
/// function's, with its callers and role.
/// </summary>
internal static class HunkLocator
{
    /// <summary>Old lines shorter than this (trimmed) say too little to find a place by ("}", "return 0;", "break;").</summary>
    private const int MinDistinctiveLength = 12;

    /// <summary><paramref name="file"/> with a function context given to every hunk that starts inside a function of
    /// <paramref name="treeFunctions"/> without naming it; the count of hunks so named.</summary>
    public static (FilePatch File, int Named) NameHunks(FilePatch file, string[] treeLines, IReadOnlyList<FunctionNode> treeFunctions)
    {
        if (treeFunctions.Count == 0)
        {
            return (file, 0);
        }

        Dictionary<string, int>? positions = null; // trimmed line -> its line number, or -1 when it occurs more than once
        var hunks = new Hunk[file.Hunks.Count];
        int named = 0;
        for (int h = 0; h < hunks.Length; h++)
        {
            var hunk = file.Hunks[h];
            hunks[h] = hunk;
            if (HunkSection.Parse(hunk.Section, IdiomModel.Default.Table).Kind == SectionKind.Function)
            {
                continue;
            }

            positions ??= Positions(treeLines);
            if (FirstLineInTree(hunk, positions) is not int first
                || treeFunctions.Where(f => f.StartLine < first && first <= f.EndLine).MaxBy(f => f.StartLine) is not { } function)
            {
                continue;
            }

            hunks[h] = hunk with { Section = Header(function) };
            named++;
        }

        return named == 0 ? (file, 0) : (file with { Hunks = hunks }, named);
    }

    /// <summary>The tree line where the hunk's first line would be: found through the first distinctive old line that
    /// occurs once in the tree's file, counting back the old lines before it.</summary>
    private static int? FirstLineInTree(Hunk hunk, Dictionary<string, int> positions)
    {
        int before = 0;
        foreach (var line in hunk.Lines)
        {
            if (line.Kind == DiffLineKind.Added)
            {
                continue;
            }

            string key = line.Text.Trim();
            if (key.Length >= MinDistinctiveLength && positions.TryGetValue(key, out int at) && at > 0)
            {
                return at - before;
            }

            before++;
        }

        return null;
    }

    private static Dictionary<string, int> Positions(string[] lines)
    {
        var positions = new Dictionary<string, int>(lines.Length, StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            string key = lines[i].Trim();
            if (key.Length >= MinDistinctiveLength)
            {
                positions[key] = positions.ContainsKey(key) ? -1 : i + 1;
            }
        }

        return positions;
    }

    /// <summary>A function context as git would show it, written from what the tree says of the function.</summary>
    private static string Header(FunctionNode f) =>
        $"{(f.IsStatic ? "static " : string.Empty)}{(f.ReturnType.Length > 0 ? f.ReturnType : "int")} {f.Name}({string.Join(", ", f.Parameters)})";
}
