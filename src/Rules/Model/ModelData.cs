using PatchBot.PatchParser.Graph;

namespace PatchBot.Rules.Model;

// The shapes of lifecycle.json. Every entry carries "source": the kernel file and function it comes from.
// Events and effects are defined here, by their entries; every other entry names them by id.

/// <summary>An event of the device's life.</summary>
/// <param name="Landmark">Named in every finding's account of the timeline, whether or not the finding is about it.</param>
internal sealed record EventEntry(DeviceEvent Id, string Name, string KernelName, string Source, bool Landmark = false);

internal sealed record ScenarioEntry(string Id, string Title, string Description, string Source, IReadOnlyList<DeviceEvent> Timeline);

internal sealed record EffectEntry(KernelEffect Id, string Name, DeviceEvent ConsumedBy, string Deadline, string Description, string Source);

/// <summary>A kernel function whose call has an effect.</summary>
/// <param name="ArgumentMentions">The effect needs this word in the arguments (bitmap_set on ->dma_alias_mask).</param>
/// <param name="TargetArgument">The argument naming the device acted on, when the effect is on a device.</param>
/// <param name="Exported">False when the symbol is not exported to modules.</param>
internal sealed record ApiEntry(
    string Function,
    KernelEffect Effect,
    string Source,
    string? ArgumentMentions = null,
    int? TargetArgument = null,
    bool Exported = true);

/// <summary>A write to a struct field that has an effect: by field name or by a flag in the value.</summary>
internal sealed record FieldWriteEntry(KernelEffect Effect, string Source, string? Field = null, string? ValueMentions = null);

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
    IReadOnlyList<ExemptEntry> Exempt);
