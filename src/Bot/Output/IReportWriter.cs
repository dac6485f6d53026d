using PatchBot.Engine.Check;

namespace PatchBot.Bot.Output;

/// <summary>One output format of a check report: text, terse, json, sarif or github.</summary>
internal interface IReportWriter
{
    /// <summary>Writes the whole report to <paramref name="output"/>.</summary>
    void Write(CheckReport report, TextWriter output);

    /// <summary>The writer for a format; <paramref name="diagnostics"/> takes what is said about the output itself.</summary>
    static IReportWriter For(OutputFormat format, TextWriter diagnostics) => format switch
    {
        OutputFormat.Json => new JsonReportWriter(),
        OutputFormat.Sarif => new SarifReportWriter(),
        OutputFormat.Github => new GithubReportWriter(diagnostics),
        OutputFormat.Terse => new TerseReportWriter(),
        _ => new TextReportWriter(),
    };
}
