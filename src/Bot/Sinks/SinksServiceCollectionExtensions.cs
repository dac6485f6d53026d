using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sinks;

/// <summary>Registers where <c>serve</c> replies: the "Smtp" and "Delivery" sections (the mailer, the per-list
/// policies), validated at start, and the outbox dispatcher.</summary>
internal static class SinksServiceCollectionExtensions
{
    public static IServiceCollection AddReplySinks(this IServiceCollection services, IConfiguration configuration)
    {
        // One Bind per concrete options type: see SourcesServiceCollectionExtensions.
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.AddSingleton<OutboxDispatcher>();
        return services;
    }
}
