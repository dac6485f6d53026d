namespace PatchBot.PatchParser.Graph;

/// <summary>Options for <see cref="CallGraphBuilder"/> and <see cref="CallGraph.PathsTo"/>.</summary>
public sealed record GraphOptions
{
    public static GraphOptions Default { get; } = new();

    /// <summary>C tokens read per file (over all its fragments) before the rest of the file is skipped with a gap.</summary>
    public int MaxTokensPerFile { get; init; } = 2_000_000;

    /// <summary>Brace nesting of an initialiser analysed before the inner part is skipped with a gap (keeps the walk off deep recursion).</summary>
    public int MaxNesting { get; init; } = 256;

    /// <summary>Paths <see cref="CallGraph.PathsTo"/> returns before it stops with a gap.</summary>
    public int MaxPaths { get; init; } = 512;

    /// <summary>Calls per path (search depth) before a branch is cut with a gap.</summary>
    public int MaxDepth { get; init; } = 24;
}
