using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Graph;

/// <summary>
/// How the kernel reaches a function: the kind of hook a registration makes of it.
/// The lifecycle model (src/Rules) places each role on its timeline.
/// </summary>
public enum RoleKind
{
    /// <summary>DECLARE_PCI_FIXUP_EARLY / _CLASS_EARLY: pci_setup_device().</summary>
    FixupEarly,
    /// <summary>DECLARE_PCI_FIXUP_HEADER / _CLASS_HEADER: pci_device_add(), before device_add().</summary>
    FixupHeader,
    /// <summary>DECLARE_PCI_FIXUP_FINAL / _CLASS_FINAL: pci_bus_add_device() or pci_apply_final_quirks().</summary>
    FixupFinal,
    /// <summary>DECLARE_PCI_FIXUP_ENABLE / _CLASS_ENABLE: do_pci_enable_device().</summary>
    FixupEnable,
    FixupResume,
    FixupResumeEarly,
    FixupSuspend,
    FixupSuspendLate,

    /// <summary>.probe of a struct pci_driver, platform_driver or other *_driver.</summary>
    DriverProbe,
    DriverRemove,
    DriverShutdown,
    /// <summary>struct pci_driver .sriov_configure.</summary>
    SriovConfigure,
    /// <summary>A callback of struct pci_error_handlers.</summary>
    ErrorHandler,
    /// <summary>A dev_pm_ops callback or legacy .suspend/.resume.</summary>
    PmCallback,
    /// <summary>struct class_interface .add_dev.</summary>
    ClassInterfaceAddDev,
    /// <summary>struct subsys_interface .add_dev.</summary>
    SubsysInterfaceAddDev,

    /// <summary>*_initcall(fn); <see cref="Registration.Detail"/> holds the level ("subsys", "late", ...).</summary>
    Initcall,
    /// <summary>module_init(fn).</summary>
    ModuleInit,
    ModuleExit,

    /// <summary>notifier_block .notifier_call; <see cref="Registration.Detail"/> holds the priority ("0" when not set).</summary>
    Notifier,

    /// <summary>struct iommu_ops .probe_device: runs before the IOMMU group is formed.</summary>
    IommuProbeDevice,

    /// <summary>EXPORT_SYMBOL and friends: the function can be called from modules.</summary>
    Export,

    /// <summary>.dev_groups / .groups: static attribute groups (not a function role; Function is the group name).</summary>
    AttributeGroups,
}

/// <summary>A registration at file scope that gives <see cref="Function"/> a role.</summary>
/// <param name="Function">The function (or object, for <see cref="RoleKind.AttributeGroups"/>) given the role.</param>
/// <param name="File">Path in the tree.</param>
/// <param name="Line">Post-image line of the registering line (pre-image line when it is removed); 0 when inferred.</param>
/// <param name="LineKind">Whether the registering line is added, removed or context in the patch.</param>
/// <param name="Idiom">What registers it, in kernel words: "DECLARE_PCI_FIXUP_CLASS_FINAL", "pci_driver.probe", "late_initcall".</param>
/// <param name="Inferred">The role comes from the function's signature, not from a registration that was seen.</param>
/// <param name="Detail">Initcall level, notifier priority, driver struct type, as the role needs.</param>
/// <param name="ViaMacro">The wrapper macro used at <see cref="Line"/> (e.g. "SWITCHTEC_QUIRK"), when there is one.</param>
/// <param name="DefinitionLine">When registered through a wrapper #define shown in the patch: the line in that #define carrying the DECLARE_PCI_FIXUP_*.</param>
/// <param name="DefinitionLineKind">Added/context/removed for <see cref="DefinitionLine"/>.</param>
/// <param name="Origin">The <see cref="GraphInput.Origin"/> of the patch it was read from.</param>
/// <param name="RegisteredOn">For a notifier: the bus type whose chain it joins ("pci_bus_type"), when a
/// bus_register_notifier(&amp;bus, &amp;nb) call naming its notifier_block was seen.</param>
public sealed record Registration(
    RoleKind Role,
    string Function,
    string File,
    int Line,
    DiffLineKind LineKind,
    string Idiom,
    bool Inferred = false,
    string? Detail = null,
    string? ViaMacro = null,
    int? DefinitionLine = null,
    DiffLineKind? DefinitionLineKind = null,
    string Origin = "",
    string? RegisteredOn = null);

/// <summary>A function defined or touched by a patch (or read from a tree).</summary>
/// <param name="StartLine">Post-image line where its definition starts, as far as it is visible.</param>
/// <param name="EndLine">Post-image line of its closing brace, as far as it is visible.</param>
/// <param name="Complete">The whole function, header to closing brace, is visible.</param>
/// <param name="NamedFromHunkContext">The name came from the @@ function context, the header being outside the hunk.</param>
/// <param name="Parameters">Parameter declarations as written ("struct pci_dev *pdev"); empty when the header is not visible.</param>
/// <param name="ReturnType">Return type as written; empty when not visible.</param>
/// <param name="DefinitionLineKind">Whether the line with the function's name is added, removed or context; null when not visible.</param>
public sealed record FunctionNode(
    string Name,
    string File,
    bool IsStatic,
    int StartLine,
    int EndLine,
    bool Complete,
    bool NamedFromHunkContext,
    IReadOnlyList<string> Parameters,
    string ReturnType,
    DiffLineKind? DefinitionLineKind,
    string Origin = "")
{
    /// <summary>The name each of <see cref="Parameters"/> declares, in the same order; empty for an unnamed one.</summary>
    public IReadOnlyList<string> ParameterNames { get; init; } = [];
}

/// <summary>A call in a function body.</summary>
/// <param name="Line">Post-image line of the call; pre-image line when <see cref="LineKind"/> is Removed.</param>
/// <param name="Arguments">Each argument as written, whitespace collapsed; one longer than a few hundred
/// characters is cut and ends in " ...". Empty for a call without arguments.</param>
public sealed record CallSite(
    string Caller,
    string Callee,
    string File,
    int Line,
    IReadOnlyList<string> Arguments,
    DiffLineKind LineKind,
    string Origin = "")
{
    /// <summary>
    /// For a call through a member of a driver's own ops table (<c>efx->type->probe(efx)</c> reaching the function
    /// stored as <c>.probe</c>): the file whose initialiser stores <see cref="Callee"/>, where the call resolves.
    /// </summary>
    public string? CalleeFile { get; init; }

    /// <summary>For a call through an ops table: "efx_nic_type.probe", the struct type and member it goes through.</summary>
    public string? Through { get; init; }
}

/// <summary>
/// A function stored in a member of a struct that is no kernel registration (<c>.probe = ef100_probe_main</c> in a
/// <c>struct efx_nic_type</c>): a driver's own ops table, called through a pointer by the driver itself.
/// </summary>
/// <param name="StructType">The struct's name, empty when the initialiser does not say ("struct" missing: a typedef).</param>
/// <param name="Line">Post-image line of the designator.</param>
public sealed record OpsSlot(string StructType, string Member, string Function, string File, int Line, DiffLineKind LineKind, string Origin = "");

/// <summary>
/// An assignment in a function body: "lhs = rhs", "lhs |= rhs", or a declaration with an initialiser
/// ("struct device *dev = &amp;pdev->dev"). Lets rules follow simple aliases and see field writes.
/// </summary>
/// <param name="Target">The left-hand side as written, whitespace collapsed ("pdev->dma_alias_devfn", "dev").</param>
/// <param name="Operator">"=", "|=", ...</param>
/// <param name="Value">The right-hand side, whitespace collapsed.</param>
public sealed record Assignment(
    string Function,
    string File,
    int Line,
    string Target,
    string Operator,
    string Value,
    DiffLineKind LineKind,
    string Origin = "");

/// <summary>
/// A member access through a pointer in a function body: <c>dev-&gt;msix_cap</c>, <c>pdev-&gt;vpd.cap</c>. Lets rules see
/// which device's state a function reads or writes.
/// </summary>
/// <param name="Base">The variable the access starts from ("dev"); only plain variables are recorded.</param>
/// <param name="Member">The member path after "->", nested members joined with '.' ("msix_cap", "vpd.cap").</param>
/// <param name="Write">The access is the left-hand side of an assignment ("=", "|=", ...).</param>
public sealed record FieldAccess(
    string Function,
    string File,
    int Line,
    string Base,
    string Member,
    bool Write,
    DiffLineKind LineKind,
    string Origin = "");

/// <summary>Something a reader of the output must know was not analysed, and why.</summary>
public sealed record CoverageGap(string File, string Reason, int? Line = null, string Origin = "");

/// <summary>One patch (or message) worth of file diffs, fed to the graph builder.</summary>
/// <param name="Origin">Where it came from: a Message-ID or a file name; copied to everything read from it.</param>
public sealed record GraphInput(string Origin, IReadOnlyList<FilePatch> Files);

/// <summary>A path from an entry point to a function: the registration, then the calls in order.</summary>
/// <param name="Entry">The registration that makes the first function an entry point.</param>
/// <param name="Calls">The call sites from the entry function down to the target (empty when the target is the entry).</param>
public sealed record CallPath(Registration Entry, IReadOnlyList<CallSite> Calls);
