using PatchBot.Bot.Tests.GitHub;

namespace PatchBot.Bot.Tests.Tree;

/// <summary>
/// A real git repository in a temporary folder holding real files of the kernel tree (Debian's linux-source-6.12,
/// see <see cref="RepoPaths.KernelTree"/>) and what makes a folder a kernel checkout (MAINTAINERS, Kconfig,
/// include/linux, drivers): commits, branches and patches are made with git itself, as a developer would.
/// </summary>
internal sealed class KernelGitRepo : IDisposable
{
    private KernelGitRepo(string path) => Path = path;

    public string Path { get; }

    /// <summary>A checkout whose first commit holds <paramref name="files"/> as the kernel tree has them.</summary>
    public static KernelGitRepo Create(params string[] files)
    {
        string kernel = RepoPaths.KernelTree;
        Assert.True(File.Exists(System.IO.Path.Combine(kernel, "MAINTAINERS")), $"kernel tree missing at {kernel}: run scripts/install-deps.sh");
        var repo = new KernelGitRepo(Directory.CreateTempSubdirectory("patchbot-kgit-").FullName);
        repo.Git("init", "-q", "-b", "master", ".");
        repo.Git("config", "user.email", "dev@example.org");
        repo.Git("config", "user.name", "Dev Eloper");
        repo.Git("config", "commit.gpgsign", "false");
        foreach (var file in files.Concat(["MAINTAINERS", "Kconfig"]))
        {
            repo.Write(file, File.ReadAllText(System.IO.Path.Combine(kernel, file)));
        }

        repo.Write("include/linux/pci.h", File.ReadAllText(System.IO.Path.Combine(kernel, "include/linux/pci.h")));
        repo.Commit("Linux 6.12 (some of it)");
        return repo;
    }

    public string Read(string file) => File.ReadAllText(System.IO.Path.Combine(Path, file));

    public void Write(string file, string text)
    {
        string full = System.IO.Path.Combine(Path, file);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    /// <summary>Replaces <paramref name="anchor"/> (which must be there) in <paramref name="file"/>.</summary>
    public void Edit(string file, string anchor, string replacement)
    {
        string text = Read(file);
        Assert.Contains(anchor, text, StringComparison.Ordinal);
        Write(file, text.Replace(anchor, replacement, StringComparison.Ordinal));
    }

    public string Commit(string subject)
    {
        Git("add", "-A");
        Git("commit", "-q", "-m", subject, "-m", "Signed-off-by: Dev Eloper <dev@example.org>");
        return Git("rev-parse", "HEAD");
    }

    /// <summary>The last <paramref name="count"/> commits as git format-patch writes them, each to a file outside the checkout.</summary>
    public IReadOnlyList<string> FormatPatch(int count, string outDir, params string[] extra)
    {
        Git(["format-patch", "-q", "-o", outDir, $"-{count}", .. extra]);
        return Directory.GetFiles(outDir, "*.patch").Order(StringComparer.Ordinal).ToList();
    }

    public string Git(params string[] args)
    {
        var (code, stdout, stderr) = NpmTools.Run("git", args, TimeSpan.FromSeconds(60), Path);
        Assert.True(code == 0, $"git {string.Join(' ', args)}: {stderr}");
        return stdout.Trim();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
