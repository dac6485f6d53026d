using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// The webhook endpoint: a small HttpListener on the configured port. Every delivery must carry a valid
/// X-Hub-Signature-256 (else 401 and a log line); pull_request opened/synchronize/reopened are queued for the
/// checker (202), ping answers 200, other events and actions are acknowledged and ignored.
/// </summary>
internal sealed partial class GitHubWebhookListener(
    IOptions<GitHubSourceOptions> optionsAccessor,
    ChannelWriter<PullRequestEvent> queue,
    ILogger<GitHubWebhookListener> logger) : BackgroundService
{
    private readonly GitHubSourceOptions options = optionsAccessor.Value;
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the port is bound (tests wait on it).</summary>
    public Task Listening => listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new HttpListener();
        string prefix = string.Create(CultureInfo.InvariantCulture, $"http://{options.ListenAddress}:{options.Port}/");
        listener.Prefixes.Add(prefix);
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            LogCannotListen(logger, prefix, e.Message);
            listening.TrySetException(e);
            throw;
        }

        LogListening(logger, prefix, options.Path);
        listening.TrySetResult();
        using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    break;
                }

                LogAcceptFailed(logger, e.Message);
                continue;
            }

            try
            {
                var (status, text) = await HandleAsync(context.Request, stoppingToken).ConfigureAwait(false);
                Respond(context.Response, status, text);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                LogAcceptFailed(logger, e.Message);
            }
        }
    }

    private async Task<(int Status, string Text)> HandleAsync(HttpListenerRequest request, CancellationToken cancellationToken)
    {
        string? delivery = request.Headers["X-GitHub-Delivery"];
        string remote = request.RemoteEndPoint?.ToString() ?? "?";
        if (!string.Equals(request.Url?.AbsolutePath, options.Path, StringComparison.Ordinal))
        {
            return (404, "not found");
        }

        if (request.HttpMethod != "POST")
        {
            return (405, "POST only");
        }

        if (request.ContentLength64 > options.MaxPayloadBytes)
        {
            LogRejected(logger, delivery ?? "-", remote, "payload too large");
            return (413, "payload too large");
        }

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            var chunk = new byte[81920];
            int read;
            while ((read = await request.InputStream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > options.MaxPayloadBytes)
                {
                    LogRejected(logger, delivery ?? "-", remote, "payload too large");
                    return (413, "payload too large");
                }

                buffer.Write(chunk, 0, read);
            }

            body = buffer.ToArray();
        }

        string? signature = request.Headers["X-Hub-Signature-256"];
        if (signature is null)
        {
            LogRejected(logger, delivery ?? "-", remote, "no X-Hub-Signature-256");
            return (401, "signature required");
        }

        if (!WebhookSignature.Verify(options.WebhookSecret, body, signature))
        {
            LogRejected(logger, delivery ?? "-", remote, "X-Hub-Signature-256 does not match");
            return (401, "bad signature");
        }

        string eventName = request.Headers["X-GitHub-Event"] ?? string.Empty;
        if (eventName == "ping")
        {
            return (200, "pong");
        }

        if (eventName != "pull_request")
        {
            return (202, "ignored: not a pull_request event");
        }

        if (!PullRequestEvent.TryParse(body, delivery, out var evt, out string reason))
        {
            LogBadPayload(logger, delivery ?? "-", reason);
            return (400, reason);
        }

        if (!PullRequestEvent.CheckedActions.Contains(evt!.Action))
        {
            return (202, $"ignored: action {evt.Action}");
        }

        if (!queue.TryWrite(evt))
        {
            LogQueueFull(logger, delivery ?? "-", evt.Owner, evt.Repository, evt.Number);
            return (503, "busy, redeliver later");
        }

        LogQueued(logger, delivery ?? "-", evt.Action, evt.Owner, evt.Repository, evt.Number, evt.HeadSha);
        return (202, "queued");
    }

    private static void Respond(HttpListenerResponse response, int status, string text)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        var bytes = System.Text.Encoding.UTF8.GetBytes(text + "\n");
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "GitHub webhook listening on {Prefix} path {Path}")]
    private static partial void LogListening(ILogger logger, string prefix, string path);

    [LoggerMessage(EventId = 601, Level = LogLevel.Critical, Message = "GitHub webhook cannot listen on {Prefix}: {Reason}")]
    private static partial void LogCannotListen(ILogger logger, string prefix, string reason);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "GitHub webhook rejected delivery {Delivery} from {Remote} with 401/413: {Reason}")]
    private static partial void LogRejected(ILogger logger, string delivery, string remote, string reason);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "GitHub webhook delivery {Delivery}: bad payload: {Reason}")]
    private static partial void LogBadPayload(ILogger logger, string delivery, string reason);

    [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "GitHub webhook delivery {Delivery} for {Owner}/{Repository}#{Number}: queue full, answered 503")]
    private static partial void LogQueueFull(ILogger logger, string delivery, string owner, string repository, int number);

    [LoggerMessage(EventId = 605, Level = LogLevel.Information, Message = "GitHub webhook delivery {Delivery}: pull_request {Action} {Owner}/{Repository}#{Number} at {HeadSha} queued")]
    private static partial void LogQueued(ILogger logger, string delivery, string action, string owner, string repository, int number, string headSha);

    [LoggerMessage(EventId = 606, Level = LogLevel.Warning, Message = "GitHub webhook: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);
}
