using System.Globalization;
using System.Text;
using PatchBot.Engine.Check;
using PatchBot.Rules.Catalog;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Output;

/// <summary>
/// GitHub Actions output: one workflow-command annotation per finding
/// (<c>::error file=F,line=N,title=T::message</c>, escaped as the Actions toolkit escapes), and a Markdown
/// job summary listing every finding, since GitHub shows at most 10 annotations of each level per step.
/// </summary>
internal sealed class GithubReportWriter(TextWriter diagnostics) : IReportWriter
{
    public void Write(CheckReport report, TextWriter output)
    {
        WriteAnnotations(report, output);
        AppendStepSummary(report, diagnostics);
    }

    /// <summary>GitHub's cap on annotations of one level per step.</summary>
    public const int AnnotationCapPerLevel = 10;

    public static void WriteAnnotations(CheckReport report, TextWriter output)
    {
        foreach (var reported in report.Findings)
        {
            var f = reported.Finding;
            string title = $"{f.Rule}: {RuleCatalog.Find(f.Rule)?.Title ?? f.Rule}";
            var message = new StringBuilder(f.Message);
            if (reported.MessageId is not null || reported.Subject is not null)
            {
                message.Append("\nin ").Append(Short(reported.MessageId)).Append(reported.MessageId is null ? string.Empty : " ").Append(reported.Subject);
            }

            if (f.Trace.Count > 0)
            {
                message.Append("\ntrace: ").Append(string.Join(" -> ", f.Trace));
            }

            message.Append("\nfix: ").Append(f.Fix);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"::{Command(f.Severity)} file={EscapeProperty(f.File)},line={f.Line},title={EscapeProperty(title)}::{EscapeData(message.ToString().Trim())}"));
        }

        foreach (var input in report.Inputs)
        {
            foreach (var p in input.Problems)
            {
                string props = p.File is null ? "title=patchbot problem"
                    : p.Line is int l ? string.Create(CultureInfo.InvariantCulture, $"file={EscapeProperty(p.File)},line={l},title=patchbot problem")
                    : $"file={EscapeProperty(p.File)},title=patchbot problem";
                output.WriteLine($"::warning {props}::{EscapeData($"{input.Source}: {p.Message}")}");
            }
        }

        int errors = report.Findings.Count(f => f.Finding.Severity == Severity.Error);
        int warnings = report.Findings.Count(f => f.Finding.Severity == Severity.Warning);
        int notices = report.Findings.Count - errors - warnings;
        if (errors > AnnotationCapPerLevel || warnings > AnnotationCapPerLevel || notices > AnnotationCapPerLevel)
        {
            output.WriteLine(EscapeData($"patchbot: {report.Findings.Count} findings; GitHub shows at most {AnnotationCapPerLevel} annotations of each level, the job summary lists them all."));
        }
    }

    /// <summary>Appends the job summary to the file named by $GITHUB_STEP_SUMMARY, when the variable is set.</summary>
    public static void AppendStepSummary(CheckReport report, TextWriter stderr)
    {
        string? path = Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        try
        {
            using var file = new StreamWriter(path, append: true, new UTF8Encoding(false));
            WriteSummary(report, file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"patchbot check: cannot write the job summary to {path}: {e.Message}");
        }
    }

    /// <summary>The job summary: counts, a table of every finding, and the trace, reason and fix of each.</summary>
    public static void WriteSummary(CheckReport report, TextWriter md)
    {
        int errors = report.Findings.Count(f => f.Finding.Severity == Severity.Error);
        int warnings = report.Findings.Count(f => f.Finding.Severity == Severity.Warning);
        int infos = report.Findings.Count - errors - warnings;
        var inv = CultureInfo.InvariantCulture;
        md.WriteLine(string.Create(inv, $"## PatchBot: {report.Findings.Count} finding{(report.Findings.Count == 1 ? "" : "s")} ({errors} error, {warnings} warning, {infos} info)"));
        md.WriteLine();
        md.WriteLine(string.Create(inv, $"Checked {report.Inputs.Count(i => i.Messages > 0)} commit(s) or input(s): {report.Patches} patch(es), {report.Files} file(s), {report.Hunks} hunk(s); {report.Problems} problem(s) reading them."));
        md.WriteLine();
        if (report.Tree is not null)
        {
            md.WriteLine($"Analysed against {Cell(report.Tree)}.");
            md.WriteLine();
        }

        if (report.Findings.Count > 0)
        {
            md.WriteLine("| Severity | Rule | Location | Function | Commit | Message |");
            md.WriteLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var reported in report.Findings)
            {
                var f = reported.Finding;
                string commit = reported.MessageId is null && reported.Subject is null ? string.Empty
                    : $"{Code(Short(reported.MessageId))} {Cell(reported.Subject ?? string.Empty)}".Trim();
                md.WriteLine(string.Create(inv,
                    $"| {f.Severity.ToName()} | {Code(f.Rule)} | {Code($"{f.File}:{f.Line}")} | {Code(f.Function)} | {commit} | {Cell(f.Message)} |"));
            }

            md.WriteLine();
            foreach (var reported in report.Findings)
            {
                var f = reported.Finding;
                md.WriteLine(string.Create(inv, $"<details><summary>{Html(f.Rule)} at {Cell(f.File)}:{f.Line}</summary>"));
                md.WriteLine();
                if (f.Trace.Count > 0)
                {
                    md.WriteLine($"- **Trace:** {Cell(string.Join(" → ", f.Trace))}");
                }

                md.WriteLine($"- **Why:** {Cell(f.Explanation)}");
                md.WriteLine($"- **Fix:** {Cell(f.Fix)}");
                md.WriteLine();
                md.WriteLine("</details>");
                md.WriteLine();
            }
        }

        foreach (var input in report.Inputs)
        {
            foreach (var p in input.Problems)
            {
                md.WriteLine($"- problem in {Code(input.Source)}: {Cell(p.Message)}");
            }
        }

        foreach (var note in report.Coverage)
        {
            md.WriteLine($"- not analysed: {Code(note.File)}: {Cell(note.Reason)}");
        }
    }

    /// <summary>Workflow-command data: %, CR and LF are escaped; other control characters are shown as \xNN
    /// (<see cref="Printable"/>), so a patch cannot colour or rewrite the job log.</summary>
    public static string EscapeData(string text) =>
        Printable.Escape(text.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal));

    /// <summary>Workflow-command property values: as data, plus ':' and ','.</summary>
    public static string EscapeProperty(string text) =>
        EscapeData(text)
            .Replace(":", "%3A", StringComparison.Ordinal)
            .Replace(",", "%2C", StringComparison.Ordinal);

    private static string Command(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "notice",
    };

    private static string Short(string? commitOrMessageId) =>
        commitOrMessageId is { Length: 40 } sha && sha.All(char.IsAsciiHexDigit) ? sha[..12] : commitOrMessageId ?? string.Empty;

    private static string Code(string text) =>
        text.Length == 0 ? string.Empty : "`" + Printable.Escape(text.Replace("\n", " ", StringComparison.Ordinal)).Replace("`", "'", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal) + "`";

    private static string Cell(string text) =>
        Printable.Escape(Html(text).Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal));

    private static string Html(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
