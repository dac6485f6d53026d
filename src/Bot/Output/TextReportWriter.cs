using System.Globalization;
using PatchBot.Engine.Check;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Output;

/// <summary>
/// Compiler-style output for people: "file:line: severity: message [rule-id]", the source line,
/// the trace and the fix as notes, the problems met, and one summary line. Every line is escaped
/// (<see cref="Printable"/>): nothing from a patch can start a line of its own.
/// </summary>
internal sealed class TextReportWriter : IReportWriter
{
    public void Write(CheckReport report, TextWriter output)
    {
        foreach (var reported in report.Findings)
        {
            var f = reported.Finding;
            Printable.WriteLine(output, $"{f.File}:{f.Line}: {reported.SeverityName}: {f.Message} [{f.Rule}]");
            if (reported.SourceLine is not null)
            {
                Printable.WriteLine(output, $"{f.Line,6} | {reported.SourceLine}");
            }

            if (f.Trace.Count > 0)
            {
                Printable.WriteLine(output, $"{f.File}:{f.Line}: note: trace: {string.Join(" -> ", f.Trace)}");
            }

            if (f.Scenarios.Count > 0)
            {
                Printable.WriteLine(output, $"{f.File}:{f.Line}: note: fails: {string.Join("; ", f.Scenarios)}");
            }

            Printable.WriteLine(output, $"{f.File}:{f.Line}: note: why: {f.Explanation}");
            Printable.WriteLine(output, $"{f.File}:{f.Line}: note: fix: {f.Fix}");
            if (reported.Subject is not null)
            {
                Printable.WriteLine(output, $"{f.File}:{f.Line}: note: in: {reported.Subject}");
            }
        }

        foreach (var input in report.Inputs)
        {
            foreach (var p in input.Problems)
            {
                string place = p.File is null ? input.Source : p.Line is null ? $"{input.Source}: {p.File}" : $"{input.Source}: {p.File}:{p.Line}";
                string message = p.MessageId is null ? p.Message : $"{p.Message} (in {p.MessageId})";
                Printable.WriteLine(output, $"{place}: problem: {message}");
            }
        }

        foreach (var note in report.Coverage)
        {
            Printable.WriteLine(output, $"{note.File}: not analysed: {note.Reason}");
        }

        foreach (var note in report.SeriesNotes)
        {
            Printable.WriteLine(output, $"series: {note}");
        }

        int errors = report.Findings.Count(f => f.Finding.Severity == Severity.Error);
        int warnings = report.Findings.Count(f => f.Finding.Severity == Severity.Warning);
        int infos = report.Findings.Count - errors - warnings;
        Printable.WriteLine(output, string.Create(CultureInfo.InvariantCulture,
            $"patchbot: {Plural(report.Messages, "message")}, {Plural(report.Patches, "patch", "patches")}, {Plural(report.Files, "file")}, {Plural(report.Hunks, "hunk")}, {Plural(report.Problems, "problem")}; {Plural(errors, "error")}, {Plural(warnings, "warning")}, {Plural(infos, "info", "infos")}"));
    }

    private static string Plural(int n, string one, string? many = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many ?? one + "s")}");
}
