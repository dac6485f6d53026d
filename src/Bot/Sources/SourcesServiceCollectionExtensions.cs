using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sources;

/// <summary>Registers where <c>serve</c> reads mail: the "Sources" section (IMAP, public-inbox, Maildir folders),
/// validated at start, the intake every source stores through, and the runner of the sources.</summary>
internal static class SourcesServiceCollectionExtensions
{
    public static IServiceCollection AddMailSources(this IServiceCollection services, IConfiguration configuration)
    {
        // Bound here with the concrete options type: the configuration-binding source generator of the native
        // build cannot bind through a generic helper.
        services.AddOptions<SourcesOptions>().Bind(configuration.GetSection(SourcesOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>();
        services.AddSingleton<MailIntake>();
        services.AddHostedService<SourceRunner>();
        return services;
    }
}
