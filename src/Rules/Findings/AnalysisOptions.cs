using PatchBot.Rules.Config;

namespace PatchBot.Rules.Findings;

/// <summary>How an analysis runs.</summary>
public sealed record AnalysisOptions
{
    public static AnalysisOptions Default { get; } = new();

    /// <summary>Rule selection and severities from .patchbot.json; null runs every rule at its default severity.</summary>
    public PatchBotConfig? Config { get; init; }

    /// <summary>Longest call chain followed from an effect back to an entry point.</summary>
    public int MaxCallDepth { get; init; } = 16;

    /// <summary>Most paths considered per effect site.</summary>
    public int MaxPaths { get; init; } = 64;

    /// <summary>Honour "patchbot: ignore RULE" comments.</summary>
    public bool InlineSuppression { get; init; } = true;
}
