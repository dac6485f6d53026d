using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>The npm packages of tools/npm (installed by scripts/install-deps.sh): missing ones fail the tests, never skip them.</summary>
internal static class NpmTools
{
    public static string Folder => Path.Combine(RepoPaths.Root, "tools", "npm", "node_modules");

    public static string Prism => Require(Path.Combine(Folder, ".bin", "prism"));

    public static string SarifMultitool => Require(Path.Combine(Folder, "@microsoft", "sarif-multitool-linux", "Sarif.Multitool"));

    public static string GitHubOpenApi => Require(Path.Combine(Folder, "@octokit", "openapi", "generated", "api.github.com.json"));

    public static string GitHubWebhooks => Require(Path.Combine(Folder, "@octokit", "openapi-webhooks", "generated", "api.github.com.json"));

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Runs a program to completion within <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in {timeout}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: run scripts/install-deps.sh (npm ci in tools/npm)");
}
