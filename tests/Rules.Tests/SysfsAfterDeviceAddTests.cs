using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Tests;

public sealed class SysfsAfterDeviceAddTests
{
    private const string Rule = "sysfs-after-device-add";
    private const string Xdata = "drivers/misc/dw-xdata-pcie.c";

    private static GraphBuilder Probe(string file = Xdata, string first = Kernel.PciProbe) => new GraphBuilder()
        .Function("foo_probe", file, 300, 380, parameters: [first, Kernel.PciId])
        .Register(RoleKind.DriverProbe, "foo_probe", file, 400, "pci_driver.probe");

    [Fact]
    public void Group_on_pdev_kobj_from_probe_is_a_warning()
    {
        var result = Probe()
            .Call("foo_probe", "sysfs_create_group", Xdata, 355, "&pdev->dev.kobj, &xdata_attr_group")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal((Rule, Severity.Warning, 355, "foo_probe"), (finding.Rule, finding.Severity, finding.Line, finding.Function));
        Assert.Equal(["foo_probe (pci_driver.probe)", "sysfs_create_group"], finding.Trace);
        Assert.True(finding.Explanation.IndexOf("KOBJ_ADD", StringComparison.Ordinal)
            < finding.Explanation.IndexOf("driver probe()", StringComparison.Ordinal), finding.Explanation);
        Assert.Contains(".dev_groups", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_through_a_dev_alias_are_each_flagged()
    {
        var result = Probe()
            .Assign("foo_probe", Xdata, 302, "struct device *dev", "&pdev->dev")
            .Call("foo_probe", "sysfs_create_file", Xdata, 338, "&dev->kobj, &sysfs_write_attr.attr")
            .Call("foo_probe", "sysfs_create_file", Xdata, 342, "&dev->kobj, &sysfs_read_attr.attr")
            .Call("foo_probe", "sysfs_create_file", Xdata, 346, "&dev->kobj, &sysfs_stop_attr.attr")
            .Call("foo_probe", "sysfs_create_link", Xdata, 350, "kernel_kobj, &dev->kobj, DW_XDATA_DRIVER_NAME")
            .Analyze();

        Assert.Equal([338, 342, 346], result.Findings.Select(f => f.Line));
    }

    [Fact]
    public void Device_add_groups_on_dev_is_flagged()
    {
        var result = Probe()
            .Assign("foo_probe", Xdata, 302, "dev", "&pdev->dev")
            .Call("foo_probe", "device_add_groups", Xdata, 351, "dev, xdata_groups")
            .Analyze();

        Assert.Equal(351, Assert.Single(result.Findings).Line);
    }

    [Fact]
    public void Kobject_pointer_alias_is_followed()
    {
        var result = Probe()
            .Assign("foo_probe", Xdata, 302, "struct device *dev", "&pdev->dev")
            .Assign("foo_probe", Xdata, 303, "struct kobject *kobj", "&dev->kobj")
            .Call("foo_probe", "sysfs_create_groups", Xdata, 351, "kobj, foo_groups")
            .Analyze();

        Assert.Single(result.Findings);
    }

    [Fact]
    public void Platform_probe_is_flagged()
    {
        const string qcom = "drivers/pci/controller/dwc/pcie-qcom.c";
        var result = new GraphBuilder()
            .Function("qcom_pcie_probe", qcom, 1800, 1950, parameters: "struct platform_device *pdev")
            .Register(RoleKind.DriverProbe, "qcom_pcie_probe", qcom, 2000, "platform_driver.probe", DiffLineKind.Context)
            .Call("qcom_pcie_probe", "sysfs_create_group", qcom, 1902, "&pdev->dev.kobj, &qcom_pcie_attribute_group")
            .Call("qcom_pcie_probe", "sysfs_notify", qcom, 1903, "kobj_ref, NULL, \"qcom_pcie_error_report\"")
            .Analyze();

        Assert.Equal(1902, Assert.Single(result.Findings).Line);
    }

    [Fact]
    public void Helper_receiving_the_device_is_flagged_with_the_trace()
    {
        var result = Probe()
            .Call("foo_probe", "foo_sysfs_init", Xdata, 320, "&pdev->dev")
            .Function("foo_sysfs_init", Xdata, 200, 220, parameters: "struct device *d")
            .Call("foo_sysfs_init", "device_create_file", Xdata, 210, "d, &dev_attr_rate")
            .Analyze();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(["foo_probe (pci_driver.probe)", "foo_sysfs_init", "device_create_file"], finding.Trace);
    }

    [Fact]
    public void Another_device_is_not_flagged()
    {
        var result = Probe()
            .Assign("foo_probe", Xdata, 302, "struct device *hwmon", "devm_hwmon_device_register_with_info(&pdev->dev, \"foo\", priv, &chip, NULL)")
            .Call("foo_probe", "sysfs_create_group", Xdata, 351, "&hwmon->kobj, &foo_group")
            .Call("foo_probe", "device_create_file", Xdata, 352, "&priv->child->dev, &dev_attr_rate")
            .Call("foo_probe", "sysfs_create_file", Xdata, 353, "kernel_kobj, &foo_attr.attr")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Link_notify_and_update_are_not_flagged()
    {
        var result = Probe()
            .Call("foo_probe", "sysfs_create_link", Xdata, 351, "kernel_kobj, &pdev->dev.kobj, \"foo\"")
            .Call("foo_probe", "sysfs_notify", Xdata, 352, "&pdev->dev.kobj, NULL, \"state\"")
            .Call("foo_probe", "sysfs_update_group", Xdata, 353, "&pdev->dev.kobj, &foo_group")
            .Call("foo_probe", "sysfs_merge_group", Xdata, 354, "&pdev->dev.kobj, &foo_group")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Removed_calls_are_not_flagged()
    {
        var result = Probe()
            .Call("foo_probe", "device_create_file", Xdata, 351, "&pdev->dev, &dev_attr_rate", DiffLineKind.Removed)
            .Register(RoleKind.AttributeGroups, "foo_groups", Xdata, 410, "pci_driver.dev_groups")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Outside_a_probe_path_is_not_flagged()
    {
        var result = new GraphBuilder()
            .Function("quirk_foo", Kernel.Quirks, 10, 20, parameters: Kernel.PciProbe)
            .Call("quirk_foo", "device_create_file", Kernel.Quirks, 15, "&pdev->dev, &dev_attr_rate")
            .Register(RoleKind.FixupFinal, "quirk_foo", Kernel.Quirks, 22, "DECLARE_PCI_FIXUP_FINAL")
            .Analyze();

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Device_driver_probe_with_a_struct_device_parameter_is_flagged()
    {
        var result = Probe(first: "struct device *dev")
            .Call("foo_probe", "device_create_file", Xdata, 351, "dev, &dev_attr_rate")
            .Analyze();

        Assert.Single(result.Findings);
    }
}
