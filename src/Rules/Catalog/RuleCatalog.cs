using System.Diagnostics.CodeAnalysis;
using PatchBot.Rules.Model;

[assembly: SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
    Scope = "namespaceanddescendants", Target = "~N:PatchBot.Rules.Catalog",
    Justification = "Each rule file registers its rule in the catalogue from a module initializer (trimming- and Native AOT-safe, no list kept by hand); the initializer only stores a factory.")]

namespace PatchBot.Rules.Catalog;

/// <summary>
/// Every rule PatchBot has, with its metadata. Each rule file registers its rule from a module initializer
/// (<see cref="Register"/>), with its place in the catalogue; the rules are made on first use and checked then.
/// </summary>
public static class RuleCatalog
{
    private static readonly List<Registered> Registrations = [];
    private static readonly Lazy<IReadOnlyList<Rule>> LazyRules = new(Build);

    /// <summary>All rules, in a stable order.</summary>
    public static IReadOnlyList<RuleMetadata> All => [.. Rules.Select(r => r.Metadata)];

    internal static IReadOnlyList<Rule> Rules => LazyRules.Value;

    /// <summary>The rule with this id, or null.</summary>
    public static RuleMetadata? Find(string id) =>
        Rules.FirstOrDefault(r => string.Equals(r.Metadata.Id, id, StringComparison.Ordinal))?.Metadata;

    /// <summary>
    /// Adds a rule to the catalogue; called by the rule file's <c>[ModuleInitializer]</c>, before anything else in
    /// the assembly runs.
    /// </summary>
    /// <param name="place">The rule's place in `patchbot rules`, SARIF and the docs: the next number for a new rule,
    /// never reused, so the order of existing rules never changes.</param>
    /// <param name="create">Makes the rule (on first use of the catalogue, not at registration).</param>
    internal static void Register(int place, Func<Rule> create)
    {
        Registrations.Add(new Registered(place, create)); // module initializers run once, on one thread
    }

    /// <summary>What is wrong with a set of rules: places or ids used twice, effects the model does not define.</summary>
    internal static List<string> Validate(IReadOnlyList<(int Place, Rule Rule)> rules, LifecycleModel model)
    {
        var problems = new List<string>();
        foreach (var group in rules.GroupBy(r => r.Place).Where(g => g.Count() > 1))
        {
            problems.Add($"place {group.Key} is taken by {string.Join(", ", group.Select(r => r.Rule.Metadata.Id))}");
        }

        foreach (var group in rules.GroupBy(r => r.Rule.Metadata.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"rule id {group.Key} is used {group.Count()} times");
        }

        foreach (var (_, rule) in rules)
        {
            if (!model.Defines(rule.Effect))
            {
                problems.Add($"rule {rule.Metadata.Id} judges effect {rule.Effect}, which {LifecycleModel.ResourceName} does not define");
            }
        }

        return problems;
    }

    private static IReadOnlyList<Rule> Build()
    {
        var rules = Registrations.OrderBy(r => r.Place).Select(r => (r.Place, Rule: r.Create())).ToList();
        var problems = Validate(rules, LifecycleModel.Default);
        if (problems.Count > 0)
        {
            throw new InvalidDataException("rule catalogue: " + string.Join("; ", problems));
        }

        return [.. rules.Select(r => r.Rule)];
    }

    private sealed record Registered(int Place, Func<Rule> Create);
}
