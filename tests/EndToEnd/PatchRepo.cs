using System.Globalization;

namespace PatchBot.EndToEnd.Tests;

/// <summary>A small kernel-like git repository in a temp folder; series are made with git format-patch and sent
/// with git send-email to the local Postfix, as a developer would.</summary>
internal sealed class PatchRepo : IDisposable
{
    private readonly Dictionary<string, string> env;

    public PatchRepo(int smtpPort)
    {
        Dir = Path.Combine(Path.GetTempPath(), "patchbot-repo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Dir);
        SmtpPort = smtpPort;
        env = new Dictionary<string, string>
        {
            ["HOME"] = Dir,
            ["GIT_CONFIG_GLOBAL"] = Path.Combine(Dir, ".gitconfig"),
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_AUTHOR_NAME"] = "Dev Eloper",
            ["GIT_AUTHOR_EMAIL"] = "dev@example.test",
            ["GIT_COMMITTER_NAME"] = "Dev Eloper",
            ["GIT_COMMITTER_EMAIL"] = "dev@example.test",
        };
        Git("init", "-q", "-b", "master", ".");
        Write("drivers/ntb/hw/acme/Kconfig", "config NTB_ACME\n\ttristate \"Acme NTB\"\n");
        Write("drivers/ntb/hw/acme/acme_regs.h", "#define ACME_BAR 0\n");
        Git("add", "-A");
        Git("commit", "-q", "-m", "acme: initial");
    }

    public string Dir { get; }

    public int SmtpPort { get; }

    public void Write(string path, string text)
    {
        string full = Path.Combine(Dir, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    public void Commit(string subject)
    {
        Git("add", "-A");
        Git("commit", "-q", "-s", "-m", subject + "\n\nBody of the change.");
    }

    public string Git(params string[] args) => MailServers.Run("git", args, TimeSpan.FromSeconds(60), env, Dir);

    /// <summary>format-patch the last <paramref name="count"/> commits with a cover letter titled <paramref name="title"/>, and send them to the list.</summary>
    public void SendSeries(int count, int version, string title, bool cover = true, params string[] formatPatchOptions)
    {
        string outDir = Path.Combine(Dir, "out-v" + version.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(outDir))
        {
            Directory.Delete(outDir, recursive: true);
        }

        var fp = new List<string> { "format-patch", "-q", "-o", outDir, "-" + count.ToString(CultureInfo.InvariantCulture) };
        if (cover)
        {
            fp.Add("--cover-letter");
        }

        if (version > 1)
        {
            fp.Add("-v" + version.ToString(CultureInfo.InvariantCulture));
        }

        fp.AddRange(formatPatchOptions);
        Git([.. fp]);
        var files = Directory.GetFiles(outDir, "*.patch").Order(StringComparer.Ordinal).ToArray();
        string first = files[0];
        File.WriteAllText(first, File.ReadAllText(first).Replace("*** SUBJECT HERE ***", title, StringComparison.Ordinal)
            .Replace("*** BLURB HERE ***", "A series made by the end-to-end test.", StringComparison.Ordinal));
        Git(["-c", "sendemail.smtpServer=127.0.0.1", "-c", "sendemail.smtpServerPort=" + SmtpPort.ToString(CultureInfo.InvariantCulture),
            "-c", "sendemail.confirm=never", "-c", "sendemail.suppressCc=all", "send-email", "--quiet",
            "--from", "Dev Eloper <dev@example.test>", "--to", "lkml@example.test", .. files]);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public const string DriverPath = "drivers/ntb/hw/acme/ntb_hw_acme.c";

    /// <summary>A PCI driver; with <paramref name="aliasInProbe"/> its probe() adds DMA aliases (too late: the IOMMU group exists).</summary>
    public static string Driver(bool aliasInProbe, string tag) => Driver(aliasInProbe, aliasInProbe, tag);

    /// <summary>A PCI driver; <paramref name="helper"/>: it has a function adding DMA aliases; <paramref name="call"/>: probe() calls it.</summary>
    public static string Driver(bool helper, bool call, string tag) => $$"""
        // SPDX-License-Identifier: GPL-2.0
        /* Acme NTB endpoint ({{tag}}) */
        #include <linux/module.h>
        #include <linux/pci.h>

        {{(helper ? """
        static void acme_ntb_setup_aliases(struct pci_dev *pdev)
        {
        	int devfn;

        	for (devfn = 0; devfn < 8; devfn++)
        		pci_add_dma_alias(pdev, devfn, 1);
        }

        """ : "")}}
        static int acme_ntb_probe(struct pci_dev *pdev, const struct pci_device_id *id)
        {
        	int rc;

        	rc = pcim_enable_device(pdev);
        	if (rc)
        		return rc;
        {{(call ? "\n\tacme_ntb_setup_aliases(pdev);\n" : "")}}
        	dev_info(&pdev->dev, "Acme NTB endpoint ready\n");
        	return 0;
        }

        static const struct pci_device_id acme_ntb_ids[] = {
        	{ PCI_DEVICE(0x1234, 0x5678) },
        	{ }
        };
        MODULE_DEVICE_TABLE(pci, acme_ntb_ids);

        static struct pci_driver acme_ntb_driver = {
        	.name = "acme_ntb",
        	.id_table = acme_ntb_ids,
        	.probe = acme_ntb_probe,
        };
        module_pci_driver(acme_ntb_driver);
        MODULE_LICENSE("GPL");

        """;
}
