using Microsoft.Extensions.Logging;
using Octokit;
using Octokit.Internal;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// Builds the Octokit client: the configured API root taken as given (so a GitHub Enterprise Server's
/// https://HOST/api/v3/ works, and so does a local mock), the token as credentials, and the retry handler
/// in the HTTP pipeline. <paramref name="innerHandler"/> is the transport (tests may wrap it).
/// </summary>
internal sealed class GitHubClientFactory(GitHubSourceOptions options, TimeProvider time, ILoggerFactory loggers, Func<HttpMessageHandler>? innerHandler = null)
{
    public IGitHubClient Create()
    {
        OctokitNativeModels.Keep();
        var retry = new GitHubRetryHandler(options, time, loggers.CreateLogger<GitHubRetryHandler>())
        {
            InnerHandler = innerHandler?.Invoke() ?? new SocketsHttpHandler { AllowAutoRedirect = true, PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
        };
        var http = new HttpClientAdapter(() => retry);
        var connection = new Connection(
            new ProductHeaderValue("patchbot", ToolInfo.Version),
            options.NormalizedApiBaseUrl(),
            new InMemoryCredentialStore(new Credentials(options.Token, AuthenticationType.Bearer)),
            http,
            new SimpleJsonSerializer());
        var client = new GitHubClient(connection);
        client.SetRequestTimeout(options.RequestTimeout);
        return client;
    }
}
