using System.Text;
using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.C;

/// <summary>Which image of a file a fragment shows.</summary>
internal enum ImageSide
{
    /// <summary>Context and added lines, with new-file line numbers.</summary>
    Post,
    /// <summary>Context and removed lines, with old-file line numbers.</summary>
    Pre,
}

/// <summary>
/// A contiguous run of lines of one image of a C file, as a patch shows it (one hunk), or a whole file in tree
/// mode. Line i (1-based) of <see cref="Text"/> is file line <c>FileLines[i-1]</c>, with kind <c>Kinds[i-1]</c>.
/// </summary>
internal sealed class CFragment
{
    public CFragment(string path, ImageSide side, string text, int[] fileLines, DiffLineKind[] kinds, string section, bool wholeFile)
    {
        Path = path;
        Side = side;
        Text = text;
        FileLines = fileLines;
        Kinds = kinds;
        Section = section;
        WholeFile = wholeFile;
    }

    public string Path { get; }

    public ImageSide Side { get; }

    public string Text { get; }

    public int[] FileLines { get; }

    public DiffLineKind[] Kinds { get; }

    /// <summary>The @@ function context of the hunk; empty for a whole file.</summary>
    public string Section { get; }

    /// <summary>The fragment is the whole file (tree mode or a new file), so it starts at file scope.</summary>
    public bool WholeFile { get; }

    /// <summary>File line of fragment line <paramref name="line"/> (1-based), clamped.</summary>
    public int FileLine(int line) => FileLines.Length == 0 ? 0 : FileLines[Math.Clamp(line - 1, 0, FileLines.Length - 1)];

    public DiffLineKind Kind(int line) => Kinds.Length == 0 ? DiffLineKind.Context : Kinds[Math.Clamp(line - 1, 0, Kinds.Length - 1)];

    /// <summary>Whether <paramref name="path"/> names a C source or header.</summary>
    public static bool IsC(string? path) =>
        path is not null && (path.EndsWith(".c", StringComparison.Ordinal) || path.EndsWith(".h", StringComparison.Ordinal));

    /// <summary>One fragment per hunk and side, for the lines of that side.</summary>
    public static IEnumerable<CFragment> FromHunks(FilePatch file, ImageSide side)
    {
        string path = side == ImageSide.Post ? file.Path : file.OldPath ?? file.Path;
        DiffLineKind skipped = side == ImageSide.Post ? DiffLineKind.Removed : DiffLineKind.Added;
        foreach (Hunk hunk in file.Hunks)
        {
            // Counted first, so the text and the line arrays are allocated once at their size.
            var hunkLines = hunk.Lines;
            int count = 0, length = 0;
            for (int k = 0; k < hunkLines.Count; k++)
            {
                DiffLine line = hunkLines[k];
                if (line.Kind != skipped)
                {
                    count++;
                    length += line.Text.Length + 1;
                }
            }

            if (count == 0)
            {
                continue;
            }

            var lines = new int[count];
            var kinds = new DiffLineKind[count];
            var sb = new StringBuilder(length);
            int i = 0;
            for (int k = 0; k < hunkLines.Count; k++)
            {
                DiffLine line = hunkLines[k];
                if (line.Kind == skipped)
                {
                    continue;
                }

                sb.Append(line.Text).Append('\n');
                lines[i] = side == ImageSide.Post ? line.NewLine : line.OldLine;
                kinds[i++] = line.Kind;
            }

            // A hunk that starts at line 1 starts at file scope: a new or deleted file, or a whole file from
            // PatchApplier (tree mode).
            bool whole = side == ImageSide.Post ? hunk.NewStart <= 1 : hunk.OldStart <= 1;
            yield return new CFragment(path, side, sb.ToString(), lines, kinds, hunk.Section, whole);
        }
    }
}
