namespace PatchBot.Tests.Support;

/// <summary>Where the repository and its test data are, found from the test binaries. Nothing outside the clone.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    public static string Samples => Path.Combine(Root, "samples");

    /// <summary>The labelled corpus (tests/corpus, copied from the project's shared corpus).</summary>
    public static string Corpus => Path.Combine(Root, "tests", "corpus");

    /// <summary>The first labelled set: DMA-alias timing and sysfs-after-device-add.</summary>
    public static string CorpusCases => Path.Combine(Corpus, "cases");

    /// <summary>The second labelled set: ASPM, MPS, ACS and capability-init ordering.</summary>
    public static string CorpusCases2 => Path.Combine(Corpus, "cases2");

    /// <summary>5,000 messages of real linux-pci traffic.</summary>
    public static string SampleMbox => Path.Combine(Corpus, "sample", "linux-pci-sample.mbox.gz");

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
