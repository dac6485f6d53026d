using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PatchBot.Bot.Worker;

/// <summary>Logs what the bot runs with, once, and that it stops.</summary>
internal sealed class StartupLog(
    IOptions<SourcesOptions> sources,
    IOptions<StateOptions> state,
    IOptions<SmtpOptions> smtp,
    IHostApplicationLifetime lifetime,
    ILogger<StartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var s = sources.Value;
        string mailer = smtp.Value.Host is { } h ? $"{h}:{smtp.Value.Port}" : "none (every list is dry-run)";
        BotLog.Started(logger, s.Imap.Count + s.PublicInbox.Count + s.Folders.Count, Path.GetFullPath(state.Value.Path), mailer);
        lifetime.ApplicationStopping.Register(() => BotLog.Stopping(logger));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
