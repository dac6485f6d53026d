using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>Path selection shared by the two DMA-alias timing rules: the worst verdict of a site decides which rule reports it.</summary>
internal static class DmaAliasPaths
{
    /// <summary>Paths failing in every scenario (the error), shortest first.</summary>
    public static PathVerdict? LateEverywhere(SiteReplay replay) =>
        replay.Paths.Where(p => p.FailsIn(replay.ScenarioCount)).OrderBy(p => p.Calls.Count).FirstOrDefault();

    /// <summary>A path failing in some scenarios only, when no path fails in all.</summary>
    public static PathVerdict? LateSomewhere(SiteReplay replay) =>
        LateEverywhere(replay) is not null
            ? null
            : replay.Paths.Where(p => p.Failed.Count > 0).OrderBy(p => p.Calls.Count).FirstOrDefault();

    /// <summary>The site moved to the anchor of the chosen registration (registration-only sites); the site itself otherwise.</summary>
    public static EffectSite Anchored(EffectSite site, SiteReplay replay, Func<PathVerdict, bool> chosen)
    {
        if (site.Kind != SiteKind.Registration || site.Registrations is null)
        {
            return site;
        }

        var lines = replay.Paths.Where(chosen)
            .Select(p => site.Registrations.FirstOrDefault(a => ReferenceEquals(a.Registration, p.Entry))?.Line)
            .OfType<int>()
            .ToList();
        return lines.Count == 0 ? site : site with { Line = lines.Min() };
    }
}
