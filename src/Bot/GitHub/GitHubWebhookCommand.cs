using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PatchBot.Engine.Check;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// <c>patchbot github-webhook</c>: a minimal host for the GitHub source alone (until <c>patchbot serve</c> hosts it).
/// Settings come from the "GitHub" section of appsettings.json / PATCHBOT_GitHub__* environment variables, then the
/// options below; the token and secret from GITHUB_TOKEN / GITHUB_WEBHOOK_SECRET or files, never from the command line.
/// </summary>
internal static class GitHubWebhookCommand
{
    public static Command Create(TextWriter stderr)
    {
        var port = new Option<int?>("--port") { Description = "TCP port of the webhook endpoint (default 8080)." };
        var listen = new Option<string?>("--listen") { Description = "Address to listen on: * (default), localhost, or an IP address such as 127.0.0.1 (behind a reverse proxy)." };
        var path = new Option<string?>("--path") { Description = "Path that receives deliveries (default /webhook)." };
        var apiUrl = new Option<string?>("--api-url") { Description = "REST API root: https://api.github.com/ (default) or https://HOST/api/v3/ for GitHub Enterprise Server." };
        var mode = new Option<string?>("--mode") { Description = "check-run (GitHub App token) or status-comment (plain token)." };
        mode.AcceptOnlyFromAmong("check-run", "status-comment");
        var failLevel = new Option<string?>("--fail-level") { Description = "Findings at or above this fail the check: error, warning, info, none." };
        failLevel.AcceptOnlyFromAmong("error", "warning", "info", "none");
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding the API token (else $GITHUB_TOKEN)." };
        var secretFile = new Option<string?>("--secret-file") { Description = "File holding the webhook secret (else $GITHUB_WEBHOOK_SECRET)." };
        var command = new Command("github-webhook", "Receive GitHub pull_request webhooks and report findings as check runs or statuses.")
        {
            port, listen, path, apiUrl, mode, failLevel, tokenFile, secretFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddEnvironmentVariables("PATCHBOT_");
            string? token = ReadSecret(parse.GetValue(tokenFile), "GITHUB_TOKEN", stderr);
            string? secret = ReadSecret(parse.GetValue(secretFile), "GITHUB_WEBHOOK_SECRET", stderr);
            builder.Services.AddGitHubSource(builder.Configuration, o =>
            {
                o.Port = parse.GetValue(port) ?? o.Port;
                o.ListenAddress = parse.GetValue(listen) ?? o.ListenAddress;
                o.Path = parse.GetValue(path) ?? o.Path;
                if (parse.GetValue(apiUrl) is string url && Uri.TryCreate(url, UriKind.Absolute, out var uri))
                {
                    o.ApiBaseUrl = uri;
                }

                if (parse.GetValue(mode) is string m)
                {
                    o.Mode = m == "status-comment" ? GitHubReportMode.StatusComment : GitHubReportMode.CheckRun;
                }

                if (parse.GetValue(failLevel) is string f)
                {
                    o.FailLevel = Enum.Parse<FailLevel>(f, ignoreCase: true);
                }

                o.Token = token ?? o.Token;
                o.WebhookSecret = secret ?? o.WebhookSecret;
            });
            using var host = builder.Build();
            try
            {
                // Validate before the host starts, so a bad setting is one line, not a hosting failure.
                _ = host.Services.GetRequiredService<IOptions<GitHubSourceOptions>>().Value;
                var exit = new Cli.HostExit(host);
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                if (exit.Failure is { } failure)
                {
                    await stderr.WriteLineAsync($"patchbot github-webhook: stopped after a failure: {failure.GetType().Name}: {failure.Message}").ConfigureAwait(false);
                    return Cli.HostExit.Failed;
                }
            }
            catch (OptionsValidationException e)
            {
                foreach (var failure in e.Failures)
                {
                    await stderr.WriteLineAsync($"patchbot github-webhook: {failure}").ConfigureAwait(false);
                }

                return Cli.PatchBotCli.UsageError;
            }

            return 0;
        });
        return command;
    }

    private static string? ReadSecret(string? file, string variable, TextWriter stderr)
    {
        if (file is not null)
        {
            try
            {
                return File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"patchbot github-webhook: cannot read {file}: {e.Message}");
                return null;
            }
        }

        string? value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
