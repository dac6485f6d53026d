using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PatchBot.Rules.Config;

namespace PatchBot.Bot.Worker;

/// <summary>Registers the processing of <c>serve</c>: the "Identity" and "Series" sections, validated at start
/// (a bad Series:RulesConfig is a configuration error, as a bad --config is for <c>check</c>), the rule
/// configuration read once, and the series processor.</summary>
internal static class ProcessingServiceCollectionExtensions
{
    public static IServiceCollection AddSeriesProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        // One Bind per concrete options type: see SourcesServiceCollectionExtensions.
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IdentityOptions>, IdentityOptionsValidator>();
        services.AddOptions<SeriesOptions>().Bind(configuration.GetSection(SeriesOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SeriesOptions>, SeriesOptionsValidator>();
        services.AddSingleton(sp => RulesConfig(sp.GetRequiredService<IOptions<SeriesOptions>>().Value));
        services.AddHostedService<SeriesProcessor>();
        return services;
    }

    /// <summary>The rules of Series:RulesConfig, or the defaults (the validator has already refused a bad file).</summary>
    private static PatchBotConfig RulesConfig(SeriesOptions options) =>
        string.IsNullOrEmpty(options.RulesConfig) ? PatchBotConfig.Empty
        : PatchBotConfig.TryLoadFile(options.RulesConfig, out var config, out string? error) ? config
        : throw new OptionsValidationException(SeriesOptions.Section, typeof(SeriesOptions), [$"Series:RulesConfig: {error}"]);
}
