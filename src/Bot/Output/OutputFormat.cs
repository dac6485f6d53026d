namespace PatchBot.Bot.Output;

/// <summary>The formats of <c>patchbot check --format</c>.</summary>
internal enum OutputFormat
{
    /// <summary>Compiler style with the source line and a summary, for people.</summary>
    Text,
    /// <summary>One line per finding, nothing when clean: the protocol b4 prep --check speaks.</summary>
    Terse,
    /// <summary>The JSON document of design.md.</summary>
    Json,
    /// <summary>SARIF 2.1.0 for code scanning (SarifReportWriter).</summary>
    Sarif,
    /// <summary>GitHub Actions annotations plus a job summary in $GITHUB_STEP_SUMMARY (GithubReportWriter).</summary>
    Github,
}
