using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// The webhook endpoint, served by Kestrel: every delivery must carry a valid X-Hub-Signature-256 (else 401 and a log
/// line); pull_request opened/synchronize/reopened are queued for the checker (202), ping answers 200, other events and
/// actions are acknowledged and ignored. GET /healthz on the same port says whether the checker is keeping up.
/// <para>
/// Requests are served concurrently, under Kestrel's limits: the body size (<see cref="GitHubSourceOptions.MaxPayloadBytes"/>),
/// the header count and size, the time to send the headers, and a minimum body data rate, so a client that sends a byte
/// every few seconds is cut off and never holds up another delivery. Any Host header is accepted (a reverse proxy in
/// front sends its own); what authenticates a delivery is its signature.
/// </para>
/// <para>
/// The server is its own small application inside the host that runs the GitHub source (<c>github-webhook</c> or
/// <c>serve</c>), built from nothing (<see cref="WebApplication.CreateEmptyBuilder"/>): it reads no appsettings.json,
/// ASPNETCORE_* variables or "Kestrel" section of its own, so it listens only where the GitHub settings say, and it
/// logs through the host's loggers. Kestrel alone, without routing or JSON, keeps the Native AOT build small.
/// </para>
/// </summary>
internal sealed partial class GitHubWebhookListener(
    IOptions<GitHubSourceOptions> optionsAccessor,
    Channel<PullRequestEvent> channel,
    ILoggerFactory loggers,
    ILogger<GitHubWebhookListener> logger) : BackgroundService
{
    private readonly GitHubSourceOptions options = optionsAccessor.Value;
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the port is bound (tests wait on it).</summary>
    public Task Listening => listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var app = Build();
        string where = string.Create(CultureInfo.InvariantCulture, $"http://{options.ListenAddress}:{options.Port}/");
        try
        {
            await app.StartAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            LogCannotListen(logger, where, e.Message);
            listening.TrySetException(e);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        try
        {
            LogListening(logger, where, options.Path);
            listening.TrySetResult();
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the host is stopping
        }
        finally
        {
            // In-flight requests get a few seconds to finish; what was queued stays with the checker.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(grace.Token).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private WebApplication Build()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "patchbot-github-webhook" });
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;
            limits.MaxRequestBodySize = options.MaxPayloadBytes;
            limits.MaxRequestHeaderCount = options.MaxRequestHeaderCount;
            limits.MaxRequestHeadersTotalSize = options.MaxRequestHeaderBytes;
            limits.MaxRequestLineSize = Math.Min(8 * 1024, options.MaxRequestHeaderBytes);
            limits.MaxConcurrentConnections = options.MaxConnections;
            limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            limits.KeepAliveTimeout = options.KeepAliveTimeout;
            limits.MinRequestBodyDataRate = new MinDataRate(options.MinRequestBodyBytesPerSecond, options.MinRequestBodyGracePeriod);
            limits.MinResponseDataRate = new MinDataRate(options.MinRequestBodyBytesPerSecond, options.MinRequestBodyGracePeriod);
            switch (options.ListenAddress)
            {
                case "*":
                    kestrel.ListenAnyIP(options.Port);
                    break;
                case "localhost":
                    kestrel.ListenLocalhost(options.Port);
                    break;
                default:
                    kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port);
                    break;
            }
        });
        var app = builder.Build();
        app.Run(ServeAsync);
        return app;
    }

    private async Task ServeAsync(HttpContext context)
    {
        int status;
        string text;
        try
        {
            (status, text) = await HandleAsync(context).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            // Kestrel's limits: the body over MaxPayloadBytes (413), or sent too slowly (408).
            LogRejected(logger, context.Request.Headers["X-GitHub-Delivery"].ToString() is { Length: > 0 } d ? d : "-", Remote(context), e.Message);
            (status, text) = (e.StatusCode, e.StatusCode == 413 ? "payload too large" : "bad request");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away
        }

        if (context.RequestAborted.IsCancellationRequested || context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text + "\n", context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<(int Status, string Text)> HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string delivery = request.Headers["X-GitHub-Delivery"].ToString() is { Length: > 0 } d ? d : "-";
        string remote = Remote(context);
        if (string.Equals(request.Path.Value, "/healthz", StringComparison.Ordinal) && !string.Equals(options.Path, "/healthz", StringComparison.Ordinal))
        {
            return HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ? Health() : (405, "GET only");
        }

        if (!string.Equals(request.Path.Value, options.Path, StringComparison.Ordinal))
        {
            return (404, "not found");
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return (405, "POST only");
        }

        if (request.ContentLength > options.MaxPayloadBytes)
        {
            LogRejected(logger, delivery, remote, "payload too large");
            return (413, "payload too large");
        }

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            // Kestrel stops the read at MaxPayloadBytes (BadHttpRequestException 413) and when the client is too slow (408).
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }

        string? signature = request.Headers["X-Hub-Signature-256"].FirstOrDefault();
        if (signature is null)
        {
            LogRejected(logger, delivery, remote, "no X-Hub-Signature-256");
            return (401, "signature required");
        }

        if (!WebhookSignature.Verify(options.WebhookSecret, body, signature))
        {
            LogRejected(logger, delivery, remote, "X-Hub-Signature-256 does not match");
            return (401, "bad signature");
        }

        string eventName = request.Headers["X-GitHub-Event"].ToString();
        if (eventName == "ping")
        {
            return (200, "pong");
        }

        if (eventName != "pull_request")
        {
            return (202, "ignored: not a pull_request event");
        }

        if (!PullRequestEvent.TryParse(body, delivery == "-" ? null : delivery, out var evt, out string reason))
        {
            LogBadPayload(logger, delivery, reason);
            return (400, reason);
        }

        if (!PullRequestEvent.CheckedActions.Contains(evt!.Action))
        {
            return (202, $"ignored: action {evt.Action}");
        }

        if (!channel.Writer.TryWrite(evt))
        {
            LogQueueFull(logger, delivery, evt.Owner, evt.Repository, evt.Number);
            return (503, "busy, redeliver later");
        }

        LogQueued(logger, delivery, evt.Action, evt.Owner, evt.Repository, evt.Number, evt.HeadSha);
        return (202, "queued");
    }

    /// <summary>200 while the queue has room; 503 when it is full (deliveries are being refused).</summary>
    private (int Status, string Text) Health()
    {
        int waiting = channel.Reader.CanCount ? channel.Reader.Count : 0;
        bool full = waiting >= options.QueueCapacity;
        return (full ? 503 : 200, string.Create(CultureInfo.InvariantCulture,
            $"{(full ? "queue full" : "ok")}\npull requests waiting: {waiting} of {options.QueueCapacity}"));
    }

    private static string Remote(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? string.Create(CultureInfo.InvariantCulture, $"{ip}:{context.Connection.RemotePort}") : "?";

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "GitHub webhook listening on {Prefix} path {Path}")]
    private static partial void LogListening(ILogger logger, string prefix, string path);

    [LoggerMessage(EventId = 601, Level = LogLevel.Critical, Message = "GitHub webhook cannot listen on {Prefix}: {Reason}")]
    private static partial void LogCannotListen(ILogger logger, string prefix, string reason);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "GitHub webhook rejected delivery {Delivery} from {Remote}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string delivery, string remote, string reason);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "GitHub webhook delivery {Delivery}: bad payload: {Reason}")]
    private static partial void LogBadPayload(ILogger logger, string delivery, string reason);

    [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "GitHub webhook delivery {Delivery} for {Owner}/{Repository}#{Number}: queue full, answered 503")]
    private static partial void LogQueueFull(ILogger logger, string delivery, string owner, string repository, int number);

    [LoggerMessage(EventId = 605, Level = LogLevel.Information, Message = "GitHub webhook delivery {Delivery}: pull_request {Action} {Owner}/{Repository}#{Number} at {HeadSha} queued")]
    private static partial void LogQueued(ILogger logger, string delivery, string action, string owner, string repository, int number, string headSha);
}
