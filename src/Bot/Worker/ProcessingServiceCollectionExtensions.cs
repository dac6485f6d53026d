using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PatchBot.Engine.Tree;

namespace PatchBot.Bot.Worker;

/// <summary>Registers the processing of <c>serve</c>: the "Identity" and "Series" sections, validated at start
/// (a bad Series:RulesConfig is a configuration error, as a bad --config is for <c>check</c>), and the series
/// processor; the "Tree" section (the kernel clone series are analysed against), its open bases and its fetcher.</summary>
internal static class ProcessingServiceCollectionExtensions
{
    public static IServiceCollection AddSeriesProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        // One Bind per concrete options type: see SourcesServiceCollectionExtensions.
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IdentityOptions>, IdentityOptionsValidator>();
        services.AddOptions<SeriesOptions>().Bind(configuration.GetSection(SeriesOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SeriesOptions>, SeriesOptionsValidator>();
        services.AddOptions<TreeOptions>().Bind(configuration.GetSection(TreeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TreeOptions>, TreeOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var tree = sp.GetRequiredService<IOptions<TreeOptions>>().Value;
            return new GitTrees(tree.KeepBases, tree.CacheDirectory);
        });
        services.AddHostedService<SeriesProcessor>();
        services.AddHostedService<TreeFetcher>();
        return services;
    }

}
