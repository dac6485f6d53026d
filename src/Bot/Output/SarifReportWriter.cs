using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PatchBot.Engine.Check;
using PatchBot.Rules.Catalog;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Output;

/// <summary>
/// SARIF 2.1.0 for code scanning: the rule catalogue (ids, names, help from the rule docs), one result per
/// finding with its location, the function as a logical location, the trace as a code flow, and a
/// partial fingerprint from rule, file, function and trace, so a finding keeps its identity when lines move.
/// </summary>
internal sealed class SarifReportWriter : IReportWriter
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>The partialFingerprints key; bump the version if the hashed fields ever change.</summary>
    public const string FingerprintKey = "patchbotFindingHash/v1";

    public void Write(CheckReport report, TextWriter output)
    {
        output.Flush();
        using var buffer = new MemoryStream();
        Write(report, buffer);
        output.Write(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public static void Write(CheckReport report, Stream output)
    {
        var rules = RuleCatalog.All;
        var ruleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rules.Count; i++)
        {
            ruleIndex[rules[i].Id] = i;
        }

        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("$schema", SchemaUri);
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();

        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "patchbot");
        json.WriteString("fullName", "PatchBot kernel patch linter");
        json.WriteString("version", ToolInfo.Version);
        json.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            WriteRule(json, rule);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("invocations");
        json.WriteStartObject();
        json.WriteBoolean("executionSuccessful", true);
        json.WriteStartArray("toolExecutionNotifications");
        foreach (var input in report.Inputs)
        {
            foreach (var problem in input.Problems)
            {
                json.WriteStartObject();
                json.WriteString("level", "warning");
                WriteMessage(json, problem.MessageId is null ? $"{input.Source}: {problem.Message}" : $"{input.Source}: {problem.Message} (in {problem.MessageId})");
                if (problem.File is not null)
                {
                    json.WriteStartArray("locations");
                    json.WriteStartObject();
                    WritePhysicalLocation(json, problem.File, problem.Line);
                    json.WriteEndObject();
                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartArray("results");
        foreach (var reported in report.Findings)
        {
            WriteResult(json, reported, ruleIndex);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>A hash of what identifies a finding independently of line numbers: rule, file, function, trace.</summary>
    public static string Fingerprint(Finding finding)
    {
        var text = new StringBuilder();
        text.Append(finding.Rule).Append('\0').Append(finding.File).Append('\0').Append(finding.Function);
        foreach (var step in finding.Trace)
        {
            text.Append('\0').Append(step);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>"dma-alias-after-iommu-group" -> "DmaAliasAfterIommuGroup", the identifier-like name SARIF asks for.</summary>
    public static string RuleName(string id)
    {
        var name = new StringBuilder(id.Length);
        bool upper = true;
        foreach (char c in id)
        {
            if (c == '-' || c == '_')
            {
                upper = true;
                continue;
            }

            name.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return name.ToString();
    }

    public static string Level(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    private static void WriteRule(Utf8JsonWriter json, RuleMetadata rule)
    {
        json.WriteStartObject();
        json.WriteString("id", rule.Id);
        json.WriteString("name", RuleName(rule.Id));
        json.WriteStartObject("shortDescription");
        json.WriteString("text", EndSentence(rule.Title));
        json.WriteEndObject();
        json.WriteStartObject("fullDescription");
        json.WriteString("text", EndSentence(rule.Summary));
        json.WriteEndObject();
        json.WriteStartObject("help");
        json.WriteString("text", $"{EndSentence(rule.Explanation)} Fix: {EndSentence(rule.Fix)}");
        json.WriteString("markdown", RuleDocs.Render(rule));
        json.WriteEndObject();
        json.WriteStartObject("defaultConfiguration");
        json.WriteString("level", Level(rule.DefaultSeverity));
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteStartArray("tags");
        json.WriteStringValue("linux-kernel");
        json.WriteStringValue("correctness");
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, ReportedFinding reported, Dictionary<string, int> ruleIndex)
    {
        var f = reported.Finding;
        json.WriteStartObject();
        json.WriteString("ruleId", f.Rule);
        if (ruleIndex.TryGetValue(f.Rule, out int index))
        {
            json.WriteNumber("ruleIndex", index);
        }

        json.WriteString("level", Level(f.Severity));
        json.WriteStartObject("message");
        json.WriteString("text", EndSentence(f.Message));
        json.WriteEndObject();

        json.WriteStartArray("locations");
        json.WriteStartObject();
        WritePhysicalLocation(json, f.File, f.Line);
        WriteLogicalLocation(json, f.Function);
        json.WriteEndObject();
        json.WriteEndArray();

        if (f.Trace.Count > 0)
        {
            json.WriteStartArray("codeFlows");
            json.WriteStartObject();
            WriteMessage(json, "From the entry point to the offending call.");
            json.WriteStartArray("threadFlows");
            json.WriteStartObject();
            json.WriteStartArray("locations");
            for (int i = 0; i < f.Trace.Count; i++)
            {
                bool last = i == f.Trace.Count - 1;
                json.WriteStartObject();
                json.WriteNumber("nestingLevel", i);
                json.WriteNumber("executionOrder", i + 1);
                json.WriteStartObject("location");
                if (last)
                {
                    WritePhysicalLocation(json, f.File, f.Line);
                }

                WriteLogicalLocation(json, FunctionOf(f.Trace[i]));
                WriteMessage(json, f.Trace[i]);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteStartObject("partialFingerprints");
        json.WriteString(FingerprintKey, Fingerprint(f));
        json.WriteEndObject();

        json.WriteStartObject("properties");
        json.WriteString("function", f.Function);
        json.WriteString("explanation", f.Explanation);
        json.WriteString("fix", f.Fix);
        json.WriteStartArray("scenarios");
        foreach (var s in f.Scenarios)
        {
            json.WriteStringValue(s);
        }

        json.WriteEndArray();
        if (reported.MessageId is not null)
        {
            json.WriteString("messageId", reported.MessageId);
        }

        if (reported.Subject is not null)
        {
            json.WriteString("subject", reported.Subject);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WritePhysicalLocation(Utf8JsonWriter json, string file, int? line)
    {
        json.WriteStartObject("physicalLocation");
        json.WriteStartObject("artifactLocation");
        json.WriteString("uri", RelativeUri(file));
        json.WriteString("uriBaseId", "%SRCROOT%");
        json.WriteEndObject();
        if (line is int l && l > 0)
        {
            json.WriteStartObject("region");
            json.WriteNumber("startLine", l);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteLogicalLocation(Utf8JsonWriter json, string function)
    {
        if (function.Length == 0)
        {
            return;
        }

        json.WriteStartArray("logicalLocations");
        json.WriteStartObject();
        json.WriteString("name", function);
        json.WriteString("kind", "function");
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteMessage(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject("message");
        json.WriteString("text", EndSentence(text));
        json.WriteEndObject();
    }

    /// <summary>"foo_probe (pci_driver.probe)" -> "foo_probe".</summary>
    private static string FunctionOf(string step)
    {
        int space = step.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? step : step[..space];
    }

    /// <summary>A path in the tree as a relative URI reference: segments escaped, separators kept.</summary>
    private static string RelativeUri(string path) =>
        string.Join('/', path.Replace('\\', '/').TrimStart('/').Split('/').Select(Uri.EscapeDataString));

    /// <summary>SARIF messages are sentences: they end with a period.</summary>
    private static string EndSentence(string text)
    {
        string t = text.TrimEnd();
        return t.Length == 0 || t.EndsWith('.') || t.EndsWith('!') || t.EndsWith('?') ? t : string.Create(CultureInfo.InvariantCulture, $"{t}.");
    }
}
