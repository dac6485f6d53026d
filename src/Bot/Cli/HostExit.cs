using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PatchBot.Bot.Cli;

/// <summary>How a long-running host ended: a background service that died stops the host (the default
/// <see cref="BackgroundServiceExceptionBehavior.StopHost"/>) but <c>Run</c> returns normally; the exit code must
/// still say it failed, or systemd's <c>Restart=on-failure</c> never restarts the bot.</summary>
internal sealed class HostExit
{
    /// <summary>Exit code of a host that stopped because something failed.</summary>
    public const int Failed = 1;

    private readonly List<BackgroundService> services;

    /// <summary>Takes the host's background services before it runs (<c>Run</c> disposes the service provider).</summary>
    public HostExit(IHost host) =>
        services = [.. host.Services.GetServices<IHostedService>().OfType<BackgroundService>()];

    /// <summary>After the host stopped: the first background service that ended with an exception, or null.</summary>
    public Exception? Failure =>
        services.Select(s => s.ExecuteTask).FirstOrDefault(t => t is { IsFaulted: true })?.Exception?.GetBaseException();
}
