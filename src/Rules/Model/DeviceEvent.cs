namespace PatchBot.Rules.Model;

/// <summary>
/// Events in the life of a PCI device, as the lifecycle model orders them. The order differs per
/// scenario; the data file (lifecycle.json) gives each event's kernel source.
/// </summary>
public enum DeviceEvent
{
    FixupEarly,
    FixupHeader,
    DeviceAdd,
    BusNotifyAddDeviceFirst,
    IommuProbeDevice,
    IommuGroup,
    BusNotifyAddDevice,
    KobjAdd,
    InterfaceAddDev,
    FixupFinal,
    DriverProbe,
    FixupEnable,
    PmFixups,
    DriverCallbacks,
    Initcall,
}

/// <summary>What a kernel API call or field write does to the device, and which event reads it.</summary>
public enum KernelEffect
{
    /// <summary>Adds a DMA alias; read when the IOMMU group is created.</summary>
    AddsDmaAlias,
    /// <summary>Creates a sysfs attribute on the device; udev looks for it at KOBJ_ADD.</summary>
    CreatesSysfsAttribute,
}
