using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PatchBot.Bot.State;

namespace PatchBot.Bot.Worker;

/// <summary>/healthz and /metrics on a loopback port (0 picks a free port, logged).</summary>
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

        // A small HTTP/1.1 responder on a TcpListener: two GET paths, Connection: close. (The managed
        // HttpListener can throw from Start() when a client connects while it is starting.)
        var listener = new TcpListener(IPAddress.Parse(o.Address), o.Port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            BotLog.HealthFailed(logger, string.Create(CultureInfo.InvariantCulture, $"cannot listen on {o.Address}:{o.Port}: {e.Message}"));
            return;
        }

        try
        {
            BotLog.HealthListening(logger, listener.LocalEndpoint.ToString() ?? o.Address);
            while (!stoppingToken.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                _ = Task.Run(() => ServeAsync(client, stoppingToken), stoppingToken);
            }
        }
        finally
        {
            listener.Stop();
            listener.Dispose();
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                var stream = client.GetStream();
                var buffer = new byte[8192];
                int length = 0;
                while (length < buffer.Length)
                {
                    int n = await stream.ReadAsync(buffer.AsMemory(length), timeout.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    length += n;
                    if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
                    {
                        break;
                    }
                }

                string head = Encoding.ASCII.GetString(buffer, 0, length);
                string[] requestLine = head.Split("\r\n", 2)[0].Split(' ');
                string path = requestLine.Length >= 2 ? requestLine[1] : "/";
                var (status, type, body) = Answer(path);
                byte[] bytes = Encoding.UTF8.GetBytes(body);
                string reason = status switch { 200 => "OK", 503 => "Service Unavailable", _ => "Not Found" };
                string header = string.Create(CultureInfo.InvariantCulture,
                    $"HTTP/1.1 {status} {reason}\r\nContent-Type: {type}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(header), timeout.Token).ConfigureAwait(false);
                await stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // the client went away, or the bot is stopping
            }
        }
    }

    private (int Status, string Type, string Body) Answer(string path)
    {
        int status = 200;
        string body;
        string type = "text/plain; charset=utf-8";
        if (path == "/healthz")
        {
            var age = time.GetUtcNow() - metrics.LastLoop;
            bool loopAlive = age < series.Value.Tick * 10 + TimeSpan.FromSeconds(30);
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
                ["patchbot_outbox_failed"] = store.CountOutbox(OutboxStates.Failed),
                ["patchbot_outbox_unconfirmed"] = store.CountOutbox(OutboxStates.Unconfirmed),
            });
        }
        else
        {
            status = 404;
            body = "not found: try /healthz or /metrics\n";
        }

        return (status, type, body);
    }
}
