using System.Runtime.CompilerServices;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>Attributes created by hand on the device being probed: they race udev's KOBJ_ADD.</summary>
/// <remarks>The corpus README labels this rule an error; the product spec makes it a warning (configurable).</remarks>
internal sealed class SysfsAfterDeviceAdd : Rule
{
    public const string Id = "sysfs-after-device-add";

    [ModuleInitializer]
    internal static void Register() => RuleCatalog.Register(3, () => new SysfsAfterDeviceAdd());

    public override RuleMetadata Metadata { get; } = new(
        Id,
        "sysfs attributes created by hand after device_add()",
        Severity.Warning,
        "device_create_file(), device_create_bin_file(), sysfs_create_file(s)(), sysfs_create_group(s)(), "
        + "sysfs_create_bin_file(), device_add_group(s)() or sysfs_add_file_to_group() on the device being probed "
        + "(&pdev->dev, &pdev->dev.kobj, or a pointer to it), from probe() or anything it calls.",
        "device_add() (drivers/base/core.c) creates the class, type, device and bus attribute groups and only then sends the "
        + "KOBJ_ADD uevent; udev reads the device's attributes when that event arrives. A driver's probe() runs later "
        + "(drivers/base/dd.c really_probe()), so attributes it creates by hand appear after userspace looked: rules keyed on "
        + "them never match, and they are not removed automatically on unbind. Documentation/driver-api/driver-model/"
        + "device.rst: \"device attributes must be created before the KOBJ_ADD uevent is generated. The only way to realize "
        + "that is by defining an attribute group\". Greg Kroah-Hartman, on such patches: \"By manually creating sysfs files, "
        + "you just raced with userspace and lost horribly\". The corpus labels this an error; PatchBot reports a warning "
        + "by default (set \"error\" in .patchbot.json to change it).",
        "Declare the attributes statically: ATTRIBUTE_GROUPS(foo) and .dev_groups = foo_groups in the pci_driver (or "
        + "device_driver), dev->groups before device_add()/device_register(), or misc_dev.groups for a misc device.",
        """
        static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
        {
                struct device *dev = &pdev->dev;

                return sysfs_create_group(&dev->kobj, &foo_attr_group);
        }
        """,
        """
        static struct attribute *foo_attrs[] = { &dev_attr_rate.attr, NULL };
        ATTRIBUTE_GROUPS(foo);

        static struct pci_driver foo_driver = {
                .name       = "foo",
                .probe      = foo_probe,
                .dev_groups = foo_groups,
        };
        """,
        [
            "drivers/base/core.c device_add(): device_add_attrs() before kobject_uevent(KOBJ_ADD)",
            "drivers/base/dd.c really_probe(): drv->probe(), then device_add_groups(dev, drv->dev_groups)",
            "Documentation/driver-api/driver-model/device.rst (attributes and KOBJ_ADD)",
            "linux-pci, 2021-03-23, Greg Kroah-Hartman, Re: [PATCH v6 1/5] misc: Add Synopsys DesignWare xData IP driver <YFnmVEB86JcAENcN@kroah.com>",
        ],
        NeedsFor(new("CreatesSysfsAttribute"), registrations: false));

    public override KernelEffect Effect => new("CreatesSysfsAttribute");

    public override Finding? Evaluate(SiteReplay replay, RuleContext context)
    {
        var site = replay.Site;
        if (site.Call is not { } call || site.Api?.TargetArgument is not { } index)
        {
            return null;
        }

        var args = call.Arguments;
        if (index >= args.Count)
        {
            return null;
        }

        var target = args[index];
        foreach (var path in replay.Paths.OrderBy(p => p.Calls.Count))
        {
            if (path.Entry.Role != RoleKind.DriverProbe || path.Failed.Count == 0)
            {
                continue;
            }

            if (!BoundDevice.Along(path, context.Walker, context.Graph).Names(target))
            {
                continue;
            }

            var entry = Narration.EntryLabel(path.Entry);
            var message = $"{call.Callee}({target}, ...) in {site.Function}() creates attributes on the probed device from {entry}, after KOBJ_ADD was sent";
            var explanation = Narration.Order(context.Model, path, replay.Consumer, path.Entry.Function)
                + " udev has already seen the device when the attributes appear.";
            var fix = "Declare the attributes in an attribute group and set .dev_groups in the driver "
                + "(or dev->groups before device_add(), or misc_dev.groups), and drop the "
                + call.Callee + "() call.";
            return NewFinding(site, message, explanation, fix, Narration.Trace(path, site), [.. path.Failed.Select(s => s.Id)]);
        }

        return null;
    }
}
