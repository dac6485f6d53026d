using PatchBot.Bot.Tests.GitHub;

namespace PatchBot.Bot.Tests.Tree;

/// <summary>
/// A real git repository in a temporary folder holding real files of the kernel tree (Debian's linux-source-6.12,
/// see <see cref="RepoPaths.KernelTree"/>) and what makes a folder a kernel checkout (MAINTAINERS, Kconfig,
/// include/linux, drivers): commits, branches and patches are made with git itself, as a developer would.
/// </summary>
internal sealed class KernelGitRepo : ScratchGitRepo
{
    private KernelGitRepo()
        : base("patchbot-kgit-", "master")
    {
    }

    /// <summary>A checkout whose first commit holds <paramref name="files"/> as the kernel tree has them.</summary>
    public static KernelGitRepo Create(params string[] files)
    {
        string kernel = RepoPaths.KernelTree;
        Assert.True(File.Exists(System.IO.Path.Combine(kernel, "MAINTAINERS")), $"kernel tree missing at {kernel}: run scripts/install-deps.sh");
        var repo = new KernelGitRepo();
        foreach (var file in files.Concat(["MAINTAINERS", "Kconfig"]))
        {
            repo.Write(file, File.ReadAllText(System.IO.Path.Combine(kernel, file)));
        }

        repo.Write("include/linux/pci.h", File.ReadAllText(System.IO.Path.Combine(kernel, "include/linux/pci.h")));
        repo.Commit("Linux 6.12 (some of it)");
        return repo;
    }

    public string Read(string file) => File.ReadAllText(System.IO.Path.Combine(Path, file));

    /// <summary>Replaces <paramref name="anchor"/> (which must be there) in <paramref name="file"/>.</summary>
    public void Edit(string file, string anchor, string replacement)
    {
        string text = Read(file);
        Assert.Contains(anchor, text, StringComparison.Ordinal);
        Write(file, text.Replace(anchor, replacement, StringComparison.Ordinal));
    }

    /// <summary>The last <paramref name="count"/> commits as git format-patch writes them, each to a file outside the checkout.</summary>
    public IReadOnlyList<string> FormatPatch(int count, string outDir, params string[] extra)
    {
        Git(["format-patch", "-q", "-o", outDir, $"-{count}", .. extra]);
        return Directory.GetFiles(outDir, "*.patch").Order(StringComparer.Ordinal).ToList();
    }
}
