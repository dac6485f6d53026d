using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PatchBot.Bot.Worker;

/// <summary>
/// The points of the serve loop where a crash must lose nothing: <c>stored</c> (a message is in the store),
/// <c>checked</c> (findings and replies are recorded), <c>sending</c> (a reply marked sending, its SMTP transaction
/// about to start), <c>sent</c> (SMTP accepted a reply, not yet marked sent).
/// In production nothing happens there (<see cref="NoCrashPoints"/>); the crash tests select
/// <see cref="KillingCrashPoints"/> through the setting <c>Fault</c> (see <see cref="CrashPointsServiceCollectionExtensions"/>).
/// </summary>
internal interface ICrashPoints
{
    void Reached(string point);
}

/// <summary>What the bot runs with: crash points do nothing.</summary>
internal sealed class NoCrashPoints : ICrashPoints
{
    public void Reached(string point)
    {
    }
}

/// <summary>For the end-to-end crash tests: kills the process (SIGKILL, no clean-up) at one named point.</summary>
internal sealed class KillingCrashPoints(string armed) : ICrashPoints
{
    public void Reached(string point)
    {
        if (!string.Equals(armed, point, StringComparison.Ordinal))
        {
            return;
        }

        Console.Error.WriteLine($"patchbot: PATCHBOT_FAULT={point}: killing myself");
        Console.Error.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}

internal static class CrashPointsServiceCollectionExtensions
{
    /// <summary>The root setting that arms a crash point: <c>PATCHBOT_FAULT=stored</c> in the environment (the
    /// serve host reads PATCHBOT_* variables), or <c>--Fault=stored</c>. Unset, the crash points do nothing.</summary>
    public const string Setting = "Fault";

    /// <summary>Registers <see cref="NoCrashPoints"/>, or <see cref="KillingCrashPoints"/> when <see cref="Setting"/> names a point.</summary>
    public static IServiceCollection AddCrashPoints(this IServiceCollection services, IConfiguration configuration)
    {
        string? armed = configuration[Setting];
        if (string.IsNullOrWhiteSpace(armed))
        {
            services.AddSingleton<ICrashPoints, NoCrashPoints>();
        }
        else
        {
            services.AddSingleton<ICrashPoints>(new KillingCrashPoints(armed.Trim()));
        }

        return services;
    }
}
