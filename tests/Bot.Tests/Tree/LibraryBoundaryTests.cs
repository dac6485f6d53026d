namespace PatchBot.Bot.Tests.Tree;

/// <summary>
/// Tree mode does not make a library's behaviour a driver's bug: a series that touches both a driver and a library
/// function the driver's probe calls (pci_enable_msi(), called from hundreds of files) gets no finding for what the
/// library does, while the same effect in the driver's own code is found. The real tree's index says what is a library.
/// </summary>
public sealed class LibraryBoundaryTests : IDisposable
{
    private const string Api = "drivers/pci/msi/api.c";

    private const string Driver = "drivers/ata/acard-ahci.c";

    private const string Sysfs = "sysfs-after-device-add";

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("patchbot-library-");

    private Dictionary<string, string> Env => new() { ["XDG_CACHE_HOME"] = Path.Combine(_temp.FullName, "cache") };

    public void Dispose() => _temp.Delete(recursive: true);

    private string Patch(string apiLine, string driverLine)
    {
        using var repo = KernelGitRepo.Create(Api, Driver);
        repo.Edit(Api, "\tint rc = __pci_enable_msi_range(dev, 1, 1, NULL);\n", "\tint rc = __pci_enable_msi_range(dev, 1, 1, NULL);\n" + apiLine);
        repo.Edit(Driver, "\t\tpci_enable_msi(pdev);\n", "\t\tpci_enable_msi(pdev);\n" + driverLine);
        repo.Commit("PCI/MSI, ata: acard: attributes");
        string patch = Assert.Single(repo.FormatPatch(1, _temp.FullName));
        return patch;
    }

    [Fact]
    public void What_a_library_called_by_the_probe_does_is_not_reported_but_the_driver_s_own_call_is()
    {
        string library = Patch("\tsysfs_create_group(&dev->dev.kobj, &msi_irqs_group);\n", "\tdev_info(&pdev->dev, \"MSI\\n\");\n");
        var result = CliProcess.Run(["check", "--format", "json", "--tree", RepoPaths.KernelTree, library], environment: Env);
        Assert.Empty(TreeBaseTests.Findings(result, Sysfs));

        string own = Patch("\tpci_info(dev, \"MSI\\n\");\n", "\tsysfs_create_group(&pdev->dev.kobj, &acard_attr_group);\n");
        var found = CliProcess.Run(["check", "--format", "json", "--tree", RepoPaths.KernelTree, own], environment: Env);
        var finding = Assert.Single(TreeBaseTests.Findings(found, Sysfs));
        Assert.Equal(Driver, finding.GetProperty("file").GetString());
    }

    [Theory]
    [InlineData("kernel/foo/core.c", false)] // core code in another top-level part of the kernel: its own behaviour
    [InlineData("drivers/foo/lib/core.c", true)] // the driver's own helper in a subfolder: the driver's code
    public void A_series_touching_a_driver_and_core_code_it_calls_reports_only_the_driver_s_own_code(string core, bool reported)
    {
        using var repo = KernelGitRepo.Create();
        repo.Write(core, "#include <linux/device.h>\n\nint foo_core_setup(struct device *dev)\n{\n\treturn 0;\n}\n");
        repo.Write("drivers/foo/foo.c", """
            #include <linux/pci.h>

            static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
            {
            	return foo_core_setup(&pdev->dev);
            }

            static struct pci_driver foo_driver = {
            	.name = "foo",
            	.probe = foo_probe,
            };
            module_pci_driver(foo_driver);

            """);
        repo.Commit("foo: a driver and its core");
        repo.Edit(core, "\treturn 0;\n", "\treturn sysfs_create_group(&dev->kobj, &foo_core_group);\n");
        repo.Edit("drivers/foo/foo.c", "\treturn foo_core_setup(&pdev->dev);\n", "\tpci_set_master(pdev);\n\treturn foo_core_setup(&pdev->dev);\n");
        repo.Commit("foo: core attributes");
        string patch = Assert.Single(repo.FormatPatch(1, _temp.FullName));
        repo.Git("checkout", "-q", "HEAD~1");

        var result = CliProcess.Run(["check", "--format", "json", "--tree", repo.Path, patch], environment: Env);

        Assert.Equal(reported ? 1 : 0, TreeBaseTests.Findings(result, Sysfs).Count);
    }
}
