namespace PatchBot.Bot.Tests;

/// <summary>
/// A real git repository in a temporary folder, made and changed with git itself as a developer would (an
/// identity, no signing); removed on dispose.
/// </summary>
internal abstract class ScratchGitRepo : IDisposable
{
    protected ScratchGitRepo(string prefix, string branch)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
        Git("init", "-q", "-b", branch, ".");
        Git("config", "user.email", "dev@example.org");
        Git("config", "user.name", "Dev Eloper");
        Git("config", "commit.gpgsign", "false");
    }

    public string Path { get; }

    public void Write(string file, string text)
    {
        string full = System.IO.Path.Combine(Path, file);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    /// <summary>Commits everything in the folder, signed off; returns the new commit's sha.</summary>
    public string Commit(string subject)
    {
        Git("add", "-A");
        Git("commit", "-q", "-m", subject, "-m", "Signed-off-by: Dev Eloper <dev@example.org>");
        return Git("rev-parse", "HEAD");
    }

    public string Git(params string[] args)
    {
        var (code, stdout, stderr) = GitHub.NpmTools.Run("git", args, TimeSpan.FromSeconds(60), Path);
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
