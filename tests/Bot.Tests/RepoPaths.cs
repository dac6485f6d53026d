namespace PatchBot.Bot.Tests;

/// <summary>Where the repository and ../shared are, found from the test binaries.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string CorpusCases => Path.Combine(Shared, "corpus", "cases");

    public static string SampleMbox => Path.Combine(Shared, "corpus", "sample", "linux-pci-sample.mbox.gz");

    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    /// <summary>
    /// The real kernel tree the test command unpacks from Debian's linux-source-6.12 package
    /// (scripts/install-deps.sh), or PATCHBOT_KERNEL_TREE.
    /// </summary>
    public static string KernelTree =>
        Environment.GetEnvironmentVariable("PATCHBOT_KERNEL_TREE") is { Length: > 0 } tree
            ? tree
            : Path.Combine(Root, ".cache", "linux-source-6.12");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PatchBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PatchBot.sln not found above " + AppContext.BaseDirectory);
    }
}
