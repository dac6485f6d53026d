using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Catalog;

/// <summary>What a rule is, for people: shown by `patchbot rules` and `patchbot explain`, and rendered to docs/rules/&lt;id&gt;.md.</summary>
/// <param name="Id">Kebab-case, stable, never reused.</param>
/// <param name="Summary">One sentence: what it finds.</param>
/// <param name="Explanation">Why it is wrong, citing the kernel code path.</param>
/// <param name="Fix">What to do instead, imperative.</param>
/// <param name="BadExample">A C fragment the rule reports.</param>
/// <param name="GoodExample">The same fragment fixed.</param>
/// <param name="References">Kernel sources, documentation and review mails.</param>
/// <param name="Needs">What a call graph must contain for the rule to have anything to say.</param>
public sealed record RuleMetadata(
    string Id,
    string Title,
    Severity DefaultSeverity,
    string Summary,
    string Explanation,
    string Fix,
    string BadExample,
    string GoodExample,
    IReadOnlyList<string> References,
    RuleNeeds Needs)
{
    /// <summary>The rule judges the added call alone, not the paths to it: a path the patch completes is no finding of it.</summary>
    public bool OnlyAddedCalls { get; init; }
}

/// <summary>The cheap pre-check of a rule: the callees, fields and registrations it cares about.</summary>
/// <param name="Callees">Function names whose added calls matter.</param>
/// <param name="Fields">Field names or flags whose added writes matter.</param>
/// <param name="Registrations">Handler names whose added registrations matter (any handler when <paramref name="AnyRegistration"/>).</param>
/// <param name="AnyRegistration">Added registrations of any handler matter (the handler's body decides).</param>
/// <param name="ReadFields">Member names whose added reads matter (none when null).</param>
public sealed record RuleNeeds(
    IReadOnlyList<string> Callees,
    IReadOnlyList<string> Fields,
    IReadOnlyList<string> Registrations,
    bool AnyRegistration,
    IReadOnlyList<string>? ReadFields = null);
