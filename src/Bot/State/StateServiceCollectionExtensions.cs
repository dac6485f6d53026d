using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.State;

/// <summary>Registers the durable state of <c>serve</c>: the "State" section (the SQLite file), validated at start,
/// and the store.</summary>
internal static class StateServiceCollectionExtensions
{
    public static IServiceCollection AddBotState(this IServiceCollection services, IConfiguration configuration)
    {
        // One Bind per concrete options type: see SourcesServiceCollectionExtensions.
        services.AddOptions<StateOptions>().Bind(configuration.GetSection(StateOptions.Section))
            .Validate(s => !string.IsNullOrWhiteSpace(s.Path), "State:Path is empty").ValidateOnStart();
        services.AddSingleton(sp => new BotStore(sp.GetRequiredService<IOptions<StateOptions>>().Value.Path, exclusive: true));
        return services;
    }
}
