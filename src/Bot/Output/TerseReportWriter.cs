using PatchBot.Engine.Check;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Output;

/// <summary>
/// One line per finding, like checkpatch --terse, and nothing when clean:
/// "file:line: ERROR: [rule-id] message". Info findings print as CHECK, as checkpatch's do. Every line is escaped
/// (<see cref="Printable"/>).
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
    }
}
