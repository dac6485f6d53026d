namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// A real git repository made for a test in a temporary folder: a PCI driver, then a good commit (a comment),
/// a bad one (pci_add_dma_alias() from probe()) and a fix (the alias moved to a header fixup).
/// </summary>
internal sealed class GitTestRepo : ScratchGitRepo
{
    public const string Driver = "drivers/misc/foo/foo-pci.c";

    private const string Base = """
        #include <linux/pci.h>

        static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
        {
        	int err;

        	err = pcim_enable_device(pdev);
        	if (err)
        		return err;
        	return 0;
        }

        static struct pci_driver foo_driver = {
        	.name		= "foo",
        	.probe		= foo_probe,
        };
        builtin_pci_driver(foo_driver);

        """;

    private GitTestRepo()
        : base("patchbot-git-", "main")
    {
    }

    public string BaseSha { get; private set; } = string.Empty;

    public string GoodSha { get; private set; } = string.Empty;

    public string BadSha { get; private set; } = string.Empty;

    public string FixSha { get; private set; } = string.Empty;

    /// <summary>Lines added above the driver in the first commit, to move every line number.</summary>
    public static GitTestRepo Create(int padding = 0)
    {
        var repo = new GitTestRepo();

        string text = string.Concat(Enumerable.Repeat("/* padding */\n", padding)) + Base.Replace("\r\n", "\n", StringComparison.Ordinal);
        repo.Write(text);
        repo.BaseSha = repo.Commit("foo: add the Foo PCI driver");

        text = text.Replace("static int foo_probe", "/* Probe one Foo function. */\nstatic int foo_probe", StringComparison.Ordinal);
        repo.Write(text);
        repo.GoodSha = repo.Commit("foo: document probe");

        text = text.Replace("\tint err;\n", "\tint err;\n\n\tpci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 7), 1);\n", StringComparison.Ordinal);
        repo.Write(text);
        repo.BadSha = repo.Commit("foo: add the function 7 DMA alias from probe");

        text = text.Replace("\n\tpci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 7), 1);\n", string.Empty, StringComparison.Ordinal)
            + "\nstatic void quirk_foo_func7_alias(struct pci_dev *dev)\n{\n\tpci_add_dma_alias(dev, PCI_DEVFN(PCI_SLOT(dev->devfn), 7), 1);\n}\n"
            + "DECLARE_PCI_FIXUP_HEADER(0x1d17, 0x3d40, quirk_foo_func7_alias);\n";
        repo.Write(text);
        repo.FixSha = repo.Commit("foo: move the DMA alias to a header fixup");
        return repo;
    }

    private void Write(string text) => Write(Driver, text);
}
