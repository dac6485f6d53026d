using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PatchBot.Bot.Worker;

/// <summary>Registers what <c>serve</c> tells the operator: the "Health" section (/healthz and /metrics), validated at
/// start, the metrics, the health endpoint and the start/stop log line.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddBotTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // One Bind per concrete options type: see SourcesServiceCollectionExtensions.
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        services.AddSingleton<BotMetrics>();
        services.AddHostedService<StartupLog>();
        services.AddHostedService<HealthServer>();
        return services;
    }
}
