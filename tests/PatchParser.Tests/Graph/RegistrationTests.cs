using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using static PatchBot.PatchParser.Tests.Graph.TestPatches;

namespace PatchBot.PatchParser.Tests.Graph;

public class RegistrationTests
{
    private static Registration Single(CallGraph g, string function, RoleKind role) =>
        Assert.Single(g.Registrations, r => r.Function == function && r.Role == role);

    [Fact]
    public void Switchtec_quirk_known_from_mainline_is_a_final_fixup()
    {
        CallGraph g = BuildGraph("drivers/pci/quirks.c", """
             SWITCHTEC_QUIRK(0x8575);  /* PFXI 80XG3 */
             SWITCHTEC_QUIRK(0x8576);  /* PFXI 96XG3 */
            +SWITCHTEC_QUIRK(0x4000);  /* PFX 100XG4 */
            """, 5370, "static void quirk_switchtec_ntb_dma_alias(struct pci_dev *pdev)");
        Assert.Equal(3, g.Registrations.Count);
        Registration added = Assert.Single(g.Registrations, r => r.LineKind == DiffLineKind.Added);
        Assert.Equal(RoleKind.FixupFinal, added.Role);
        Assert.Equal("quirk_switchtec_ntb_dma_alias", added.Function);
        Assert.Equal("DECLARE_PCI_FIXUP_CLASS_FINAL", added.Idiom);
        Assert.Equal("SWITCHTEC_QUIRK", added.ViaMacro);
        Assert.Equal(5372, added.Line);
        Assert.Null(added.DefinitionLine);
        Assert.Empty(g.Calls); // the wrapper invocations are not calls of the section's function
    }

    [Fact]
    public void Wrapper_define_shown_in_patch_is_expanded_one_level()
    {
        CallGraph g = BuildGraph("drivers/pci/quirks.c", """
            -DECLARE_PCI_FIXUP_FINAL(PCI_VENDOR_ID_MICROSEMI, 0x8576,
            -			quirk_switchtec_ntb_dma_alias);
            +#define SWITCHTEC_QUIRK(vid) \
            +	DECLARE_PCI_FIXUP_FINAL(PCI_VENDOR_ID_MICROSEMI, vid, \
            +				quirk_switchtec_ntb_dma_alias)
            +
            +SWITCHTEC_QUIRK(0x8531);  /* PFX 24xG3 */
            """, 5082);
        Assert.Equal(2, g.Registrations.Count);
        Assert.All(g.Registrations, r => Assert.Equal(("quirk_switchtec_ntb_dma_alias", RoleKind.FixupFinal), (r.Function, r.Role)));
        Registration viaMacro = Assert.Single(g.Registrations, r => r.ViaMacro == "SWITCHTEC_QUIRK");
        Assert.Equal("DECLARE_PCI_FIXUP_FINAL", viaMacro.Idiom);
        Assert.Equal(RoleKind.FixupFinal, viaMacro.Role);
        Assert.Equal(5086, viaMacro.Line);
        Assert.Equal(5083, viaMacro.DefinitionLine);
        Assert.Equal(DiffLineKind.Added, viaMacro.DefinitionLineKind);
        Registration old = Assert.Single(g.Registrations, r => r.LineKind == DiffLineKind.Removed);
        Assert.Equal(5082, old.Line);
        Assert.Null(old.ViaMacro);
    }

    [Fact]
    public void Wrapper_with_hook_parameter_takes_the_argument()
    {
        CallGraph g = BuildGraph("drivers/pci/quirks.c", """
            +#define MY_QUIRK(dev, hook) DECLARE_PCI_FIXUP_HEADER(0x1234, dev, hook)
            +MY_QUIRK(0x1, quirk_a);
            +MY_QUIRK(0x2,
            +	 quirk_b);
            """);
        Assert.Equal(RoleKind.FixupHeader, Single(g, "quirk_a", RoleKind.FixupHeader).Role);
        Assert.Equal(3, Single(g, "quirk_b", RoleKind.FixupHeader).Line);
    }

    [Theory]
    [InlineData("DECLARE_PCI_FIXUP_EARLY(0x1, 0x2, hook);", RoleKind.FixupEarly)]
    [InlineData("DECLARE_PCI_FIXUP_HEADER(0x1, 0x2, hook);", RoleKind.FixupHeader)]
    [InlineData("DECLARE_PCI_FIXUP_FINAL(0x1, 0x2, hook);", RoleKind.FixupFinal)]
    [InlineData("DECLARE_PCI_FIXUP_ENABLE(0x1, 0x2, hook);", RoleKind.FixupEnable)]
    [InlineData("DECLARE_PCI_FIXUP_RESUME(0x1, 0x2, hook);", RoleKind.FixupResume)]
    [InlineData("DECLARE_PCI_FIXUP_RESUME_EARLY(0x1, 0x2, hook);", RoleKind.FixupResumeEarly)]
    [InlineData("DECLARE_PCI_FIXUP_SUSPEND(0x1, 0x2, hook);", RoleKind.FixupSuspend)]
    [InlineData("DECLARE_PCI_FIXUP_SUSPEND_LATE(0x1, 0x2, hook);", RoleKind.FixupSuspendLate)]
    [InlineData("DECLARE_PCI_FIXUP_CLASS_FINAL(PCI_VENDOR_ID_X, PCI_ANY_ID,\n\t\t\t      PCI_CLASS_BRIDGE_OTHER, 8, hook);", RoleKind.FixupFinal)]
    [InlineData("DECLARE_PCI_FIXUP_CLASS_ENABLE(PCI_ANY_ID, PCI_ANY_ID, PCI_CLASS_SERIAL_USB, 8, hook);", RoleKind.FixupEnable)]
    [InlineData("DECLARE_PCI_FIXUP_SECTION(.pci_fixup_header, hook, 0x1, 0x2, PCI_ANY_ID, 0, hook);", RoleKind.FixupHeader)]
    [InlineData("late_initcall(hook);", RoleKind.Initcall)]
    [InlineData("module_init(hook);", RoleKind.ModuleInit)]
    [InlineData("module_exit(hook);", RoleKind.ModuleExit)]
    [InlineData("EXPORT_SYMBOL_GPL(hook);", RoleKind.Export)]
    [InlineData("EXPORT_SYMBOL_NS_GPL(hook, \"PCI\");", RoleKind.Export)]
    public void File_scope_macros(string line, RoleKind role)
    {
        string body = string.Join("\n", line.Split('\n').Select(l => "+" + l));
        CallGraph g = BuildGraph("drivers/pci/quirks.c", " static void other(void) {}\n" + body, 100);
        Registration r = Single(g, "hook", role);
        Assert.Equal(101, r.Line);
        Assert.Equal(DiffLineKind.Added, r.LineKind);
        Assert.False(r.Inferred);
    }

    [Theory]
    [InlineData("subsys_initcall_sync", "subsys_sync")]
    [InlineData("fs_initcall", "fs")]
    [InlineData("early_initcall", "early")]
    [InlineData("__initcall", "device")]
    public void Initcall_levels(string macro, string level)
    {
        CallGraph g = BuildGraph("drivers/x.c", $"+{macro}(f);");
        Assert.Equal(level, Single(g, "f", RoleKind.Initcall).Detail);
    }

    [Fact]
    public void Pci_driver_struct_with_nested_driver_and_error_handlers()
    {
        CallGraph g = BuildGraph("drivers/misc/x.c", """
            +static const struct pci_error_handlers x_err = {
            +	.error_detected = x_error_detected,
            +	.slot_reset	= x_slot_reset,
            +};
            +
            +static struct pci_driver x_driver = {
            +	.name		= "x",
            +	.id_table	= x_ids,
            +	.probe		= x_probe,
            +	.remove		= x_remove,
            +	.shutdown,
            +	.sriov_configure = x_sriov,
            +	.err_handler	= &x_err,
            +	.dev_groups	= x_groups,
            +	.driver = {
            +		.pm = &x_pm,
            +		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
            +	},
            +};
            +module_pci_driver(x_driver);
            """);
        Registration probe = Single(g, "x_probe", RoleKind.DriverProbe);
        Assert.Equal(9, probe.Line);
        Assert.Equal("pci_driver.probe", probe.Idiom);
        Assert.Equal("pci_driver", probe.Detail);
        Single(g, "x_remove", RoleKind.DriverRemove);
        Single(g, "x_sriov", RoleKind.SriovConfigure);
        Single(g, "x_groups", RoleKind.AttributeGroups);
        Single(g, "x_error_detected", RoleKind.ErrorHandler);
        Assert.Equal(3, Single(g, "x_slot_reset", RoleKind.ErrorHandler).Line);
        Assert.Equal("module_pci_driver", Single(g, "x_driver", RoleKind.ModuleInit).Idiom);
        Assert.DoesNotContain(g.Registrations, r => r.Function is "x_pm" or "x_err" or "x_ids");
    }

    [Fact]
    public void Platform_driver_and_pm_ops_macros()
    {
        CallGraph g = BuildGraph("drivers/pci/controller/p.c", """
            +static SIMPLE_DEV_PM_OPS(p_pm, p_suspend, p_resume);
            +static DEFINE_RUNTIME_DEV_PM_OPS(p_rpm, p_rsuspend, p_rresume, NULL);
            +static const struct dev_pm_ops q_pm = {
            +	SET_SYSTEM_SLEEP_PM_OPS(q_suspend, q_resume)
            +	RUNTIME_PM_OPS(q_rsuspend, q_rresume, NULL)
            +	.freeze = pm_sleep_ptr(q_freeze),
            +};
            +static struct platform_driver p_driver = {
            +	.probe = p_probe,
            +	.driver = {
            +		.name = "p",
            +		.pm = pm_ptr(&p_pm),
            +	},
            +};
            +builtin_platform_driver(p_driver);
            """);
        foreach (string f in new[] { "p_suspend", "p_resume", "p_rsuspend", "p_rresume", "q_suspend", "q_resume", "q_rsuspend", "q_rresume", "q_freeze" })
        {
            Single(g, f, RoleKind.PmCallback);
        }

        Assert.Equal("platform_driver", Single(g, "p_probe", RoleKind.DriverProbe).Detail);
        Assert.Equal("device", Single(g, "p_driver", RoleKind.Initcall).Detail);
        Assert.DoesNotContain(g.Registrations, r => r.Function == "NULL" || r.Function == "p_pm");
    }

    [Fact]
    public void Notifier_with_priority_and_bus()
    {
        CallGraph g = BuildGraph("drivers/iommu/x.c", """
            +static struct notifier_block x_nb = {
            +	.notifier_call = x_notify,
            +	.priority = 1,
            +};
            +static struct notifier_block y_nb = {
            +	.notifier_call = y_notify,
            +};
            +static int __init x_init(void)
            +{
            +	return bus_register_notifier(&pci_bus_type, &x_nb);
            +}
            """);
        Registration x = Single(g, "x_notify", RoleKind.Notifier);
        Assert.Equal("1", x.Detail);
        Assert.Equal(2, x.Line);
        Assert.Equal("pci_bus_type", x.RegisteredOn);
        Registration y = Single(g, "y_notify", RoleKind.Notifier);
        Assert.Equal("0", y.Detail);
        Assert.Null(y.RegisteredOn);
    }

    [Fact]
    public void Interfaces_and_iommu_ops()
    {
        CallGraph g = BuildGraph("drivers/iommu/x.c", """
            +static const struct iommu_ops x_ops = {
            +	.probe_device	= x_probe_device,
            +	.device_group	= pci_device_group,
            +};
            +static struct class_interface ci = { .add_dev = ci_add, .remove_dev = ci_remove };
            +static struct subsys_interface si = { .name = "s", .add_dev = si_add };
            """);
        Single(g, "x_probe_device", RoleKind.IommuProbeDevice);
        Single(g, "ci_add", RoleKind.ClassInterfaceAddDev);
        Single(g, "si_add", RoleKind.SubsysInterfaceAddDev);
        Assert.Equal(3, g.Registrations.Count);
    }

    [Fact]
    public void Probe_is_inferred_from_the_signature_when_not_registered()
    {
        CallGraph g = BuildGraph("drivers/ata/ahci.c", """
             	if (pdev->vendor == PCI_VENDOR_ID_MARVELL && !marvell_enable)
             		return -ENODEV;
             
            +	ahci_add_aliases(pdev);
            +
             	/* Acer SA5-271 workaround */
            """, 1917, "static int ahci_init_one(struct pci_dev *pdev, const struct pci_device_id *ent)");
        Registration r = Single(g, "ahci_init_one", RoleKind.DriverProbe);
        Assert.True(r.Inferred);
        Assert.Equal(0, r.Line);
        FunctionNode f = Assert.Single(g.Functions);
        Assert.True(f.NamedFromHunkContext);
        Assert.Equal(["struct pci_dev *pdev", "const struct pci_device_id *ent"], f.Parameters);
        CallSite call = Assert.Single(g.Calls);
        Assert.Equal(("ahci_init_one", "ahci_add_aliases", 1920, DiffLineKind.Added), (call.Caller, call.Callee, call.Line, call.LineKind));
        Assert.Equal(["pdev"], call.Arguments);
    }

    [Fact]
    public void A_seen_registration_wins_over_the_signature()
    {
        CallGraph g = BuildGraph("drivers/pci/quirks.c", """
            +static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
            +{
            +	return 0;
            +}
            +DECLARE_PCI_FIXUP_HEADER(0x1, 0x2, foo_probe);
            """);
        Registration r = Assert.Single(g.Registrations);
        Assert.Equal(RoleKind.FixupHeader, r.Role);
    }

    [Fact]
    public void Ambiguous_signatures_are_not_inferred()
    {
        CallGraph g = BuildGraph("drivers/pci/quirks.c", """
            +static void quirk_x(struct pci_dev *pdev)
            +{
            +	pci_add_dma_alias(pdev, 0, 1);
            +}
            +static int plat_setup(struct platform_device *pdev)
            +{
            +	return 0;
            +}
            +static int plat_probe(struct platform_device *pdev)
            +{
            +	return plat_setup(pdev);
            +}
            """);
        Registration r = Assert.Single(g.Registrations);
        Assert.Equal(3, g.Functions.Count);
        Assert.Equal(("plat_probe", RoleKind.DriverProbe, true), (r.Function, r.Role, r.Inferred));
    }

    [Fact]
    public void A_platform_callback_nothing_calls_is_inferred_as_a_platform_probe()
    {
        CallGraph g = BuildGraph("drivers/pci/controller/x.c", """
             	if (ret)
             		goto err;
            +	sysfs_create_group(&pdev->dev.kobj, &x_group);
             	return 0;
            """, 1900, "static int x_pcie_probe(struct platform_device *pdev)");
        Registration r = Single(g, "x_pcie_probe", RoleKind.DriverProbe);
        Assert.True(r.Inferred);
        Assert.Equal("platform_driver.probe", r.Idiom);
        Assert.Single(g.PathsTo("x_pcie_probe", "drivers/pci/controller/x.c"));
    }
}
