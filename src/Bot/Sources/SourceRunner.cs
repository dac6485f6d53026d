using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sources;

/// <summary>Runs every configured source side by side until the host stops.</summary>
internal sealed class SourceRunner(
    IOptions<SourcesOptions> options,
    MailIntake intake,
    BotStore store,
    BotMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var logger = loggers.CreateLogger("PatchBot.Sources");
        var tasks = new List<Task>();
        foreach (var imap in o.Imap)
        {
            tasks.Add(new ImapSource(imap, publicInbox: false, intake, store, metrics, time, logger).RunAsync(stoppingToken));
        }

        foreach (var pi in o.PublicInbox)
        {
            tasks.Add(new ImapSource(pi, publicInbox: true, intake, store, metrics, time, logger).RunAsync(stoppingToken));
        }

        foreach (var folder in o.Folders)
        {
            tasks.Add(new FolderSource(folder, intake, store, time, logger).RunAsync(stoppingToken));
        }

        return Task.WhenAll(tasks);
    }
}
