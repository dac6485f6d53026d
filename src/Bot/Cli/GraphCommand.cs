using System.CommandLine;
using System.Text;
using System.Text.Json;
using PatchBot.Engine.Check;
using PatchBot.Engine.Inputs;
using PatchBot.Engine.Pipeline;
using PatchBot.Bot.Output;
using PatchBot.Engine.Tree;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Cli;

/// <summary>
/// <c>patchbot graph PATCH... [--tree DIR] [--format text|dot|json]</c>: the call graph PatchBot built,
/// with roles and registrations, for a user who wants to see why a finding was (or was not) made.
/// </summary>
internal static class GraphCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<Stream> stdin)
    {
        var paths = new Argument<string[]>("paths") { Description = "Patches, messages, mboxes, folders or - for stdin.", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format", "-f") { Description = "text, dot (Graphviz) or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "dot", "json");
        var tree = new Option<string?>("--tree") { Description = "A kernel checkout to read whole files and callers from." };
        var noTree = new Option<bool>("--no-tree") { Description = "Ignore the kernel checkout around the working folder." };
        var command = new Command("graph", "Print the call graph of patches: functions, calls, registrations and entry points.")
        {
            paths, format, tree, noTree,
        };
        command.SetAction(parse =>
        {
            var settings = new CheckSettings
            {
                Paths = parse.GetValue(paths) ?? [],
                TreePath = parse.GetValue(tree),
                NoTree = parse.GetValue(noTree),
            };
            if (!CheckCommand.TryOpenTree(settings, out var kernelTree, out string? error))
            {
                stderr.WriteLine($"patchbot graph: {error}");
                return PatchBotCli.UsageError;
            }

            var (sources, errors) = InputExpander.Expand(settings.Paths, stdin);
            foreach (var e in errors)
            {
                stderr.WriteLine($"patchbot graph: {e.Path}: {e.Reason}");
            }

            var items = new List<MailItem>();
            foreach (var source in sources)
            {
                try
                {
                    using var stream = source.Open();
                    items.AddRange(MailReader.Read(stream, source.Name).Where(i => i.Kind is MailItemKind.Patch or MailItemKind.CoverLetter));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"patchbot graph: {source.Name}: {e.Message}");
                    errors = [.. errors, new InputError(source.Name, e.Message)];
                }
            }

            // The series check would analyse: the same window and readiness policy (an archive, the message clock).
            var window = new SeriesWindow(SeriesReadiness.Archive());
            var units = new List<AnalysisUnit>();
            long sequence = 0;
            foreach (var item in items)
            {
                window.Add(item, sequence++, units);
            }

            window.Flush(units);
            var analyzer = new SeriesAnalyzer(AnalysisOptions.Default, tree: kernelTree);
            var coverage = new List<CoverageEntry>();
            var graphs = units
                .Where(u => u.Group == 0) // a reviewer's reply carrying a diff is no series: graph shows none, as before
                .OrderBy(u => u.Sequence)
                .Select(u => analyzer.BuildGraph(u.Parts, coverage))
                .OfType<SeriesGraph>()
                .ToList();
            string text = parse.GetValue(format) switch
            {
                "dot" => Dot(graphs),
                "json" => Json(graphs),
                _ => Text(graphs),
            };
            stdout.Write(text);
            return errors.Count > 0 ? PatchBotCli.UsageError : 0;
        });
        return command;
    }

    private static string RoleText(Registration r) =>
        $"{r.Idiom}{(r.Inferred ? ", inferred from the signature" : string.Empty)}{(r.ViaMacro is null ? string.Empty : $", via {r.ViaMacro}")}{(r.Detail is null ? string.Empty : $", {r.Detail}")}";

    private static string Text(IReadOnlyList<SeriesGraph> graphs)
    {
        var sb = new StringBuilder();
        foreach (var (graph, _, byOrigin, _) in graphs)
        {
            sb.Append("series: ").AppendJoin(", ", byOrigin.Values.Select(i => i.Subject)).AppendLine();
            foreach (var f in graph.Functions.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.StartLine))
            {
                sb.Append($"  {f.File}:{f.StartLine}: {(f.IsStatic ? "static " : string.Empty)}{f.Name}()");
                sb.Append(f.Complete ? string.Empty : " (partly shown)").AppendLine();
                foreach (var r in graph.Registrations.Where(r => r.Function == f.Name && r.File == f.File))
                {
                    sb.AppendLine($"    role: {r.Role} ({RoleText(r)}){(r.Line > 0 ? $" at line {r.Line}, {r.LineKind.ToString().ToLowerInvariant()}" : string.Empty)}");
                }

                foreach (var c in graph.Calls.Where(c => c.Caller == f.Name && c.File == f.File).OrderBy(c => c.Line))
                {
                    sb.AppendLine($"    {c.Line}: calls {c.Callee}({string.Join(", ", c.Arguments)}) [{c.LineKind.ToString().ToLowerInvariant()}]");
                }
            }

            foreach (var r in graph.Registrations.Where(r => !graph.Functions.Any(f => f.Name == r.Function && f.File == r.File)))
            {
                sb.AppendLine($"  {r.File}:{r.Line}: {r.Function} (not in the patch): {r.Role} ({RoleText(r)}) [{r.LineKind.ToString().ToLowerInvariant()}]");
            }

            foreach (var gap in graph.Gaps)
            {
                sb.AppendLine($"  {gap.File}{(gap.Line is int l ? $":{l}" : string.Empty)}: not analysed: {gap.Reason}");
            }
        }

        return sb.ToString();
    }

    private static string Dot(IReadOnlyList<SeriesGraph> graphs)
    {
        var sb = new StringBuilder("digraph patchbot {\n  rankdir=LR;\n  node [shape=box, fontname=monospace];\n");
        static string Id(string file, string name) => JsonSerializer.Serialize($"{file}:{name}", GraphJsonContext.Default.String);
        foreach (var (graph, _, _, _) in graphs)
        {
            foreach (var f in graph.Functions)
            {
                var roles = graph.Registrations.Where(r => r.Function == f.Name && r.File == f.File).Select(RoleText).ToList();
                string label = roles.Count == 0 ? f.Name : $"{f.Name}\\n[{string.Join("; ", roles)}]";
                sb.AppendLine($"  {Id(f.File, f.Name)} [label={JsonSerializer.Serialize(label, GraphJsonContext.Default.String).Replace("\\\\n", "\\n", StringComparison.Ordinal)}{(roles.Count > 0 ? ", style=bold" : string.Empty)}];");
            }

            foreach (var c in graph.Calls.Where(c => c.LineKind != PatchBot.PatchParser.Diff.DiffLineKind.Removed))
            {
                var target = graph.Functions.FirstOrDefault(f => f.Name == c.Callee && f.File == c.File)
                    ?? graph.Functions.FirstOrDefault(f => f.Name == c.Callee && !f.IsStatic);
                string to = target is null ? JsonSerializer.Serialize(c.Callee, GraphJsonContext.Default.String) : Id(target.File, target.Name);
                sb.AppendLine($"  {Id(c.File, c.Caller)} -> {to} [label=\"{c.Line}\"{(c.LineKind == PatchBot.PatchParser.Diff.DiffLineKind.Added ? ", color=red" : string.Empty)}];");
            }
        }

        return sb.Append("}\n").ToString();
    }

    private static string Json(IReadOnlyList<SeriesGraph> graphs)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var (graph, _, byOrigin, _) in graphs)
            {
                json.WriteStartObject();
                JsonReportWriter.WriteStrings(json, "messages", byOrigin.Values.Select(item => item.Subject));
                json.WriteStartArray("functions");
                foreach (var f in graph.Functions)
                {
                    json.WriteStartObject();
                    json.WriteString("name", f.Name);
                    json.WriteString("file", f.File);
                    json.WriteNumber("line", f.StartLine);
                    json.WriteBoolean("static", f.IsStatic);
                    json.WriteBoolean("complete", f.Complete);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("calls");
                foreach (var c in graph.Calls)
                {
                    json.WriteStartObject();
                    json.WriteString("caller", c.Caller);
                    json.WriteString("callee", c.Callee);
                    json.WriteString("file", c.File);
                    json.WriteNumber("line", c.Line);
                    json.WriteStartArray("arguments");
                    foreach (var argument in c.Arguments)
                    {
                        json.WriteStringValue(argument);
                    }

                    json.WriteEndArray();
                    json.WriteString("kind", c.LineKind.ToString().ToLowerInvariant());
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("registrations");
                foreach (var r in graph.Registrations)
                {
                    json.WriteStartObject();
                    json.WriteString("function", r.Function);
                    json.WriteString("role", r.Role.ToString());
                    json.WriteString("idiom", r.Idiom);
                    json.WriteString("file", r.File);
                    json.WriteNumber("line", r.Line);
                    json.WriteBoolean("inferred", r.Inferred);
                    json.WriteString("kind", r.LineKind.ToString().ToLowerInvariant());
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class GraphJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
