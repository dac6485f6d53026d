namespace PatchBot.PatchParser.Graph;

/// <summary>Options for <see cref="CallGraphBuilder"/>. The call path query has its own, <see cref="CallPathLimits"/>.</summary>
public sealed record GraphOptions
{
    public static GraphOptions Default { get; } = new();

    /// <summary>C tokens read per file (over all its fragments) before the rest of the file is skipped with a gap.</summary>
    public int MaxTokensPerFile { get; init; } = 2_000_000;

    /// <summary>Brace nesting of an initialiser analysed before the inner part is skipped with a gap (keeps the walk off deep recursion).</summary>
    public int MaxNesting { get; init; } = 256;
}
