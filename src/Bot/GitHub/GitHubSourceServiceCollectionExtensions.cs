using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PatchBot.Engine.Tree;

namespace PatchBot.Bot.GitHub;

/// <summary>Registers the GitHub source: options validated at start, the Octokit client, the webhook listener and the checker.</summary>
internal static class GitHubSourceServiceCollectionExtensions
{
    /// <summary>
    /// Adds the GitHub source, bound to the "GitHub" configuration section and then <paramref name="configure"/>.
    /// <paramref name="transport"/> replaces the HTTP transport under the retry handler (tests).
    /// </summary>
    public static IServiceCollection AddGitHubSource(
        this IServiceCollection services,
        IConfiguration? configuration = null,
        Action<GitHubSourceOptions>? configure = null,
        Func<HttpMessageHandler>? transport = null)
    {
        var builder = services.AddOptions<GitHubSourceOptions>();
        if (configuration is not null)
        {
            builder.Bind(configuration.GetSection(GitHubSourceOptions.SectionName));
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        // Secrets: from a file named in the settings, else the environment; never from the settings file itself if avoidable.
        builder.PostConfigure(o =>
        {
            o.Token = Secret(o.Token, o.TokenFile, "GITHUB_TOKEN");
            o.WebhookSecret = Secret(o.WebhookSecret, o.WebhookSecretFile, "GITHUB_WEBHOOK_SECRET");
        });
        builder.ValidateOnStart();
        services.AddSingleton<IValidateOptions<GitHubSourceOptions>, GitHubSourceOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new GitHubClientFactory(
            sp.GetRequiredService<IOptions<GitHubSourceOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            transport));
        services.AddSingleton(sp => sp.GetRequiredService<GitHubClientFactory>().Create());
        services.AddSingleton(sp => Channel.CreateBounded<PullRequestEvent>(new BoundedChannelOptions(
            sp.GetRequiredService<IOptions<GitHubSourceOptions>>().Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        }));
        services.AddSingleton(sp => sp.GetRequiredService<Channel<PullRequestEvent>>().Reader);
        services.AddSingleton(sp => sp.GetRequiredService<Channel<PullRequestEvent>>().Writer);
        services.TryAddSingleton(_ => new GitTrees());
        services.AddSingleton(sp => new PullRequestCheckService(
            sp.GetRequiredService<Octokit.IGitHubClient>(),
            sp.GetRequiredService<IOptions<GitHubSourceOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PullRequestCheckService>>(),
            sp.GetRequiredService<GitTrees>()));
        services.AddSingleton<GitHubWebhookListener>();
        services.AddHostedService(sp => sp.GetRequiredService<GitHubWebhookListener>());
        services.AddHostedService<PullRequestCheckWorker>();
        return services;
    }

    private static string Secret(string value, string? file, string variable)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        if (!string.IsNullOrWhiteSpace(file))
        {
            try
            {
                return File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return string.Empty; // validation then reports the missing secret
            }
        }

        return Environment.GetEnvironmentVariable(variable)?.Trim() ?? string.Empty;
    }
}
