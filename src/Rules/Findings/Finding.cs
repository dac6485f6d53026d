namespace PatchBot.Rules.Findings;

/// <summary>One problem found in a patch.</summary>
/// <param name="Rule">Rule id, kebab-case ("dma-alias-after-iommu-group").</param>
/// <param name="File">Path in the kernel tree.</param>
/// <param name="Line">Line in the file after the patch is applied: the added effect line; else the added registration
/// (registration-only patches); else the first element the patch adds on the path from the entry point.</param>
/// <param name="Function">The function that holds that line (for a registration anchor, the handler).</param>
/// <param name="Message">One line naming the concrete function and call.</param>
/// <param name="Explanation">Why it is wrong: the kernel events in their order.</param>
/// <param name="Fix">What to do instead, imperative.</param>
/// <param name="Trace">From the entry point down to the offending call: "foo_probe (pci_driver.probe)", "foo_setup_aliases", "pci_add_dma_alias".</param>
/// <param name="Scenarios">Ids of the lifecycle scenarios in which the patch fails ("hot-add", "boot").</param>
/// <param name="Origin">The input (Message-ID or file) that holds the offending line.</param>
public sealed record Finding(
    string Rule,
    Severity Severity,
    string File,
    int Line,
    string Function,
    string Message,
    string Explanation,
    string Fix,
    IReadOnlyList<string> Trace,
    IReadOnlyList<string> Scenarios,
    string Origin)
{
    /// <summary>
    /// Where the effect happens ("file:function:what"), whichever added line the finding is anchored at: a finding
    /// is reported once per path end, in one analysis and across the commits of a range. Empty when not known.
    /// </summary>
    public string PathEnd { get; init; } = string.Empty;

    /// <summary>
    /// The patch adds neither the effect nor the registration that makes it late, only an element of the path
    /// between them: <see cref="Line"/> is that element. Such a finding is dropped when an earlier commit of the
    /// same range already reported its <see cref="PathEnd"/>.
    /// </summary>
    public bool CompletesPath { get; init; }
}

/// <summary>Something the analysis could not decide, and why: reported instead of guessing.</summary>
/// <param name="Function">The function concerned.</param>
/// <param name="Line">The line concerned (post-patch), when there is one.</param>
public sealed record CoverageNote(string File, string Function, int? Line, string Message, string Origin);

/// <summary>What <see cref="Analyzer.Analyze"/> found.</summary>
/// <param name="Findings">Ordered by origin, file, line, rule.</param>
/// <param name="Suppressed">Findings dropped by an inline "patchbot: ignore" comment.</param>
public sealed record AnalysisResult(
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<CoverageNote> Notes,
    IReadOnlyList<Finding> Suppressed);
