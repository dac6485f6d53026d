using System.Collections.Frozen;
using PatchBot.PatchParser.Graph;

namespace PatchBot.PatchParser.C;

/// <summary>A file-scope macro that registers a function: which argument is the function and what role it gets.</summary>
/// <param name="FunctionArg">0-based index of the argument naming the function (or object); -1 for "every identifier argument after the first".</param>
internal sealed record RegistrationMacro(string Name, RoleKind Role, int FunctionArg, string? Detail = null);

/// <summary>A wrapper macro whose expansion is a DECLARE_PCI_FIXUP_*: <c>#define X(vid) DECLARE_PCI_FIXUP_...(..., hook)</c>.</summary>
/// <param name="FixupMacro">The DECLARE_PCI_FIXUP_* it expands to.</param>
/// <param name="HookParameter">Index of the wrapper's parameter passed as the hook, or -1 when the hook is <paramref name="HookName"/>.</param>
/// <param name="HookName">The hook named literally in the expansion, when <paramref name="HookParameter"/> is -1.</param>
/// <param name="DefinitionLine">File line of the DECLARE_PCI_FIXUP_* in the #define, when the #define was shown.</param>
internal sealed record FixupWrapper(
    string Name,
    string FixupMacro,
    int HookParameter,
    string? HookName,
    int? DefinitionLine = null,
    Diff.DiffLineKind? DefinitionLineKind = null);

/// <summary>
/// The registration idioms the C layer recognises, as data (kernel-model.md §6). One place: the lifecycle
/// model may later own it.
/// </summary>
internal static class KernelIdioms
{
    private static readonly (string Suffix, RoleKind Role)[] FixupPhases =
    [
        ("EARLY", RoleKind.FixupEarly),
        ("HEADER", RoleKind.FixupHeader),
        ("FINAL", RoleKind.FixupFinal),
        ("ENABLE", RoleKind.FixupEnable),
        ("RESUME", RoleKind.FixupResume),
        ("RESUME_EARLY", RoleKind.FixupResumeEarly),
        ("SUSPEND", RoleKind.FixupSuspend),
        ("SUSPEND_LATE", RoleKind.FixupSuspendLate),
    ];

    /// <summary>DECLARE_PCI_FIXUP_SECTION: include/linux/pci.h; the section argument gives the phase.</summary>
    public const string FixupSectionMacro = "DECLARE_PCI_FIXUP_SECTION";

    /// <summary>Wrappers known from mainline (drivers/pci/quirks.c), used when the #define is not in the patch.</summary>
    public static readonly FrozenDictionary<string, FixupWrapper> MainlineFixupWrappers = new FixupWrapper[]
    {
        // quirks.c:5951 (7.0): DECLARE_PCI_FIXUP_CLASS_FINAL(PCI_VENDOR_ID_MICROSEMI, vid, PCI_CLASS_BRIDGE_OTHER, 8, quirk_switchtec_ntb_dma_alias)
        new("SWITCHTEC_QUIRK", "DECLARE_PCI_FIXUP_CLASS_FINAL", -1, "quirk_switchtec_ntb_dma_alias"),
        // quirks.c:6049 (7.0): DECLARE_PCI_FIXUP_CLASS_FINAL(PCI_VENDOR_ID_EFAR, vid, PCI_CLASS_BRIDGE_OTHER, 8, quirk_switchtec_ntb_dma_alias)
        new("SWITCHTEC_PCI100X_QUIRK", "DECLARE_PCI_FIXUP_CLASS_FINAL", -1, "quirk_switchtec_ntb_dma_alias"),
    }.ToFrozenDictionary(w => w.Name, StringComparer.Ordinal);

    /// <summary>Every file-scope registration macro except the fixup wrappers.</summary>
    public static readonly FrozenDictionary<string, RegistrationMacro> FileScopeMacros = BuildFileScopeMacros();

    /// <summary>The role a DECLARE_PCI_FIXUP_* macro gives, and the index of its hook argument.</summary>
    public static bool TryGetFixup(string macro, out RoleKind role, out int hookArg)
    {
        if (FileScopeMacros.TryGetValue(macro, out RegistrationMacro? m) && macro.StartsWith("DECLARE_PCI_FIXUP_", StringComparison.Ordinal))
        {
            role = m.Role;
            hookArg = m.FunctionArg;
            return true;
        }

        role = default;
        hookArg = -1;
        return false;
    }

    /// <summary>The phase a fixup section name (".pci_fixup_final") stands for.</summary>
    public static RoleKind? FixupRoleFromSection(string section)
    {
        const string prefix = "pci_fixup_";
        int i = section.IndexOf(prefix, StringComparison.Ordinal);
        if (i < 0)
        {
            return null;
        }

        string phase = section[(i + prefix.Length)..].ToUpperInvariant();
        foreach ((string suffix, RoleKind role) in FixupPhases)
        {
            if (phase == suffix)
            {
                return role;
            }
        }

        return null;
    }

    /// <summary>PM macros used inside a struct dev_pm_ops initialiser: every function argument is a PM callback.</summary>
    public static readonly FrozenSet<string> PmOpsInitializerMacros = FrozenSet.Create(StringComparer.Ordinal,
    [
        "SET_SYSTEM_SLEEP_PM_OPS", "SYSTEM_SLEEP_PM_OPS", "SET_LATE_SYSTEM_SLEEP_PM_OPS", "LATE_SYSTEM_SLEEP_PM_OPS",
        "SET_NOIRQ_SYSTEM_SLEEP_PM_OPS", "NOIRQ_SYSTEM_SLEEP_PM_OPS", "SET_RUNTIME_PM_OPS", "RUNTIME_PM_OPS",
    ]);

    /// <summary>Wrappers around a function pointer in an initialiser value: <c>.pm = pm_ptr(&amp;x)</c>.</summary>
    public static readonly FrozenSet<string> PointerWrappers = FrozenSet.Create(StringComparer.Ordinal,
    [
        "pm_ptr", "pm_sleep_ptr", "of_match_ptr", "ACPI_PTR", "RUNTIME_PM_OPS_PTR", "IF_ENABLED",
    ]);

    /// <summary>The role a designated initialiser <c>.field = f</c> of <c>struct structType</c> gives f, or null.</summary>
    public static RoleKind? FieldRole(string structType, string field)
    {
        switch (structType)
        {
            case "pci_error_handlers":
                return RoleKind.ErrorHandler;
            case "dev_pm_ops":
                return RoleKind.PmCallback;
            case "class_interface":
                return field == "add_dev" ? RoleKind.ClassInterfaceAddDev : null;
            case "subsys_interface":
                return field == "add_dev" ? RoleKind.SubsysInterfaceAddDev : null;
            case "iommu_ops":
                return field == "probe_device" ? RoleKind.IommuProbeDevice : null;
            case "notifier_block":
                return field == "notifier_call" ? RoleKind.Notifier : null;
        }

        if (!structType.EndsWith("_driver", StringComparison.Ordinal))
        {
            return null;
        }

        return field switch
        {
            "probe" => RoleKind.DriverProbe,
            "remove" or "remove_new" => RoleKind.DriverRemove,
            "shutdown" => RoleKind.DriverShutdown,
            "sriov_configure" => RoleKind.SriovConfigure,
            "suspend" or "resume" or "suspend_late" or "resume_early" => RoleKind.PmCallback,
            "groups" or "dev_groups" => RoleKind.AttributeGroups,
            _ => null,
        };
    }

    /// <summary>The struct type of a nested initialiser (<c>.driver = { ... }</c> of a *_driver is a device_driver).</summary>
    public static string NestedStructType(string structType, string field) =>
        field == "driver" && structType.EndsWith("_driver", StringComparison.Ordinal) ? "device_driver" : string.Empty;

    private static FrozenDictionary<string, RegistrationMacro> BuildFileScopeMacros()
    {
        var list = new List<RegistrationMacro>();
        foreach ((string suffix, RoleKind role) in FixupPhases)
        {
            list.Add(new("DECLARE_PCI_FIXUP_" + suffix, role, 2));
            list.Add(new("DECLARE_PCI_FIXUP_CLASS_" + suffix, role, 4));
        }

        string[] levels =
        [
            "early", "pure", "core", "core_sync", "postcore", "postcore_sync", "arch", "arch_sync", "subsys",
            "subsys_sync", "fs", "fs_sync", "rootfs", "device", "device_sync", "late", "late_sync",
        ];
        foreach (string level in levels)
        {
            int sync = level.IndexOf("_sync", StringComparison.Ordinal);
            string name = sync < 0 ? level + "_initcall" : level[..sync] + "_initcall_sync";
            list.Add(new(name, RoleKind.Initcall, 0, level));
        }

        list.Add(new("__initcall", RoleKind.Initcall, 0, "device"));
        list.Add(new("module_init", RoleKind.ModuleInit, 0));
        list.Add(new("module_exit", RoleKind.ModuleExit, 0));

        foreach (string export in new[] { "EXPORT_SYMBOL", "EXPORT_SYMBOL_GPL", "EXPORT_SYMBOL_NS", "EXPORT_SYMBOL_NS_GPL", "EXPORT_SYMBOL_FOR_MODULES", "EXPORT_SYMBOL_GPL_FOR_MODULES" })
        {
            list.Add(new(export, RoleKind.Export, 0));
        }

        // Driver registration helpers: the function argument is the driver struct (its .probe is registered by the struct).
        foreach (string bus in new[] { "pci", "platform", "i2c", "spi", "usb", "pcie_port", "auxiliary", "amba", "mdio", "serdev", "hid", "virtio", "acpi", "mei_cl", "ntb" })
        {
            list.Add(new($"module_{bus}_driver", RoleKind.ModuleInit, 0, bus + "_driver"));
            list.Add(new($"builtin_{bus}_driver", RoleKind.Initcall, 0, "device"));
        }

        list.Add(new("module_driver", RoleKind.ModuleInit, 0, "driver"));
        list.Add(new("builtin_driver", RoleKind.Initcall, 0, "device"));
        // module_platform_driver_probe(drv, probe): the probe function is the second argument.
        list.Add(new("module_platform_driver_probe", RoleKind.DriverProbe, 1, "platform_driver"));
        list.Add(new("builtin_platform_driver_probe", RoleKind.DriverProbe, 1, "platform_driver"));

        // dev_pm_ops definitions: every function argument after the name is a PM callback.
        foreach (string pm in new[] { "SIMPLE_DEV_PM_OPS", "DEFINE_SIMPLE_DEV_PM_OPS", "DEFINE_RUNTIME_DEV_PM_OPS", "UNIVERSAL_DEV_PM_OPS", "EXPORT_SIMPLE_DEV_PM_OPS", "EXPORT_GPL_SIMPLE_DEV_PM_OPS", "EXPORT_RUNTIME_DEV_PM_OPS", "EXPORT_GPL_RUNTIME_DEV_PM_OPS", "EXPORT_NS_SIMPLE_DEV_PM_OPS", "EXPORT_NS_GPL_SIMPLE_DEV_PM_OPS", "_DEFINE_DEV_PM_OPS" })
        {
            list.Add(new(pm, RoleKind.PmCallback, -1));
        }

        return list.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
    }

    /// <summary>Control keywords that can precede '(' without being a call.</summary>
    public static readonly FrozenSet<string> StatementKeywords = FrozenSet.Create(StringComparer.Ordinal,
    [
        "if", "else", "for", "while", "do", "switch", "return", "goto", "break", "continue", "case", "default",
    ]);

    /// <summary>Words that start a declaration: a statement starting with one of them and holding '=' declares.</summary>
    public static readonly FrozenSet<string> DeclarationStarters = FrozenSet.Create(StringComparer.Ordinal,
    [
        "struct", "union", "enum", "const", "volatile", "static", "unsigned", "signed", "int", "char", "short",
        "long", "float", "double", "void", "_Bool", "bool", "register", "auto", "typeof", "__typeof__", "__auto_type",
        "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "size_t", "ssize_t", "resource_size_t", "dma_addr_t",
        "phys_addr_t", "__le16", "__le32", "__le64", "__be16", "__be32", "__be64", "uint8_t", "uint16_t", "uint32_t",
        "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t", "unsigned long", "pci_ers_result_t", "irqreturn_t",
    ]);
}
