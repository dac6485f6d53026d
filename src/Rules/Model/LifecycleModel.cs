using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using PatchBot.PatchParser.Graph;

namespace PatchBot.Rules.Model;

/// <summary>
/// The kernel lifecycle model: events in order per scenario, the effects of kernel APIs, where each
/// role runs, and the mainline code a patch may use unseen. Loaded once from the embedded lifecycle.json.
/// </summary>
internal sealed class LifecycleModel
{
    internal const string ResourceName = "PatchBot.Rules.Model.lifecycle.json";

    private static readonly Lazy<LifecycleModel> LazyDefault = new(LoadEmbedded);

    private readonly Dictionary<DeviceEvent, EventEntry> events;
    private readonly Dictionary<KernelEffect, EffectEntry> effects;
    private readonly Dictionary<string, List<ApiEntry>> apis;
    private readonly Dictionary<string, MainlineFunctionEntry> mainlineFunctions;
    private readonly Dictionary<(string Scenario, DeviceEvent Event), int> positions = [];

    internal LifecycleModel(ModelDocument document)
    {
        Document = document;
        events = document.Events.ToDictionary(e => e.Id);
        effects = document.Effects.ToDictionary(e => e.Id);
        apis = document.Apis.GroupBy(a => a.Function, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        mainlineFunctions = document.MainlineFunctions.ToDictionary(f => f.Function, StringComparer.Ordinal);
        foreach (var scenario in document.Scenarios)
        {
            for (var i = 0; i < scenario.Timeline.Count; i++)
            {
                positions[(scenario.Id, scenario.Timeline[i])] = i;
            }
        }
    }

    /// <summary>The model shipped in the assembly.</summary>
    public static LifecycleModel Default => LazyDefault.Value;

    public ModelDocument Document { get; }

    public IReadOnlyList<ScenarioEntry> Scenarios => Document.Scenarios;

    /// <summary>Reads a model document; throws on a malformed one (the embedded file is checked by the tests).</summary>
    public static LifecycleModel Parse(Stream json)
    {
        var document = JsonSerializer.Deserialize(json, ModelJsonContext.Default.ModelDocument)
            ?? throw new InvalidDataException("lifecycle model: empty document");
        var problems = Validate(document);
        if (problems.Count > 0)
        {
            throw new InvalidDataException("lifecycle model: " + string.Join("; ", problems));
        }

        return new LifecycleModel(document);
    }

    /// <summary>
    /// What is wrong with a model document: missing sources, events or effects defined twice, references to
    /// events or effects the document does not define, timelines that do not hold every event exactly once.
    /// </summary>
    internal static List<string> Validate(ModelDocument document)
    {
        var problems = new List<string>();
        void Source(string? source, string what)
        {
            if (string.IsNullOrWhiteSpace(source))
            {
                problems.Add($"{what} has no source");
            }
        }

        foreach (var e in document.Events) { Source(e.Source, $"event {e.Id}"); }
        foreach (var e in document.Effects) { Source(e.Source, $"effect {e.Id}"); }
        foreach (var a in document.Apis) { Source(a.Source, $"api {a.Function}"); }
        foreach (var f in document.FieldWrites) { Source(f.Source, $"field write {f.Field ?? f.ValueMentions}"); }
        foreach (var r in document.Roles) { Source(r.Source, $"role {r.Role}"); }
        foreach (var f in document.MainlineFunctions) { Source(f.Source, $"mainline function {f.Function}"); }
        foreach (var x in document.Exempt) { Source(x.Source, $"exempt {x.Path ?? x.PathPrefix}"); }
        foreach (var f in document.FieldReads ?? []) { Source(f.Source, $"field read {f.Field}"); }
        foreach (var c in document.EnumerationCalls ?? []) { Source(c.Source, $"enumeration call {c.Function}"); }
        foreach (var e in document.Effects.Where(e => e.Entries is not null)) { Source(e.EntriesSource, $"entries of effect {e.Id}"); }

        var events = new HashSet<DeviceEvent>();
        foreach (var e in document.Events)
        {
            if (string.IsNullOrEmpty(e.Id.Id))
            {
                problems.Add($"event \"{e.Name}\" has no id");
            }
            else if (!events.Add(e.Id))
            {
                problems.Add($"event {e.Id} is defined twice");
            }
        }

        var effects = new HashSet<KernelEffect>();
        foreach (var e in document.Effects)
        {
            if (string.IsNullOrEmpty(e.Id.Id))
            {
                problems.Add($"effect \"{e.Name}\" has no id");
            }
            else if (!effects.Add(e.Id))
            {
                problems.Add($"effect {e.Id} is defined twice");
            }
        }

        void Event(DeviceEvent ev, string where)
        {
            if (!events.Contains(ev))
            {
                problems.Add($"{where} names event {ev}, which is not defined");
            }
        }

        void Effect(KernelEffect effect, string where)
        {
            if (!effects.Contains(effect))
            {
                problems.Add($"{where} names effect {effect}, which is not defined");
            }
        }

        foreach (var scenario in document.Scenarios)
        {
            Source(scenario.Source, $"scenario {scenario.Id}");
            foreach (var ev in scenario.Timeline.Distinct())
            {
                Event(ev, $"scenario {scenario.Id}");
            }

            foreach (var ev in document.Events.Select(e => e.Id).Distinct())
            {
                var count = scenario.Timeline.Count(e => e == ev);
                if (count != 1)
                {
                    problems.Add($"scenario {scenario.Id} has event {ev} {count} times");
                }
            }
        }

        foreach (var e in document.Effects) { Event(e.ConsumedBy, $"effect {e.Id}"); }
        foreach (var a in document.Apis) { Effect(a.Effect, $"api {a.Function}"); }
        foreach (var f in document.FieldWrites) { Effect(f.Effect, $"field write {f.Field ?? f.ValueMentions}"); }
        foreach (var r in document.Roles) { Event(r.Event, $"role {r.Role}"); }
        foreach (var f in document.MainlineFunctions) { Effect(f.Effect, $"mainline function {f.Function}"); }
        foreach (var x in document.Exempt) { Effect(x.Effect, $"exempt {x.Path ?? x.PathPrefix}"); }
        foreach (var a in document.Apis.Where(a => a.Event is not null)) { Event(a.Event!.Value, $"api {a.Function}"); }
        foreach (var f in document.FieldWrites.Where(f => f.Event is not null)) { Event(f.Event!.Value, $"field write {f.Field ?? f.ValueMentions}"); }
        foreach (var f in document.FieldReads ?? [])
        {
            Effect(f.Effect, $"field read {f.Field}");
            Event(f.Event, $"field read {f.Field}");
        }

        foreach (var c in document.EnumerationCalls ?? []) { Event(c.Event, $"enumeration call {c.Function}"); }

        return problems;
    }

    private static LifecycleModel LoadEmbedded()
    {
        using var stream = typeof(LifecycleModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidDataException($"missing embedded resource {ResourceName}");
        return Parse(stream);
    }

    public EventEntry Event(DeviceEvent id) => events[id];

    public EffectEntry Effect(KernelEffect id) => effects[id];

    /// <summary>Whether the model defines <paramref name="id"/> (a rule's effect is checked against it).</summary>
    public bool Defines(KernelEffect id) => effects.ContainsKey(id);

    /// <summary>Position of <paramref name="ev"/> in the scenario's timeline.</summary>
    public int Position(ScenarioEntry scenario, DeviceEvent ev) => positions[(scenario.Id, ev)];

    /// <summary>The APIs (with their conditions) a callee name has, or none.</summary>
    public IReadOnlyList<ApiEntry> ApisNamed(string function) =>
        apis.TryGetValue(function, out var list) ? list : [];

    public IEnumerable<ApiEntry> ApisWith(KernelEffect effect) => Document.Apis.Where(a => a.Effect == effect);

    public MainlineFunctionEntry? MainlineFunction(string function) =>
        mainlineFunctions.GetValueOrDefault(function);

    /// <summary>The event at which a registration's function runs, or null when the role is not an entry point.</summary>
    public (DeviceEvent Event, RoleEntry Entry)? EventOf(Registration registration)
    {
        int? priority = null;
        if (registration.Role == RoleKind.Notifier)
        {
            priority = int.TryParse(registration.Detail, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 0;
        }

        foreach (var entry in Document.Roles)
        {
            if (entry.Role != registration.Role)
            {
                continue;
            }

            if (entry.MinPriority is { } min && (priority ?? 0) < min)
            {
                continue;
            }

            return (entry.Event, entry);
        }

        return null;
    }

    /// <summary>Whether a registration's function is an entry point: its role has a place on the timeline.</summary>
    public bool IsEntryPoint(Registration registration) => EventOf(registration) is not null;

    /// <summary>The effect of an assignment (a field write), or null.</summary>
    public (KernelEffect Effect, FieldWriteEntry Entry)? EffectOf(Assignment assignment)
    {
        foreach (var entry in Document.FieldWrites)
        {
            if (entry.Field is { } field && EndsWithMember(assignment.Target, field))
            {
                return (entry.Effect, entry);
            }

            if (entry.ValueMentions is { } flag && assignment.Value.Contains(flag, StringComparison.Ordinal))
            {
                return (entry.Effect, entry);
            }
        }

        return null;
    }

    /// <summary>The entry for a read of <paramref name="member"/> ("msix_cap", "vpd.cap") that has an effect, or null.</summary>
    public FieldReadEntry? FieldRead(string member)
    {
        foreach (var entry in Document.FieldReads ?? [])
        {
            if (string.Equals(entry.Field, member, StringComparison.Ordinal)
                || (member.StartsWith(entry.Field, StringComparison.Ordinal) && member.Length > entry.Field.Length && member[entry.Field.Length] == '.'))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>The enumeration call of that name, or null.</summary>
    public EnumerationCallEntry? EnumerationCall(string function) =>
        (Document.EnumerationCalls ?? []).FirstOrDefault(c => string.Equals(c.Function, function, StringComparison.Ordinal));

    /// <summary>Whether code in <paramref name="file"/> may have <paramref name="effect"/> by design.</summary>
    public ExemptEntry? Exemption(string file, KernelEffect effect)
    {
        foreach (var x in Document.Exempt)
        {
            if (x.Effect != effect)
            {
                continue;
            }

            if ((x.Path is { } path && string.Equals(file, path, StringComparison.Ordinal))
                || (x.PathPrefix is { } prefix && file.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return x;
            }
        }

        return null;
    }

    private static bool EndsWithMember(string target, string field)
    {
        var t = target.AsSpan().Trim();
        if (!t.EndsWith(field, StringComparison.Ordinal))
        {
            return false;
        }

        var before = t[..^field.Length].TrimEnd();
        return before.EndsWith("->", StringComparison.Ordinal) || before.EndsWith('.');
    }
}

/// <summary>Source-generated JSON reading of the model (no reflection: works trimmed and with Native AOT).</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ModelDocument))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
