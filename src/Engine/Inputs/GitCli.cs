using System.Diagnostics;
using System.Text;

namespace PatchBot.Engine.Inputs;

/// <summary>Runs the git command line in one working folder, with a time limit per call.</summary>
internal sealed class GitCli(string workingDirectory, TimeSpan timeout)
{
    /// <summary>What one git call printed and how it ended.</summary>
    internal sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public bool Ok => ExitCode == 0;

        public string Text => Encoding.UTF8.GetString(Stdout);
    }

    public string WorkingDirectory => workingDirectory;

    /// <summary>Runs git with <paramref name="args"/>; a git that cannot start or does not finish in time is exit code -1.</summary>
    public Result Run(params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        // No pager, no colour, no prompts, output independent of the user's locale.
        start.Environment["GIT_PAGER"] = "cat";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["LC_ALL"] = "C";
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("color.ui=false");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new Result(-1, [], $"cannot run git: {e.Message}");
        }

        if (process is null)
        {
            return new Result(-1, [], "cannot run git");
        }

        using (process)
        {
            using var stdout = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return new Result(-1, [], $"git {args.FirstOrDefault()} did not finish in {timeout.TotalSeconds:0} s");
            }

            copy.Wait(timeout);
            return new Result(process.ExitCode, stdout.ToArray(), stderr.Result.Trim());
        }
    }
}
