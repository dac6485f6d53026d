using System.Text.Json;
using PatchBot.PatchParser;
using PatchBot.Rules.Catalog;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Config;

/// <summary>
/// The .patchbot.json settings: { "rules": { "&lt;id&gt;": "off" | "error" | "warning" | "info" },
/// "enable": [ids], "disable": [ids] }. "enable", when given, runs only those rules; "disable" and "off"
/// drop rules; a severity overrides the rule's default. The one loader of every front-end: <c>check</c> (the file of
/// <c>--config</c>, else the nearest .patchbot.json upward), <c>serve</c> (Series:RulesConfig) and the GitHub service
/// (the repository's .patchbot.json at the pull request's head) all read it through <see cref="TryLoad"/>.
/// </summary>
public sealed record PatchBotConfig
{
    public static PatchBotConfig Empty { get; } = new();

    /// <summary>Severity per rule id; a rule set to "off" is absent here and listed in <see cref="Disabled"/>.</summary>
    public IReadOnlyDictionary<string, Severity> Severities { get; init; } = new Dictionary<string, Severity>(StringComparer.Ordinal);

    /// <summary>When not empty, only these rules run.</summary>
    public IReadOnlySet<string> Enabled { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public IReadOnlySet<string> Disabled { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether a rule runs under this configuration.</summary>
    public bool IsEnabled(string ruleId) =>
        !Disabled.Contains(ruleId) && (Enabled.Count == 0 || Enabled.Contains(ruleId));

    /// <summary>The severity a rule reports at.</summary>
    public Severity SeverityOf(string ruleId, Severity defaultSeverity) =>
        Severities.TryGetValue(ruleId, out var s) ? s : defaultSeverity;

    /// <summary>Drops findings of disabled rules and applies severity overrides.</summary>
    public IReadOnlyList<Finding> Apply(IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        return [.. findings.Where(f => IsEnabled(f.Rule)).Select(f => f with { Severity = SeverityOf(f.Rule, f.Severity) })];
    }

    /// <summary>The file name looked for in a checkout or a repository.</summary>
    public const string FileName = ".patchbot.json";

    /// <summary>
    /// Reads configuration text that came from <paramref name="source"/> (a path or a repository file, named in the
    /// error). Null text is no configuration: the defaults. False, with every problem in one line, when the text
    /// cannot be used; the caller decides whether that stops it.
    /// </summary>
    public static bool TryLoad(string? json, string source, out PatchBotConfig config, out string? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        error = null;
        if (json is null)
        {
            config = Empty;
            return true;
        }

        config = Parse(json, out var problems);
        if (problems.Count == 0)
        {
            return true;
        }

        error = string.Join("; ", problems.Select(p => p.Line is int l
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{source}:{l}: {p.Message}")
            : $"{source}: {p.Message}"));
        config = Empty;
        return false;
    }

    /// <summary>Reads configuration text. Never throws: what cannot be used is reported in <paramref name="problems"/>.</summary>
    public static PatchBotConfig Parse(string json, out IReadOnlyList<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(json);
        var list = new List<Problem>();
        problems = list;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
            });
            return FromDocument(document.RootElement, list);
        }
        catch (JsonException e)
        {
            list.Add(new Problem($"not valid JSON: {e.Message}", ".patchbot.json", (int?)(e.LineNumber + 1)));
            return Empty;
        }
    }

    /// <summary>Reads configuration from a stream (UTF-8). Never throws on bad content.</summary>
    public static PatchBotConfig Load(Stream stream, out IReadOnlyList<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), out problems);
    }

    private static PatchBotConfig FromDocument(JsonElement root, List<Problem> problems)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new Problem("the configuration must be a JSON object", ".patchbot.json"));
            return Empty;
        }

        var severities = new Dictionary<string, Severity>(StringComparer.Ordinal);
        var enabled = new HashSet<string>(StringComparer.Ordinal);
        var disabled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "rules" when property.Value.ValueKind == JsonValueKind.Object:
                    foreach (var rule in property.Value.EnumerateObject())
                    {
                        if (!Known(rule.Name, problems))
                        {
                            continue;
                        }

                        var value = rule.Value.ValueKind == JsonValueKind.String ? rule.Value.GetString() : null;
                        if (string.Equals(value, "off", StringComparison.OrdinalIgnoreCase))
                        {
                            disabled.Add(rule.Name);
                        }
                        else if (SeverityNames.TryParse(value, out var severity))
                        {
                            severities[rule.Name] = severity;
                        }
                        else
                        {
                            problems.Add(new Problem($"rule {rule.Name}: expected \"off\", \"error\", \"warning\" or \"info\", not {rule.Value.GetRawText()}", ".patchbot.json"));
                        }
                    }

                    break;
                case "enable" or "disable" when property.Value.ValueKind == JsonValueKind.Array:
                    var target = property.Name == "enable" ? enabled : disabled;
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.String && item.GetString() is { } id && Known(id, problems))
                        {
                            target.Add(id);
                        }
                        else if (item.ValueKind != JsonValueKind.String)
                        {
                            problems.Add(new Problem($"{property.Name}: expected rule ids, not {item.GetRawText()}", ".patchbot.json"));
                        }
                    }

                    break;
                case "rules" or "enable" or "disable":
                    problems.Add(new Problem($"{property.Name}: wrong type {property.Value.ValueKind}", ".patchbot.json"));
                    break;
                default:
                    // Other sections belong to the CLI or the bot; ignored here.
                    break;
            }
        }

        return new PatchBotConfig { Severities = severities, Enabled = enabled, Disabled = disabled };
    }

    private static bool Known(string id, List<Problem> problems)
    {
        if (RuleCatalog.Find(id) is not null)
        {
            return true;
        }

        problems.Add(new Problem($"unknown rule id {id}", ".patchbot.json"));
        return false;
    }
}
