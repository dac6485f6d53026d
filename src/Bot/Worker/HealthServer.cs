using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PatchBot.Bot.State;

namespace PatchBot.Bot.Worker;

/// <summary>/healthz and /metrics on a loopback port, with a plain <see cref="HttpListener"/>.</summary>
internal sealed class HealthServer(
    IOptions<HealthOptions> options,
    IOptions<SeriesOptions> series,
    BotMetrics metrics,
    BotStore store,
    TimeProvider time,
    ILogger<HealthServer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        int port = o.Port == 0 ? FreePort() : o.Port;
        using var listener = new HttpListener();
        string endpoint = string.Create(CultureInfo.InvariantCulture, $"{o.Address}:{port}");
        listener.Prefixes.Add($"http://{endpoint}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            BotLog.HealthFailed(logger, $"cannot listen on {endpoint}: {e.Message}");
            return;
        }

        BotLog.HealthListening(logger, endpoint);
        using var reg = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break;
            }

            try
            {
                Answer(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                BotLog.HealthFailed(logger, e.Message);
            }
        }
    }

    private void Answer(HttpListenerContext context)
    {
        string path = context.Request.Url?.AbsolutePath ?? "/";
        int status = 200;
        string body;
        string type = "text/plain; charset=utf-8";
        if (path == "/healthz")
        {
            var age = time.GetUtcNow() - metrics.LastLoop;
            bool loopAlive = age < series.Value.Tick * 10 + TimeSpan.FromSeconds(30);
            var down = metrics.Connected.Where(c => c.Value == 0).Select(c => c.Key).ToList();
            status = loopAlive ? 200 : 503;
            var sb = new StringBuilder();
            sb.Append(loopAlive ? "ok\n" : "stalled: the processing loop has not run for " + age + "\n");
            foreach (var (source, up) in metrics.Connected.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                sb.Append(CultureInfo.InvariantCulture, $"source {source}: {(up == 1 ? "connected" : "reconnecting")}\n");
            }

            body = sb.ToString();
        }
        else if (path == "/metrics")
        {
            type = "text/plain; version=0.0.4; charset=utf-8";
            body = metrics.Render(new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["patchbot_messages_pending"] = store.CountMessages(MessageStates.Pending) + store.CountMessages(MessageStates.New),
                ["patchbot_outbox_pending"] = store.CountOutbox(OutboxStates.Pending) + store.CountOutbox(OutboxStates.Sending),
            });
        }
        else
        {
            status = 404;
            body = "not found: try /healthz or /metrics\n";
        }

        byte[] bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = type;
        context.Response.ContentLength64 = bytes.Length;
        context.Response.OutputStream.Write(bytes);
        context.Response.Close();
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
