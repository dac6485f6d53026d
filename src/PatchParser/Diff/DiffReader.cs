namespace PatchBot.PatchParser.Diff;

/// <summary>Options for <see cref="DiffReader"/>.</summary>
public sealed record DiffReaderOptions
{
    public static DiffReaderOptions Default { get; } = new();

    /// <summary>Files per patch before the rest is skipped with a problem.</summary>
    public int MaxFiles { get; init; } = 2_000;

    /// <summary>Hunks per file before the rest is skipped with a problem.</summary>
    public int MaxHunksPerFile { get; init; } = 5_000;

    /// <summary>Characters per line kept; longer lines are cut with a problem.</summary>
    public int MaxLineLength { get; init; } = 64 * 1024;
}

/// <summary>
/// Reads a unified diff (git or plain) from text. Forward-only, never throws on bad input:
/// malformed parts become <see cref="Problem"/>s and reading carries on.
/// </summary>
public static partial class DiffReader
{
    /// <summary>Reads every file diff in <paramref name="text"/>; text before the first diff is ignored.</summary>
    public static ParsedDiff Read(string text, DiffReaderOptions? options = null) =>
        ParsedDiff.Empty;

    /// <summary>
    /// The offset where the diff part of a patch mail body starts (a "diff --git" line, or a
    /// "--- " line followed by "+++ " and "@@"), or -1 when there is none.
    /// </summary>
    public static int FindDiffStart(ReadOnlySpan<char> text) => -1;
}
