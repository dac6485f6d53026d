using PatchBot.Engine.Check;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Output;

/// <summary>
/// One line per finding, like checkpatch --terse, and nothing when clean:
/// "file:line: ERROR: [rule-id] message". Info findings print as CHECK, as checkpatch's do. What could not be
/// analysed and incomplete series print as CHECK lines too, so that <c>b4 prep --check</c> shows them (without
/// failing) instead of passing a patch PatchBot did not analyse. Every line is escaped (<see cref="Printable"/>).
/// </summary>
internal sealed class TerseReportWriter : IReportWriter
{
    public void Write(CheckReport report, TextWriter output)
    {
        foreach (var reported in report.Findings)
        {
            var f = reported.Finding;
            string level = f.Severity switch
            {
                Severity.Error => "ERROR",
                Severity.Warning => "WARNING",
                _ => "CHECK",
            };
            Printable.WriteLine(output, $"{f.File}:{f.Line}: {level}: [{f.Rule}] {f.Message}");
        }

        foreach (var note in report.Coverage)
        {
            Printable.WriteLine(output, $"{note.File}: CHECK: not analysed: {note.Reason}");
        }

        foreach (var note in report.SeriesNotes)
        {
            Printable.WriteLine(output, $"series: CHECK: {note}");
        }
    }
}
