using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PatchBot.Engine.Inputs;

namespace PatchBot.Bot.Worker;

/// <summary>
/// Runs <c>git fetch</c> in each configured clone (global and per list) that has a <see cref="TreeOptions.FetchInterval"/>,
/// so new base commits become available to series. A failed fetch is logged and tried again at the next interval; the
/// series go on being analysed against what the clone has.
/// </summary>
internal sealed class TreeFetcher(IOptions<TreeOptions> tree, IOptions<DeliveryOptions> delivery, TimeProvider time, ILogger<TreeFetcher> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clones = delivery.Value.Lists.Select(l => l.Tree).Prepend(tree.Value)
            .OfType<TreeOptions>()
            .Where(t => !string.IsNullOrEmpty(t.Path) && t.FetchInterval > TimeSpan.Zero)
            .GroupBy(t => Path.GetFullPath(t.Path!), StringComparer.Ordinal)
            .Select(g => (Path: g.Key, Interval: g.Min(t => t.FetchInterval), Timeout: g.Max(t => t.FetchTimeout)))
            .ToList();
        return Task.WhenAll(clones.Select(c => FetchLoopAsync(c.Path, c.Interval, c.Timeout, stoppingToken)));
    }

    private async Task FetchLoopAsync(string path, TimeSpan interval, TimeSpan timeout, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var clock = Stopwatch.StartNew();
            var result = await Task.Run(() => new GitCli(path, timeout).Run("fetch", "--quiet", "--prune"), stoppingToken).ConfigureAwait(false);
            if (result.Ok)
            {
                BotLog.TreeFetched(logger, path, clock.Elapsed);
            }
            else
            {
                BotLog.TreeFetchFailed(logger, path, result.Stderr.Length > 0 ? result.Stderr : $"exit {result.ExitCode}", interval);
            }
        }
    }
}
