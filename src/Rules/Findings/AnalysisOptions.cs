using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Config;

namespace PatchBot.Rules.Findings;

/// <summary>How an analysis runs.</summary>
public sealed record AnalysisOptions
{
    public static AnalysisOptions Default { get; } = new();

    /// <summary>Rule selection and severities from .patchbot.json; null runs every rule at its default severity.</summary>
    public PatchBotConfig? Config { get; init; }

    /// <summary>Bounds of the walk from an effect back to its entry points (and down from a handler to its effect).</summary>
    public CallPathLimits CallPaths { get; init; } = CallPathLimits.Default;

    /// <summary>Honour "patchbot: ignore RULE" comments.</summary>
    public bool InlineSuppression { get; init; } = true;
}
