using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.Rules.Replay;

internal enum SiteKind
{
    /// <summary>An added call of an API with an effect.</summary>
    Call,
    /// <summary>An added write of a field with an effect.</summary>
    FieldWrite,
    /// <summary>Added registrations of a handler that has the effect, with no added effect line of its own.</summary>
    Registration,
    /// <summary>An added read of a field with an effect.</summary>
    FieldRead,
}

/// <summary>A registration of a registration-only site, with the added line the finding anchors at.</summary>
internal sealed record AnchoredRegistration(Registration Registration, int Line);

/// <summary>
/// Where a finding is reported when the patch adds neither the effect nor the late registration: the first element
/// the patch adds on the path from the entry point to the effect (an added call, or an added registration when no
/// rule of the effect reports registration-only sites), counting from the entry.
/// </summary>
/// <param name="Function">The function holding the line (the caller for a call; the handler for a registration).</param>
/// <param name="Call">The added call, when the anchor is a call.</param>
/// <param name="Registration">The added registration, when the anchor is a registration.</param>
internal sealed record SiteAnchor(string File, int Line, string Function, string Origin, CallSite? Call = null, Registration? Registration = null, OpsSlot? Slot = null);

/// <summary>
/// A place where an effect happens that a patch adds (or, for registration-only patches, newly reaches), or
/// whose path from a late entry point the patch completes (<see cref="Anchor"/> set).
/// </summary>
/// <param name="Function">The function holding the line; the handler for a registration site.</param>
/// <param name="What">The API or field that has the effect ("pci_add_dma_alias", "pdev->dma_alias_devfn").</param>
/// <param name="Down">Labels below <paramref name="Function"/> down to the effect, the last one being the API.</param>
/// <param name="Event">The event this site is judged against, when the API or field names its own (else the effect's).</param>
/// <param name="Anchor">Set when the effect's line is not added but the patch adds an element on its paths: the
/// finding goes there, and <paramref name="Paths"/> are the paths whose first added element it is.</param>
/// <param name="Paths">The paths to replay instead of every path to <paramref name="Function"/>; null for all.</param>
internal sealed record EffectSite(
    KernelEffect Effect,
    SiteKind Kind,
    string File,
    int Line,
    string Function,
    string What,
    string Origin,
    IReadOnlyList<string> Down,
    CallSite? Call = null,
    ApiEntry? Api = null,
    Assignment? Assignment = null,
    IReadOnlyList<AnchoredRegistration>? Registrations = null,
    FieldAccess? Access = null,
    DeviceEvent? Event = null,
    SiteAnchor? Anchor = null,
    IReadOnlyList<CallPath>? Paths = null)
{
    /// <summary>
    /// The effect's own place, the same in every commit of a range whatever the line numbers: file, function and
    /// what has the effect. A finding is reported once per path end.
    /// </summary>
    public string PathEnd => $"{File}:{Function}:{What}";
}

/// <summary>One path from an entry point to a site, placed on every scenario's timeline.</summary>
/// <param name="Calls">From the entry function down to the site's function.</param>
/// <param name="Failed">The scenarios in which the entry runs after the effect's consumer.</param>
internal sealed record PathVerdict(Registration Entry, DeviceEvent EntryEvent, IReadOnlyList<CallSite> Calls, IReadOnlyList<ScenarioEntry> Failed)
{
    public bool FailsIn(int scenarioCount) => Failed.Count == scenarioCount;
}

/// <summary>A site with every path that reaches it.</summary>
internal sealed record SiteReplay(EffectSite Site, DeviceEvent Consumer, IReadOnlyList<PathVerdict> Paths, int ScenarioCount);
