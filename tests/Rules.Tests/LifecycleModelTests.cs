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
        var broken = Model.Document with { Apis = [.. Model.Document.Apis, new ApiEntry("foo", new KernelEffect("AddsDmaAlias"), "")] };
        Assert.Contains(LifecycleModel.Validate(broken), p => p.Contains("api foo", StringComparison.Ordinal));
    }

    [Fact]
    public void Events_and_effects_are_defined_by_the_data_alone()
    {
        var probe = new DeviceEvent("NewEvent");
        var effect = new KernelEffect("NewEffect");
        var document = Model.Document with
        {
            Events = [.. Model.Document.Events, new EventEntry(probe, "a new event", "new_event()", "drivers/base/core.c device_add()")],
            Scenarios = [.. Model.Scenarios.Select(s => s with { Timeline = [.. s.Timeline, probe] })],
            Effects = [.. Model.Document.Effects, new EffectEntry(effect, "a new effect", probe, "by now", "read at the new event", "drivers/base/core.c device_add()")],
            Apis = [.. Model.Document.Apis, new ApiEntry("new_api", effect, "drivers/base/core.c new_api()")],
        };
        Assert.Empty(LifecycleModel.Validate(document));
        var model = new LifecycleModel(document);
        Assert.Equal(probe, model.Effect(effect).ConsumedBy);
        Assert.All(model.Scenarios, s => Assert.Equal(s.Timeline.Count - 1, model.Position(s, probe)));
        Assert.Equal(["new_api"], model.ApisWith(effect).Select(a => a.Function));
    }

    [Fact]
    public void Ids_that_are_not_defined_are_reported()
    {
        var ghost = new DeviceEvent("Ghost");
        var broken = Model.Document with
        {
            Scenarios = [Model.Scenarios[0] with { Timeline = [.. Model.Scenarios[0].Timeline.Skip(1), ghost] }, .. Model.Scenarios.Skip(1)],
            Apis = [.. Model.Document.Apis, new ApiEntry("foo", new KernelEffect("NoSuchEffect"), "drivers/x.c foo()")],
            Roles = [.. Model.Document.Roles, new RoleEntry(RoleKind.DriverProbe, new DeviceEvent("NoSuchEvent"), "drivers/x.c foo()")],
            Events = [.. Model.Document.Events, Model.Document.Events[1]],
        };
        var problems = LifecycleModel.Validate(broken);
        var first = Model.Scenarios[0];
        Assert.Contains($"scenario {first.Id} names event Ghost, which is not defined", problems);
        Assert.Contains($"scenario {first.Id} has event {first.Timeline[0]} 0 times", problems);
        Assert.Contains("api foo names effect NoSuchEffect, which is not defined", problems);
        Assert.Contains("role DriverProbe names event NoSuchEvent, which is not defined", problems);
        Assert.Contains($"event {Model.Document.Events[1].Id} is defined twice", problems);
    }

    [Fact]
    public void Loading_a_model_with_an_unknown_id_fails()
    {
        var json = """
            { "kernel": "k", "events": [ { "id": "A", "name": "a", "kernelName": "a()", "source": "drivers/a.c a()" } ],
              "scenarios": [ { "id": "s", "title": "s", "description": "s", "source": "drivers/a.c a()", "timeline": [ "A", "B" ] } ],
              "effects": [], "apis": [], "fieldWrites": [], "roles": [], "mainlineFunctions": [], "mainlineMacros": [], "exempt": [] }
            """;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        var e = Assert.Throws<InvalidDataException>(() => LifecycleModel.Parse(stream));
        Assert.Contains("names event B", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hot_add_builds_the_group_before_final_fixups_and_boot_after()
    {
        var hotAdd = Model.Scenarios.Single(s => s.Id == "hot-add");
        var boot = Model.Scenarios.Single(s => s.Id == "boot");
        Assert.True(Model.Position(hotAdd, new DeviceEvent("IommuGroup")) < Model.Position(hotAdd, new DeviceEvent("FixupFinal")));
        Assert.True(Model.Position(boot, new DeviceEvent("FixupFinal")) < Model.Position(boot, new DeviceEvent("IommuGroup")));
        foreach (var s in Model.Scenarios)
        {
            Assert.True(Model.Position(s, new DeviceEvent("FixupHeader")) < Model.Position(s, new DeviceEvent("IommuGroup")));
            Assert.True(Model.Position(s, new DeviceEvent("IommuGroup")) < Model.Position(s, new DeviceEvent("DriverProbe")));
            Assert.True(Model.Position(s, new DeviceEvent("KobjAdd")) < Model.Position(s, new DeviceEvent("DriverProbe")));
            Assert.True(Model.Position(s, new DeviceEvent("DriverProbe")) < Model.Position(s, new DeviceEvent("FixupEnable")));
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
    [InlineData("1", "BusNotifyAddDeviceFirst")]
    [InlineData("0", "BusNotifyAddDevice")]
    [InlineData("-5", "BusNotifyAddDevice")]
    [InlineData("INT_MAX", "BusNotifyAddDevice")]
    public void Notifier_priority_places_the_notifier(string detail, string expected)
    {
        var registration = new Registration(RoleKind.Notifier, "f", "x.c", 1, DiffLineKind.Added, "notifier_block", Detail: detail);
        Assert.Equal(new DeviceEvent(expected), Model.EventOf(registration)?.Event);
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
            Assert.Equal(new KernelEffect("AddsDmaAlias"), Model.MainlineFunction(name)?.Effect);
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
        Assert.Equal(exempt, Model.Exemption(file, new KernelEffect("AddsDmaAlias")) is not null);

    [Fact]
    public void Sysfs_apis_exclude_link_notify_update_and_merge()
    {
        var sysfs = Model.ApisWith(new KernelEffect("CreatesSysfsAttribute")).Select(a => a.Function).ToList();
        Assert.Contains("device_add_groups", sysfs);
        Assert.Contains("sysfs_add_file_to_group", sysfs);
        Assert.DoesNotContain("sysfs_create_link", sysfs);
        Assert.DoesNotContain("sysfs_notify", sysfs);
        Assert.DoesNotContain("sysfs_update_group", sysfs);
        Assert.DoesNotContain("sysfs_merge_group", sysfs);
    }
}
