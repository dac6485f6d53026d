using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using PatchBot.Bot.GitHub;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// The webhook listener on real sockets: a slow client never holds up other deliveries and is cut off, limits on the
/// body and the headers, any Host header accepted on 127.0.0.1 (a reverse proxy sends its own), and /healthz.
/// </summary>
[Collection(PrismGroup.Name)]
public sealed class ListenerLimitsTests(PrismServer prism)
{
    private static readonly byte[] Ping = "{\"zen\":\"Keep it logically awesome.\"}"u8.ToArray();

    [Fact]
    public async Task A_client_sending_a_byte_every_two_seconds_blocks_no_other_delivery_and_is_cut_off()
    {
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, new PrismTransport(), o => o.MinRequestBodyGracePeriod = TimeSpan.FromSeconds(3));
        using var slow = new TcpClient();
        await slow.ConnectAsync("127.0.0.1", host.Port);
        var stream = slow.GetStream();
        string signature = WebhookSignature.Sign(WebhookHost.Secret, Ping);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{host.Port}\r\nX-GitHub-Event: ping\r\nX-Hub-Signature-256: {signature}\r\nContent-Type: application/json\r\nContent-Length: {Ping.Length}\r\n\r\n"));
        using var trickle = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            try
            {
                foreach (byte b in Ping)
                {
                    await stream.WriteAsync(new[] { b }, trickle.Token);
                    await Task.Delay(TimeSpan.FromSeconds(2), trickle.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // cut off by the server, as it should be
            }
        });

        // While the slow body trickles in, other deliveries and the health endpoint answer at once.
        await Task.Delay(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 3; i++)
        {
            var timer = Stopwatch.StartNew();
            Assert.Equal(200, await host.PostAsync("ping", Ping, signature));
            Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"a delivery waited {timer.Elapsed} behind the slow client");
        }

        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{host.Port}/healthz"));
            Assert.Equal(200, (int)health.StatusCode);
            Assert.StartsWith("ok", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Past the grace period, the slow client is below the minimum data rate: it gets 408 or its connection closed,
        // long before its 36 bytes would have taken 72 s.
        var cutOff = Stopwatch.StartNew();
        var answer = new byte[256];
        int read;
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            read = await stream.ReadAsync(answer, wait.Token);
        }
        catch (IOException)
        {
            read = 0; // reset
        }

        string text = Encoding.ASCII.GetString(answer, 0, read);
        Assert.True(read == 0 || text.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), "the slow client got: " + text);
        Assert.True(cutOff.Elapsed < TimeSpan.FromSeconds(15), $"cut off only after {cutOff.Elapsed}");
        await trickle.CancelAsync();
        await sending;
        Assert.Contains("rejected delivery", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_sent_too_slowly_are_cut_off_by_the_headers_timeout()
    {
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, new PrismTransport(), o => o.RequestHeadersTimeout = TimeSpan.FromSeconds(2));
        using var slow = new TcpClient();
        await slow.ConnectAsync("127.0.0.1", host.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync("POST /webhook HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        var timer = Stopwatch.StartNew();
        var answer = new byte[256];
        int read;
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            read = await stream.ReadAsync(answer, wait.Token);
        }
        catch (IOException)
        {
            read = 0;
        }

        string text = Encoding.ASCII.GetString(answer, 0, read);
        Assert.True(read == 0 || text.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), "got: " + text);
        Assert.InRange(timer.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("bot.example.org")]
    [InlineData("bot.example.org:443")]
    [InlineData("localhost:8080")]
    public async Task Any_host_header_is_served_on_127_0_0_1_as_behind_a_reverse_proxy(string hostHeader)
    {
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, new PrismTransport());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{host.Port}/webhook") { Content = new ByteArrayContent(Ping) };
        request.Headers.Host = hostHeader;
        request.Headers.Add("X-GitHub-Event", "ping");
        request.Headers.Add("X-Forwarded-For", "192.0.2.7");
        request.Headers.Add("X-Hub-Signature-256", WebhookSignature.Sign(WebhookHost.Secret, Ping));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("pong", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_whether_announced_or_chunked()
    {
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, new PrismTransport(), o => o.MaxPayloadBytes = 4096);
        byte[] big = Encoding.UTF8.GetBytes("{\"zen\":\"" + new string('x', 10_000) + "\"}");
        string signature = WebhookSignature.Sign(WebhookHost.Secret, big);
        string head = $"POST /webhook HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: ping\r\nX-Hub-Signature-256: {signature}\r\n";

        // Announced: refused from the Content-Length alone, before any of the body is sent.
        Assert.StartsWith("HTTP/1.1 413", await ExchangeAsync(host.Port, Encoding.ASCII.GetBytes(head + $"Content-Length: {big.Length}\r\n\r\n")), StringComparison.Ordinal);

        // Chunked: no length to refuse it by; Kestrel stops the read at the limit.
        var chunked = new MemoryStream();
        chunked.Write(Encoding.ASCII.GetBytes(head + "Transfer-Encoding: chunked\r\n\r\n"));
        chunked.Write(Encoding.ASCII.GetBytes($"{big.Length:x}\r\n"));
        chunked.Write(big);
        chunked.Write("\r\n0\r\n\r\n"u8);
        Assert.StartsWith("HTTP/1.1 413", await ExchangeAsync(host.Port, chunked.ToArray()), StringComparison.Ordinal);
        Assert.Equal(200, await host.PostAsync("ping", Ping, WebhookSignature.Sign(WebhookHost.Secret, Ping)));
    }

    /// <summary>Sends <paramref name="request"/> on a new connection and reads the start of the answer.</summary>
    private static async Task<string> ExchangeAsync(int port, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        var answer = new byte[512];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read = await stream.ReadAsync(answer, wait.Token);
        return Encoding.ASCII.GetString(answer, 0, read);
    }

    [Fact]
    public void A_port_in_use_stops_github_webhook_with_exit_1_and_says_why()
    {
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var run = CliProcess.Run(["github-webhook", "--listen", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--api-url", prism.BaseUrl.ToString()],
            environment: new Dictionary<string, string> { ["GITHUB_TOKEN"] = WebhookHost.Token, ["GITHUB_WEBHOOK_SECRET"] = WebhookHost.Secret });
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"GitHub webhook cannot listen on http://127.0.0.1:{port}/", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.Contains("patchbot github-webhook: stopped after a failure", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_headers_are_refused_with_431()
    {
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, new PrismTransport());
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", host.Port);
        var stream = client.GetStream();
        var head = new StringBuilder("POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n");
        for (int i = 0; i < 200; i++)
        {
            head.Append("X-Filler-").Append(i).Append(": y\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        var answer = new byte[256];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read = await stream.ReadAsync(answer, wait.Token);
        Assert.StartsWith("HTTP/1.1 431", Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
    }
}
