using PatchBot.Rules.Findings;

namespace PatchBot.Engine.Check;

/// <summary>A problem met reading an input: where and why.</summary>
/// <param name="Skipped">Something was not checked because of it (see <see cref="PatchParser.Problem.Skipped"/>).</param>
internal sealed record ProblemReport(string Message, string? File, int? Line, string? MessageId, bool Skipped = false);

/// <summary>What one input (a file, a directory entry, stdin) held. Its problems may be read back from a temporary
/// file (an archive of millions of unreadable messages): enumerate them.</summary>
internal sealed record InputReport(
    string Source,
    int Messages,
    int Patches,
    int CoverLetters,
    int PullRequests,
    int Replies,
    int NotPatches,
    int Files,
    int Hunks,
    IReadOnlyCollection<ProblemReport> Problems);

/// <summary>A finding as the outputs show it: the rule's finding plus the message it was found in.</summary>
/// <param name="MessageId">The Message-ID in angle brackets, or null for a bare patch file.</param>
/// <param name="SourceLine">The offending post-patch line as the patch shows it.</param>
/// <remarks>The finding's line is in the post-image of the patch as mailed (its own hunk headers' numbering).</remarks>
internal sealed record ReportedFinding(Finding Finding, string? MessageId, string? Subject, string? SourceLine)
{
    /// <summary>The same line in the tree the file was analysed in (tree mode), which may differ when the hunks applied at an offset.</summary>
    public int? TreeLine { get; init; }

    public string SeverityName => Finding.Severity.ToName();
}

/// <summary>Something that was not analysed, and why (honest coverage).</summary>
internal sealed record CoverageEntry(string File, string Reason, string? MessageId);

/// <summary>Everything one run of <c>patchbot check</c> found. Problems, coverage and series notes may be read back
/// from a temporary file (a long archive): enumerate them, and dispose the report when done.</summary>
internal sealed record CheckReport(
    IReadOnlyList<InputReport> Inputs,
    IReadOnlyList<ReportedFinding> Findings,
    IReadOnlyCollection<CoverageEntry> Coverage,
    IReadOnlyCollection<string> SeriesNotes) : IDisposable
{
    /// <summary>The tree the patches were analysed against and how it was chosen, when the front-end picks one per run (the GitHub service).</summary>
    public string? Tree { get; init; }

    /// <summary>What backs the problems, <see cref="Coverage"/> and <see cref="SeriesNotes"/> (temporary files).</summary>
    public IReadOnlyList<IDisposable> Resources { get; init; } = [];

    public void Dispose()
    {
        foreach (var resource in Resources)
        {
            resource.Dispose();
        }
    }

    public int Messages => Inputs.Sum(i => i.Messages);

    public int Patches => Inputs.Sum(i => i.Patches);

    public int Files => Inputs.Sum(i => i.Files);

    public int Hunks => Inputs.Sum(i => i.Hunks);

    public int Problems => Inputs.Sum(i => i.Problems.Count);

    /// <summary>Problems that left something unchecked (an input, a message, a part): an input error unless allowed.</summary>
    public int Skipped => Inputs.Sum(i => i.Problems.Count(p => p.Skipped));
}

/// <summary>The failure threshold of <c>--fail-level</c>: findings at or above it make the exit code 1.</summary>
internal enum FailLevel
{
    Info = Severity.Info,
    Warning = Severity.Warning,
    Error = Severity.Error,
    None,
}
