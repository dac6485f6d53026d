using System.Diagnostics;

namespace PatchBot.Bot.Tests;

/// <summary>
/// The README's run command, as a user types it: <c>scripts/patchbot</c> publishes the Native AOT build (once)
/// and runs it on the bundled sample. This is the build every speed figure is measured on, so it must build and
/// give the same answer as the JIT build the other tests run.
/// </summary>
public sealed class NativeBuildTests
{
    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "patchbot"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("scripts/patchbot did not finish in 15 minutes");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void The_readme_run_command_builds_the_native_binary_and_finds_the_sample_bug()
    {
        const string sample = "samples/ntb-acme-dma-alias-in-probe.patch";
        var native = Run("check", "--format", "terse", sample);
        var jit = CliProcess.Run(["check", "--format", "terse", sample]);

        Assert.True(native.ExitCode == 1, $"exit {native.ExitCode}: {native.Stderr}");
        Assert.Contains("[dma-alias-after-iommu-group]", native.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "artifacts", "patchbot", "patchbot")), "the native binary was published");
        Assert.Equal(jit.Stdout, native.Stdout);
    }
}
