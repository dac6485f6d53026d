using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PatchBot.Bot.GitHub;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>The GitHub source in a real host on 127.0.0.1, talking to Prism through <see cref="PrismTransport"/>.</summary>
internal sealed class WebhookHost : IAsyncDisposable
{
    public const string Secret = "It's a Secret to Everybody";
    public const string Token = "ghs_PatchBotTestToken0123456789abcdefXYZ";

    private readonly IHost host;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private WebhookHost(IHost host, int port, PrismTransport transport, CapturingLoggerProvider logs)
    {
        this.host = host;
        Port = port;
        Transport = transport;
        Logs = logs;
        host.Services.GetRequiredService<PullRequestCheckService>().Completed += (evt, result, error) => Completed.Add((evt, result, error));
    }

    public int Port { get; }

    public PrismTransport Transport { get; }

    public CapturingLoggerProvider Logs { get; }

    public BlockingCollection<(PullRequestEvent Event, PublishResult? Result, Exception? Error)> Completed { get; } = [];

    public static async Task<WebhookHost> StartAsync(Uri api, PrismTransport transport, Action<GitHubSourceOptions>? configure = null)
    {
        int port = NpmTools.FreePort();
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        builder.Services.AddGitHubSource(null, o =>
        {
            o.ListenAddress = "127.0.0.1";
            o.Port = port;
            o.WebhookSecret = Secret;
            o.Token = Token;
            o.ApiBaseUrl = api;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromSeconds(2);
            configure?.Invoke(o);
        }, () => transport);
        var host = builder.Build();
        var started = new WebhookHost(host, port, transport, logs);
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await host.Services.GetRequiredService<GitHubWebhookListener>().Listening.WaitAsync(TimeSpan.FromSeconds(30));
        return started;
    }

    /// <summary>Posts a delivery; <paramref name="signature"/> null sends none.</summary>
    public async Task<int> PostAsync(string eventName, byte[] body, string? signature, string path = "/webhook")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{Port}{path}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.UserAgent.ParseAdd("GitHub-Hookshot/test");
        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature);
        }

        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    public static byte[] Bytes(System.Text.Json.Nodes.JsonNode payload) => Encoding.UTF8.GetBytes(payload.ToJsonString());

    public (PullRequestEvent Event, PublishResult? Result, Exception? Error) WaitCompleted()
    {
        Assert.True(Completed.TryTake(out var done, TimeSpan.FromSeconds(90)), "the pull request was not checked within 90 s:\n" + Logs.All);
        return done;
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        host.Dispose();
        http.Dispose();
        Transport.Dispose();
    }
}
