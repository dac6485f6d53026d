using PatchBot.PatchParser.Diff;

namespace PatchBot.Engine.Check;

/// <summary>
/// Maps the lines of a file as applied to the tree (the whole file tree mode analyses) to the post-image of the
/// patch as mailed, numbered by its own hunk headers, so that a finding points at the line the author sent
/// whatever offset the tree put the hunks at. A line the patch shows maps exactly; a line between or around its
/// hunks keeps its distance to the nearest line the patch shows before it (after it, before the first hunk), as
/// the mailed post-image would have it.
/// </summary>
internal sealed class MailedLines
{
    private readonly int[] _tree;
    private readonly int[] _mailed;

    private MailedLines(int[] tree, int[] mailed)
    {
        _tree = tree;
        _mailed = mailed;
    }

    /// <summary>The map from <paramref name="whole"/> (what <see cref="PatchApplier.Apply"/> made of <paramref name="patch"/>) back to <paramref name="patch"/>.</summary>
    public static MailedLines Of(FilePatch patch, FilePatch whole)
    {
        var mailedByPatchLine = new Dictionary<int, int>();
        foreach (var line in patch.Hunks.SelectMany(h => h.Lines))
        {
            if (line.Kind != DiffLineKind.Removed && line.PatchLine > 0)
            {
                mailedByPatchLine.TryAdd(line.PatchLine, line.NewLine);
            }
        }

        var tree = new List<int>();
        var mailed = new List<int>();
        foreach (var line in whole.Hunks.SelectMany(h => h.Lines))
        {
            if (line.Kind != DiffLineKind.Removed && line.PatchLine > 0 && mailedByPatchLine.TryGetValue(line.PatchLine, out int m)
                && (tree.Count == 0 || line.NewLine > tree[^1]))
            {
                tree.Add(line.NewLine);
                mailed.Add(m);
            }
        }

        return new MailedLines([.. tree], [.. mailed]);
    }

    /// <summary>The mailed line of <paramref name="treeLine"/>.</summary>
    public int ToMailed(int treeLine)
    {
        if (_tree.Length == 0 || treeLine <= 0)
        {
            return treeLine;
        }

        int at = Array.BinarySearch(_tree, treeLine);
        if (at >= 0)
        {
            return _mailed[at];
        }

        int before = ~at - 1;
        int mapped = before >= 0 ? _mailed[before] + (treeLine - _tree[before]) : _mailed[0] - (_tree[0] - treeLine);
        return Math.Max(1, mapped);
    }
}
