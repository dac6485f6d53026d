using System.Text;
using System.Text.Json;
using PatchBot.Bot.Tests.GitHub;

namespace PatchBot.Bot.Tests;

/// <summary>
/// The classic split through the real CLI and a real git repository: commit 1 adds a helper that calls
/// pci_add_dma_alias(), commit 2 adds only the call of that helper from probe(), commit 3 adds a second way from
/// probe() to the same helper. Checked as a range (<c>--git</c>), patch by patch as <c>b4 prep --check</c> does
/// (terse, one patch on standard input, the tree at commit 1), and as one mailed series.
/// </summary>
public sealed class SplitSeriesTests : IDisposable
{
    private const string Driver = "drivers/misc/foo/foo-pci.c";
    private const string Rule = "dma-alias-after-iommu-group";
    private const string AliasLine = "\tpci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 7), 1);";
    private const string CallLine = "\tfoo_add_aliases(pdev);";
    private const string SetupCallLine = "\tfoo_setup(pdev);";

    private const string Base = """
        #include <linux/pci.h>

        static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
        {
        	int err;

        	err = pcim_enable_device(pdev);
        	if (err)
        		return err;
        	pci_set_master(pdev);
        	return 0;
        }

        static struct pci_driver foo_driver = {
        	.name		= "foo",
        	.probe		= foo_probe,
        };
        builtin_pci_driver(foo_driver);

        """;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("patchbot-split-");
    private readonly string _repo;
    private readonly string[] _sha = new string[4];
    private readonly string[] _text = new string[4];

    public SplitSeriesTests()
    {
        _repo = Directory.CreateDirectory(Path.Combine(_root.FullName, "repo")).FullName;
        Git(_repo, "init", "-q", "-b", "main", ".");
        Git(_repo, "config", "user.email", "dev@example.org");
        Git(_repo, "config", "user.name", "Dev Eloper");
        Git(_repo, "config", "commit.gpgsign", "false");

        _text[0] = Base.Replace("\r\n", "\n", StringComparison.Ordinal);
        _sha[0] = Commit(_text[0], "foo: add the Foo PCI driver");

        _text[1] = _text[0].Replace("static int foo_probe",
            "static void foo_add_aliases(struct pci_dev *pdev)\n{\n" + AliasLine + "\n}\n\nstatic int foo_probe", StringComparison.Ordinal);
        _sha[1] = Commit(_text[1], "foo: add a helper for the function 7 DMA alias");

        _text[2] = _text[1].Replace("\tpci_set_master(pdev);\n", "\tpci_set_master(pdev);\n" + CallLine + "\n", StringComparison.Ordinal);
        _sha[2] = Commit(_text[2], "foo: add the function 7 DMA alias from probe");

        _text[3] = _text[2]
            .Replace("static int foo_probe", "static void foo_setup(struct pci_dev *pdev)\n{\n\tfoo_add_aliases(pdev);\n}\n\nstatic int foo_probe", StringComparison.Ordinal)
            .Replace("\treturn 0;\n}\n\nstatic struct pci_driver", SetupCallLine + "\n\treturn 0;\n}\n\nstatic struct pci_driver", StringComparison.Ordinal);
        _sha[3] = Commit(_text[3], "foo: set up the device from probe");
    }

    private Dictionary<string, string> Env => new() { ["XDG_CACHE_HOME"] = Path.Combine(_root.FullName, "cache") };

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Git_range_reports_the_split_once_at_the_added_call_from_probe()
    {
        var result = CliProcess.Run(["check", "--git", $"{_sha[0]}..{_sha[3]}", "--format", "json"], workingDirectory: _repo);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        var finding = Assert.Single(Findings(result));
        Assert.Equal(_sha[2], finding.GetProperty("messageId").GetString());
        Assert.Equal((Driver, LineOf(_text[2], CallLine), "foo_probe"), Place(finding));
        Assert.Equal(["foo_probe (pci_driver.probe)", "foo_add_aliases", "pci_add_dma_alias"],
            finding.GetProperty("trace").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public void A_later_commit_alone_reports_its_own_new_way_which_the_range_had_already_reported()
    {
        var alone = CliProcess.Run(["check", "--git", $"{_sha[2]}..{_sha[3]}", "--format", "json"], workingDirectory: _repo);

        var finding = Assert.Single(Findings(alone));
        Assert.Equal((Driver, LineOf(_text[3], SetupCallLine), "foo_probe"), Place(finding));
        Assert.Equal(_sha[3], finding.GetProperty("messageId").GetString());
    }

    [Fact]
    public void B4_per_patch_check_finds_the_split_in_the_second_patch_with_the_tree_at_the_first()
    {
        string tree = Path.Combine(_root.FullName, "tree");
        Git(_repo, "worktree", "add", "-q", "--detach", tree, _sha[1]);
        var patches = FormatPatch("-2", "-o", Path.Combine(_root.FullName, "patches"), _sha[2]);

        var first = Terse(patches[0], "--no-tree");
        Assert.Equal(0, first.ExitCode);
        Assert.DoesNotContain(": ERROR:", first.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{Driver}:{LineOf(_text[1], AliasLine)}: CHECK: not analysed: foo_add_aliases: no caller", first.Stdout, StringComparison.Ordinal);

        var second = Terse(patches[1], "--tree", tree);
        Assert.True(second.ExitCode == 1, second.Stderr + second.Stdout);
        string line = Assert.Single(second.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains(": ERROR:", StringComparison.Ordinal));
        Assert.StartsWith($"{Driver}:{LineOf(_text[2], CallLine)}: ERROR: [{Rule}] pci_add_dma_alias() in foo_add_aliases()", line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_two_patches_mailed_as_one_series_give_one_finding_at_the_alias()
    {
        string mbox = Path.Combine(_root.FullName, "series.mbox");
        File.WriteAllText(mbox, Git(_repo, "format-patch", "--thread", "-n", "--stdout", $"{_sha[0]}..{_sha[2]}"));

        var result = CliProcess.Run(["check", "--format", "terse", "--no-tree", mbox], environment: Env);

        Assert.True(result.ExitCode == 1, result.Stderr + result.Stdout);
        string line = Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains(": ERROR:", StringComparison.Ordinal));
        Assert.StartsWith($"{Driver}:{LineOf(_text[1], AliasLine)}: ERROR: [{Rule}]", line, StringComparison.Ordinal);
    }

    private CliProcess.Result Terse(string patch, params string[] options)
    {
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes(File.ReadAllText(patch)));
        return CliProcess.Run(["check", "--format", "terse", .. options, "-"], stdin, environment: Env);
    }

    private List<string> FormatPatch(params string[] args) =>
        [.. Git(_repo, ["format-patch", .. args]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => Path.Combine(_repo, p.Trim()))];

    private static (string?, int, string?) Place(JsonElement f) =>
        (f.GetProperty("file").GetString(), f.GetProperty("line").GetInt32(), f.GetProperty("function").GetString());

    private static int LineOf(string text, string line) => Array.IndexOf(text.Split('\n'), line) + 1 is var n && n > 0
        ? n
        : throw new InvalidOperationException($"no line {line}");

    private static List<JsonElement> Findings(CliProcess.Result result)
    {
        using var doc = JsonDocument.Parse(result.Stdout);
        return [.. doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.Clone())];
    }

    private string Commit(string text, string subject)
    {
        string file = Path.Combine(_repo, Driver);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        Git(_repo, "add", "-A");
        Git(_repo, "commit", "-q", "-m", subject, "-m", "Signed-off-by: Dev Eloper <dev@example.org>");
        return Git(_repo, "rev-parse", "HEAD").Trim();
    }

    private static string Git(string dir, params string[] args)
    {
        var (code, stdout, stderr) = NpmTools.Run("git", args, TimeSpan.FromSeconds(60), dir);
        Assert.True(code == 0, $"git {string.Join(' ', args)}: {stderr}");
        return stdout;
    }
}
