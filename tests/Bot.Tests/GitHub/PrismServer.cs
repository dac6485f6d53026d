using System.Diagnostics;
using System.Text;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// Prism serving GitHub's official OpenAPI description on 127.0.0.1 as a validating mock: a request that is
/// not valid for the real API gets 422 (or 400/404/405), which the tests treat as a failure.
/// One instance per test run (xUnit collection fixture), killed at the end.
/// </summary>
public sealed class PrismServer : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();

    public PrismServer()
    {
        Port = NpmTools.FreePort();
        var start = new ProcessStartInfo(NpmTools.Prism)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var arg in new[] { "mock", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), NpmTools.GitHubOpenApi })
        {
            start.ArgumentList.Add(arg);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process = new Process { StartInfo = start };
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                // The route listing at start is long; keep only what follows it.
                if (!e.Data.Contains("ℹ  info", StringComparison.Ordinal) || ready.Task.IsCompleted)
                {
                    log.AppendLine(e.Data);
                }
            }

            if (e.Data.Contains("Prism is listening", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(150)))
        {
            Dispose();
            throw new TimeoutException("Prism did not start in 150 s:\n" + Log);
        }
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        process.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class PrismGroup : ICollectionFixture<PrismServer>
{
    public const string Name = "prism";
}
