namespace PatchBot.Rules.Findings;

/// <summary>One problem found in a patch.</summary>
/// <param name="Rule">Rule id, kebab-case ("dma-alias-after-iommu-group").</param>
/// <param name="File">Path in the kernel tree.</param>
/// <param name="Line">Line in the file after the patch is applied.</param>
/// <param name="Function">The function that holds the offending line (for a registration-only finding, the handler).</param>
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
    string Origin);

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
