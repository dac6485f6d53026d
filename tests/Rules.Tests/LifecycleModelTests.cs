using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.Rules.Tests;

public sealed class LifecycleModelTests
{
    private static readonly LifecycleModel Model = LifecycleModel.Default;

    [Fact]
    public void Embedded_model_loads_and_validates()
    {
        Assert.Empty(LifecycleModel.Validate(Model.Document));
        Assert.Equal(["hot-add", "boot"], Model.Scenarios.Select(s => s.Id));
    }

    [Fact]
    public void Every_entry_cites_a_kernel_file_and_function()
    {
        var sources = Model.Document.Events.Select(e => e.Source)
            .Concat(Model.Document.Scenarios.Select(s => s.Source))
            .Concat(Model.Document.Effects.Select(e => e.Source))
            .Concat(Model.Document.Apis.Select(a => a.Source))
            .Concat(Model.Document.FieldWrites.Select(f => f.Source))
            .Concat(Model.Document.Roles.Select(r => r.Source))
            .Concat(Model.Document.MainlineFunctions.Select(f => f.Source))
            .Concat(Model.Document.Exempt.Select(x => x.Source))
            .ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, s =>
        {
            Assert.Matches(@"^(drivers|include|kernel|arch|fs|init|Documentation)/[\w./-]+ \w+\(\)", s);
        });
    }

    [Fact]
    public void Missing_source_is_reported()
    {
        var broken = Model.Document with { Apis = [.. Model.Document.Apis, new ApiEntry("foo", KernelEffect.AddsDmaAlias, "")] };
        Assert.Contains(LifecycleModel.Validate(broken), p => p.Contains("api foo", StringComparison.Ordinal));
    }

    [Fact]
    public void Hot_add_builds_the_group_before_final_fixups_and_boot_after()
    {
        var hotAdd = Model.Scenarios.Single(s => s.Id == "hot-add");
        var boot = Model.Scenarios.Single(s => s.Id == "boot");
        Assert.True(Model.Position(hotAdd, DeviceEvent.IommuGroup) < Model.Position(hotAdd, DeviceEvent.FixupFinal));
        Assert.True(Model.Position(boot, DeviceEvent.FixupFinal) < Model.Position(boot, DeviceEvent.IommuGroup));
        foreach (var s in Model.Scenarios)
        {
            Assert.True(Model.Position(s, DeviceEvent.FixupHeader) < Model.Position(s, DeviceEvent.IommuGroup));
            Assert.True(Model.Position(s, DeviceEvent.IommuGroup) < Model.Position(s, DeviceEvent.DriverProbe));
            Assert.True(Model.Position(s, DeviceEvent.KobjAdd) < Model.Position(s, DeviceEvent.DriverProbe));
            Assert.True(Model.Position(s, DeviceEvent.DriverProbe) < Model.Position(s, DeviceEvent.FixupEnable));
        }
    }

    [Fact]
    public void Every_function_role_has_a_place_on_the_timeline()
    {
        foreach (var role in Enum.GetValues<RoleKind>().Except([RoleKind.Export, RoleKind.AttributeGroups]))
        {
            var registration = new Registration(role, "f", "x.c", 1, DiffLineKind.Added, "idiom");
            Assert.True(Model.EventOf(registration) is not null, role.ToString());
        }

        Assert.Null(Model.EventOf(new Registration(RoleKind.Export, "f", "x.c", 1, DiffLineKind.Added, "EXPORT_SYMBOL")));
    }

    [Theory]
    [InlineData("1", DeviceEvent.BusNotifyAddDeviceFirst)]
    [InlineData("0", DeviceEvent.BusNotifyAddDevice)]
    [InlineData("-5", DeviceEvent.BusNotifyAddDevice)]
    [InlineData("INT_MAX", DeviceEvent.BusNotifyAddDevice)]
    public void Notifier_priority_places_the_notifier(string detail, DeviceEvent expected)
    {
        var registration = new Registration(RoleKind.Notifier, "f", "x.c", 1, DiffLineKind.Added, "notifier_block", Detail: detail);
        Assert.Equal(expected, Model.EventOf(registration)?.Event);
    }

    [Fact]
    public void Mainline_alias_quirks_are_known()
    {
        foreach (var name in new[]
        {
            "quirk_dma_func0_alias", "quirk_dma_func1_alias", "quirk_fixed_dma_alias", "quirk_mic_x200_dma_alias",
            "quirk_pex_vca_alias", "quirk_switchtec_ntb_dma_alias", "quirk_plx_ntb_dma_alias", "quirk_use_pcie_bridge_dma_alias",
        })
        {
            Assert.Equal(KernelEffect.AddsDmaAlias, Model.MainlineFunction(name)?.Effect);
        }
    }

    [Theory]
    [InlineData("drivers/pci/pci.c", true)]
    [InlineData("drivers/pci/search.c", true)]
    [InlineData("include/linux/pci.h", true)]
    [InlineData("drivers/iommu/amd/iommu.c", true)]
    [InlineData("drivers/pci/quirks.c", false)]
    [InlineData("drivers/misc/mei/pci-me.c", false)]
    public void Exempt_files(string file, bool exempt) =>
        Assert.Equal(exempt, Model.Exemption(file, KernelEffect.AddsDmaAlias) is not null);

    [Fact]
    public void Sysfs_apis_exclude_link_notify_update_and_merge()
    {
        var sysfs = Model.ApisWith(KernelEffect.CreatesSysfsAttribute).Select(a => a.Function).ToList();
        Assert.Contains("device_add_groups", sysfs);
        Assert.Contains("sysfs_add_file_to_group", sysfs);
        Assert.DoesNotContain("sysfs_create_link", sysfs);
        Assert.DoesNotContain("sysfs_notify", sysfs);
        Assert.DoesNotContain("sysfs_update_group", sysfs);
        Assert.DoesNotContain("sysfs_merge_group", sysfs);
    }
}
