namespace PatchBot.PatchParser.Diff;

/// <summary>How a line of a hunk relates the two images.</summary>
public enum DiffLineKind
{
    /// <summary>' ': in both the pre-image and the post-image.</summary>
    Context,
    /// <summary>'+': only in the post-image.</summary>
    Added,
    /// <summary>'-': only in the pre-image.</summary>
    Removed,
}

/// <summary>One line of a hunk, without its ' ', '+' or '-' marker and without its line ending.</summary>
/// <param name="OldLine">Line number in the pre-image, 0 for an added line.</param>
/// <param name="NewLine">Line number in the post-image, 0 for a removed line.</param>
/// <param name="PatchLine">1-based line in the patch text this line was read from.</param>
/// <param name="NoNewlineAtEnd">Followed by "\ No newline at end of file".</param>
public readonly record struct DiffLine(DiffLineKind Kind, string Text, int OldLine, int NewLine, int PatchLine, bool NoNewlineAtEnd = false);

/// <summary>One @@ hunk.</summary>
/// <param name="Section">The function context git prints after the second @@ (may be empty).</param>
/// <param name="PatchLine">1-based line of the @@ header in the patch text.</param>
public sealed record Hunk(
    int OldStart,
    int OldCount,
    int NewStart,
    int NewCount,
    string Section,
    IReadOnlyList<DiffLine> Lines,
    int PatchLine);

/// <summary>What a file diff does to its file.</summary>
public enum FileChangeKind
{
    Modified,
    Added,
    Deleted,
    Renamed,
    Copied,
}

/// <summary>The diff of one file.</summary>
/// <param name="OldPath">Path before, without "a/"; null for /dev/null (new file).</param>
/// <param name="NewPath">Path after, without "b/"; null for /dev/null (deleted file).</param>
/// <param name="PatchLine">1-based line in the patch text where this file's diff starts.</param>
public sealed record FilePatch(
    string? OldPath,
    string? NewPath,
    FileChangeKind Change,
    IReadOnlyList<Hunk> Hunks,
    int PatchLine,
    bool IsBinary = false,
    string? OldMode = null,
    string? NewMode = null,
    int? Similarity = null,
    int? Dissimilarity = null,
    string? IndexOld = null,
    string? IndexNew = null)
{
    /// <summary>The path in the tree the findings refer to: the new path, or the old one for a deletion.</summary>
    public string Path => NewPath ?? OldPath ?? string.Empty;
}

/// <summary>A whole unified diff as read: the files it changes and the problems met on the way.</summary>
public sealed record ParsedDiff(IReadOnlyList<FilePatch> Files, IReadOnlyList<Problem> Problems)
{
    public static ParsedDiff Empty { get; } = new([], []);

    public int HunkCount => Files.Sum(f => f.Hunks.Count);
}
