using System.Text.Json;
using PatchBot.Engine.Check;

namespace PatchBot.Bot.Output;

/// <summary>Writes the JSON document of design.md ("tool", "inputs", "findings") plus "coverage" and "series".</summary>
internal sealed class JsonReportWriter : IReportWriter
{
    public void Write(CheckReport report, TextWriter output)
    {
        using var stream = new TextWriterStream(output);
        Write(report, stream);
    }

    public static void Write(CheckReport report, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();

        json.WriteStartObject("tool");
        json.WriteString("name", "patchbot");
        json.WriteString("version", ToolInfo.Version);
        json.WriteEndObject();

        json.WriteStartArray("inputs");
        foreach (var input in report.Inputs)
        {
            json.WriteStartObject();
            json.WriteString("source", input.Source);
            json.WriteNumber("messages", input.Messages);
            json.WriteNumber("patches", input.Patches);
            json.WriteNumber("coverLetters", input.CoverLetters);
            json.WriteNumber("pullRequests", input.PullRequests);
            json.WriteNumber("replies", input.Replies);
            json.WriteNumber("notPatches", input.NotPatches);
            json.WriteNumber("files", input.Files);
            json.WriteNumber("hunks", input.Hunks);
            json.WriteStartArray("problems");
            foreach (var problem in input.Problems)
            {
                json.WriteStartObject();
                json.WriteString("message", problem.Message);
                WriteOptional(json, "file", problem.File);
                if (problem.Line is int line)
                {
                    json.WriteNumber("line", line);
                }

                WriteOptional(json, "messageId", problem.MessageId);
                if (problem.Skipped)
                {
                    json.WriteBoolean("skipped", true); // something was not checked because of it
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("findings");
        foreach (var reported in report.Findings)
        {
            var finding = reported.Finding;
            json.WriteStartObject();
            json.WriteString("rule", finding.Rule);
            json.WriteString("severity", reported.SeverityName);
            json.WriteString("file", finding.File);
            json.WriteNumber("line", finding.Line);
            if (reported.TreeLine is int treeLine)
            {
                json.WriteNumber("treeLine", treeLine); // the same line in the tree it was analysed in
            }

            json.WriteString("function", finding.Function);
            json.WriteString("message", finding.Message);
            json.WriteString("explanation", finding.Explanation);
            json.WriteString("fix", finding.Fix);
            WriteStrings(json, "trace", finding.Trace);
            WriteStrings(json, "scenarios", finding.Scenarios);
            WriteOptional(json, "messageId", reported.MessageId);
            WriteOptional(json, "subject", reported.Subject);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("coverage");
        foreach (var note in report.Coverage)
        {
            json.WriteStartObject();
            json.WriteString("file", note.File);
            json.WriteString("reason", note.Reason);
            WriteOptional(json, "messageId", note.MessageId);
            json.WriteEndObject();
            FlushSometimes(json);
        }

        json.WriteEndArray();
        WriteStrings(json, "series", report.SeriesNotes);
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>Hands what is written so far to the output, so a long report streams instead of waiting in memory.</summary>
    private static void FlushSometimes(Utf8JsonWriter json)
    {
        if (json.BytesPending > 1 << 16)
        {
            json.Flush();
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>A named array of strings (also the graph verb's).</summary>
    internal static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
            FlushSometimes(json);
        }

        json.WriteEndArray();
    }
}
