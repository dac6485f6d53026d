using PatchBot.PatchParser.Graph;

namespace PatchBot.Rules.Model;

// The shapes of lifecycle.json. Every entry carries "source": the kernel file and function it comes from.
// Events and effects are defined here, by their entries; every other entry names them by id.

/// <summary>An event of the device's life.</summary>
/// <param name="Landmark">Named in every finding's account of the timeline, whether or not the finding is about it.</param>
internal sealed record EventEntry(DeviceEvent Id, string Name, string KernelName, string Source, bool Landmark = false);

internal sealed record ScenarioEntry(string Id, string Title, string Description, string Source, IReadOnlyList<DeviceEvent> Timeline);

/// <param name="ConsumedBy">The event the effect is judged against: it reads what the effect does (or, with
/// <paramref name="After"/>, sets up what the effect uses).</param>
/// <param name="After">The effect must come after <paramref name="ConsumedBy"/> (it uses state that event sets up); by
/// default it must come before.</param>
/// <param name="Entries">The entry points the effect is judged from; null for every entry point. A registration matches
/// an entry of the same role whose detail is null or equal to the registration's.</param>
/// <param name="EntriesSource">Why only those entry points are judged.</param>
internal sealed record EffectEntry(KernelEffect Id, string Name, DeviceEvent ConsumedBy, string Deadline, string Description, string Source,
    bool After = false, IReadOnlyList<EntryFilter>? Entries = null, string? EntriesSource = null)
{
    /// <summary>Whether a path starting at <paramref name="entry"/> is judged for this effect.</summary>
    public bool Judges(Registration entry) =>
        Entries is null || Entries.Any(e => e.Role == entry.Role && (e.Detail is null || string.Equals(e.Detail, entry.Detail, StringComparison.Ordinal)));
}

/// <summary>An entry point by role, and by detail (driver struct, initcall level) when given.</summary>
internal sealed record EntryFilter(RoleKind Role, string? Detail = null);

/// <summary>A kernel function whose call has an effect.</summary>
/// <param name="ArgumentMentions">The effect needs this word in the arguments (bitmap_set on ->dma_alias_mask).</param>
/// <param name="TargetArgument">The argument naming the device acted on, when the effect is on a device.</param>
/// <param name="Exported">False when the symbol is not exported to modules.</param>
/// <param name="Event">The event this call depends on, when it differs from the effect's event.</param>
internal sealed record ApiEntry(
    string Function,
    KernelEffect Effect,
    string Source,
    string? ArgumentMentions = null,
    int? TargetArgument = null,
    bool Exported = true,
    DeviceEvent? Event = null);

/// <summary>A write to a struct field that has an effect: by field name or by a flag in the value.</summary>
/// <param name="Event">The event the write is judged against, when it differs from the effect's event.</param>
internal sealed record FieldWriteEntry(KernelEffect Effect, string Source, string? Field = null, string? ValueMentions = null, DeviceEvent? Event = null);

/// <summary>A read of a pci_dev member that is only valid after <paramref name="Event"/> set it up.</summary>
/// <param name="Field">The member path ("msix_cap", "vpd.cap").</param>
internal sealed record FieldReadEntry(string Field, KernelEffect Effect, DeviceEvent Event, string Source);

/// <summary>A call after which the devices already present have passed <paramref name="Event"/> (the IOMMU registered
/// and probed them, the bus was scanned and its devices added).</summary>
internal sealed record EnumerationCallEntry(string Function, DeviceEvent Event, string Source);

/// <summary>Where a role runs on the timeline. <paramref name="MinPriority"/> restricts notifier entries.</summary>
internal sealed record RoleEntry(RoleKind Role, DeviceEvent Event, string Source, int? MinPriority = null);

/// <summary>A mainline function a patch may register without showing its body.</summary>
internal sealed record MainlineFunctionEntry(string Function, KernelEffect Effect, string How, string Source);

/// <summary>Code that may have an effect by design (the API itself, IOMMU drivers' own alias code).</summary>
internal sealed record ExemptEntry(KernelEffect Effect, string Reason, string Source, string? Path = null, string? PathPrefix = null);

internal sealed record ModelDocument(
    string Kernel,
    IReadOnlyList<EventEntry> Events,
    IReadOnlyList<ScenarioEntry> Scenarios,
    IReadOnlyList<EffectEntry> Effects,
    IReadOnlyList<ApiEntry> Apis,
    IReadOnlyList<FieldWriteEntry> FieldWrites,
    IReadOnlyList<RoleEntry> Roles,
    IReadOnlyList<MainlineFunctionEntry> MainlineFunctions,
    IReadOnlyList<ExemptEntry> Exempt,
    IReadOnlyList<FieldReadEntry>? FieldReads = null,
    IReadOnlyList<EnumerationCallEntry>? EnumerationCalls = null);
