namespace PatchBot.Rules.Catalog;

/// <summary>Every rule PatchBot has, with its metadata.</summary>
public static class RuleCatalog
{
    private static readonly Lazy<IReadOnlyList<Rule>> LazyRules = new(() =>
    [
        new DmaAliasAfterIommuGroup(),
        new DmaAliasInFinalFixup(),
        new SysfsAfterDeviceAdd(),
        new DmaAliasFromModule(),
    ]);

    /// <summary>All rules, in a stable order.</summary>
    public static IReadOnlyList<RuleMetadata> All => [.. Rules.Select(r => r.Metadata)];

    internal static IReadOnlyList<Rule> Rules => LazyRules.Value;

    /// <summary>The rule with this id, or null.</summary>
    public static RuleMetadata? Find(string id) =>
        Rules.FirstOrDefault(r => string.Equals(r.Metadata.Id, id, StringComparison.Ordinal))?.Metadata;
}
