namespace PatchBot.PatchParser.Diff;

/// <summary>
/// Applies a file diff to the text of the file it was made against, in memory, and returns the
/// whole file as one hunk: every line of the post-image (context, or added where the patch adds it)
/// with the removed lines in their places. Analysing that hunk sees whole functions and file-scope
/// registrations that the patch's own hunks cut off (tree mode).
/// </summary>
public static class PatchApplier
{
    /// <summary>How far from its stated position a hunk is looked for when the tree has moved (as patch's offset search).</summary>
    public const int MaxOffset = 2_000;

    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="preImage"/> (null for a file the patch creates).
    /// Hunks that do not apply are reported and left out; the result still covers the whole file.
    /// </summary>
    public static (FilePatch WholeFile, IReadOnlyList<Problem> Problems) Apply(FilePatch patch, string? preImage)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var problems = new List<Problem>();
        string[] old = preImage is null ? [] : SplitLines(preImage);
        var lines = new List<DiffLine>(old.Length + 64);
        int next = 0; // next pre-image index (0-based) not yet copied
        int oldNo = 1, newNo = 1;
        int delta = 0; // how far the tree has moved the hunks so far

        foreach (var hunk in patch.Hunks)
        {
            var expected = hunk.Lines.Where(l => l.Kind != DiffLineKind.Added).Select(l => l.Text).ToList();
            int want = Math.Max(0, hunk.OldStart - 1 + delta);
            if (hunk.OldCount == 0)
            {
                want = Math.Max(0, hunk.OldStart + delta); // "-N,0" inserts after line N
            }

            int at = FindHunk(old, expected, want, next);
            if (at < 0)
            {
                problems.Add(new Problem($"hunk @@ -{hunk.OldStart},{hunk.OldCount} +{hunk.NewStart},{hunk.NewCount} @@ does not apply to the tree", patch.Path, hunk.PatchLine));
                continue;
            }

            delta = at - (hunk.OldCount == 0 ? hunk.OldStart : hunk.OldStart - 1);
            for (; next < at; next++)
            {
                lines.Add(new DiffLine(DiffLineKind.Context, old[next], oldNo++, newNo++, 0));
            }

            foreach (var l in hunk.Lines)
            {
                switch (l.Kind)
                {
                    case DiffLineKind.Context:
                        lines.Add(l with { OldLine = oldNo++, NewLine = newNo++ });
                        next++;
                        break;
                    case DiffLineKind.Removed:
                        lines.Add(l with { OldLine = oldNo++, NewLine = 0 });
                        next++;
                        break;
                    default:
                        lines.Add(l with { OldLine = 0, NewLine = newNo++ });
                        break;
                }
            }
        }

        for (; next < old.Length; next++)
        {
            lines.Add(new DiffLine(DiffLineKind.Context, old[next], oldNo++, newNo++, 0));
        }

        int oldCount = lines.Count(l => l.Kind != DiffLineKind.Added);
        int newCount = lines.Count(l => l.Kind != DiffLineKind.Removed);
        var whole = new Hunk(oldCount == 0 ? 0 : 1, oldCount, newCount == 0 ? 0 : 1, newCount, string.Empty, lines, patch.Hunks.Count > 0 ? patch.Hunks[0].PatchLine : patch.PatchLine);
        return (patch with { Hunks = [whole] }, problems);
    }

    /// <summary>
    /// Undoes <paramref name="patch"/> on <paramref name="postImage"/>, a file that already holds it (a commit
    /// format-patch'ed in the checkout it was made in): the text before the patch, or null when a hunk's
    /// post-image is not found in the file.
    /// </summary>
    public static string? TryUnapply(FilePatch patch, string postImage)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var reversed = patch with
        {
            OldPath = patch.NewPath,
            NewPath = patch.OldPath,
            Hunks = [.. patch.Hunks.Select(h => h with
            {
                OldStart = h.NewStart,
                OldCount = h.NewCount,
                NewStart = h.OldStart,
                NewCount = h.OldCount,
                Lines = [.. h.Lines.Select(l => l.Kind switch
                {
                    DiffLineKind.Added => l with { Kind = DiffLineKind.Removed, OldLine = l.NewLine, NewLine = 0 },
                    DiffLineKind.Removed => l with { Kind = DiffLineKind.Added, OldLine = 0, NewLine = l.OldLine },
                    _ => l with { OldLine = l.NewLine, NewLine = l.OldLine },
                })],
            })],
        };
        var (whole, problems) = Apply(reversed, postImage);
        return problems.Count > 0 ? null : PostImage(whole);
    }

    /// <summary>The post-image text of a file <see cref="Apply"/> returned (every line not removed, each ending in '\n').</summary>
    public static string PostImage(FilePatch wholeFile)
    {
        ArgumentNullException.ThrowIfNull(wholeFile);
        var text = new System.Text.StringBuilder();
        foreach (var hunk in wholeFile.Hunks)
        {
            foreach (var line in hunk.Lines)
            {
                if (line.Kind != DiffLineKind.Removed)
                {
                    text.Append(line.Text).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    /// <summary>A file the patch does not touch, as one all-context hunk (for callers found in the tree).</summary>
    public static FilePatch Unchanged(string path, string text)
    {
        string[] old = SplitLines(text);
        var lines = new List<DiffLine>(old.Length);
        for (int i = 0; i < old.Length; i++)
        {
            lines.Add(new DiffLine(DiffLineKind.Context, old[i], i + 1, i + 1, 0));
        }

        return new FilePatch(path, path, FileChangeKind.Modified, [new Hunk(1, old.Length, 1, old.Length, string.Empty, lines, 0)], 0);
    }

    /// <summary>The nearest index at or after <paramref name="floor"/> where <paramref name="expected"/> matches, searching outwards from <paramref name="want"/>.</summary>
    private static int FindHunk(string[] old, List<string> expected, int want, int floor)
    {
        for (int d = 0; d <= MaxOffset; d++)
        {
            int before = want - d, after = want + d;
            if (after >= floor && Matches(old, expected, after))
            {
                return after;
            }

            if (d > 0 && before >= floor && Matches(old, expected, before))
            {
                return before;
            }

            if (before < floor && after + expected.Count > old.Length)
            {
                break;
            }
        }

        return -1;
    }

    private static bool Matches(string[] old, List<string> expected, int at)
    {
        if (at < 0 || at + expected.Count > old.Length)
        {
            return false;
        }

        for (int i = 0; i < expected.Count; i++)
        {
            // Mail often strips trailing whitespace from context lines: compare without it.
            if (!old[at + i].AsSpan().TrimEnd().SequenceEqual(expected[i].AsSpan().TrimEnd()))
            {
                return false;
            }
        }

        return true;
    }

    private static string[] SplitLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n');
        int count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        var result = new string[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
        }

        return result;
    }
}
