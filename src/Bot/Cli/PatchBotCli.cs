using System.CommandLine;

namespace PatchBot.Bot.Cli;

/// <summary>The <c>patchbot</c> command line: one verb per job.</summary>
internal static class PatchBotCli
{
    /// <summary>Exit code for usage and input errors (design.md).</summary>
    public const int UsageError = 2;

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, Func<Stream>? stdin = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        stdin ??= Console.OpenStandardInput;

        var root = new RootCommand("PatchBot: finds lifecycle-ordering bugs in Linux kernel patches that a line-based linter cannot see.");
        root.Subcommands.Add(CheckCommand.Create(stdout, stderr, stdin));
        root.Subcommands.Add(RulesCommand.CreateList(stdout));
        root.Subcommands.Add(RulesCommand.CreateExplain(stdout, stderr));
        root.Subcommands.Add(GraphCommand.Create(stdout, stderr, stdin));
        root.Subcommands.Add(ServeCommand.Create(stderr));
        root.Subcommands.Add(GitHub.GitHubWebhookCommand.Create(stderr));

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                stderr.WriteLine($"patchbot: {error.Message}");
            }

            stderr.WriteLine("Try 'patchbot --help'.");
            return UsageError;
        }

        return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
