using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PatchBot.Bot.GitHub;

/// <summary>Takes queued pull-request events one at a time; a failure with one, of any kind, is logged and the next is taken.</summary>
internal sealed partial class PullRequestCheckWorker(
    ChannelReader<PullRequestEvent> queue,
    PullRequestCheckService service,
    ILogger<PullRequestCheckWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var evt in queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await service.CheckAsync(evt, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
            {
                // Whatever one delivery meets (the API down, a timeout, a bug), the next is still taken. A timeout is a
                // TaskCanceledException whose own token is cancelled, so only the host's token says the service is stopping.
                LogFailed(logger, evt.DeliveryId ?? "-", evt.Owner, evt.Repository, evt.Number, e.GetType().Name, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 621, Level = LogLevel.Error, Message = "GitHub delivery {Delivery}: {Owner}/{Repository}#{Number} not checked: {Error}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string delivery, string owner, string repository, int number, string error, string reason);
}
