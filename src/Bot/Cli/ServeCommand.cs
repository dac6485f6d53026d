using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PatchBot.Bot.Output;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Cli;

/// <summary><c>patchbot serve [--config FILE] [--Section:Key=value]...</c>: the mailing-list bot.</summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter stderr)
    {
        var config = new Option<string?>("--config")
        {
            Description = "Settings file (JSON, like deploy/appsettings.example.json); appsettings.json in the working folder is read too.",
        };
        var command = new Command("serve", "Run the mailing-list bot: read IMAP, public-inbox or a Maildir, reply to patches over SMTP. Any --Section:Key=value overrides a setting.")
        {
            config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            string? path = parse.GetValue(config);
            if (path is not null && !File.Exists(path))
            {
                stderr.WriteLine(Printable.Escape($"patchbot serve: {path}: no such file"));
                return PatchBotCli.UsageError;
            }

            return Run(path, parse.UnmatchedTokens, stderr);
        });
        return command;
    }

    private static int ReportInvalid(IEnumerable<OptionsValidationException> errors, TextWriter stderr)
    {
        foreach (var failure in errors.SelectMany(e => e.Failures))
        {
            stderr.WriteLine(Printable.Escape($"patchbot serve: configuration: {failure}"));
        }

        return PatchBotCli.UsageError;
    }

    public static int Run(string? configPath, IReadOnlyList<string> overrides, TextWriter stderr)
    {
        try
        {
            using var host = ServeHost.Build(configPath, overrides);
            // Everything that can be refused is checked before the host starts, so a refusal is its clear lines and an
            // exit code, never a hosting failure with a stack trace: the settings, then the state file (its lock, so a
            // second instance on the same state stops here, and its integrity).
            host.Services.GetService<IStartupValidator>()?.Validate();
            _ = host.Services.GetRequiredService<BotStore>();
            var exit = new HostExit(host);
            host.Run();
            if (exit.Failure is { } failure)
            {
                stderr.WriteLine(Printable.Escape($"patchbot serve: stopped after a failure: {failure.GetType().Name}: {failure.Message}"));
                return HostExit.Failed;
            }

            return 0;
        }
        catch (StateUnavailableException e)
        {
            stderr.WriteLine(Printable.Escape($"patchbot serve: {e.Message}"));
            return PatchBotCli.UsageError;
        }
        catch (OptionsValidationException e)
        {
            return ReportInvalid([e], stderr);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            return ReportInvalid(e.InnerExceptions.Cast<OptionsValidationException>(), stderr);
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException || e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            stderr.WriteLine(Printable.Escape($"patchbot serve: configuration: {e.Message}"));
            return PatchBotCli.UsageError;
        }
    }
}
