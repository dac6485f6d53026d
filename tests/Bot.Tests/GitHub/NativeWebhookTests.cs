using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PatchBot.Bot.GitHub;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// The shipped build: <c>scripts/patchbot github-webhook</c> (the Native AOT binary) receives a signed pull_request
/// delivery and completes a check run against Prism serving GitHub's OpenAPI description, as the JIT tests do in
/// process. Octokit serializes by reflection; under Native AOT what it builds at run time must have been compiled in
/// (<see cref="OctokitNativeModels"/>), so only the native binary shows whether it was.
/// </summary>
[Collection(PrismGroup.Name)]
public sealed class NativeWebhookTests(PrismServer prism)
{
    [Fact]
    public async Task The_native_binary_checks_a_pull_request_and_completes_its_check_run()
    {
        string binary = NativeBinary.Ensure();
        using var transport = new PrismTransport();
        await using var proxy = PrismProxy.Start(prism.BaseUrl, transport);
        int port = NpmTools.FreePort();
        using var bot = NativeProcess.Start(binary, ["github-webhook", "--listen", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--api-url", proxy.BaseUrl.ToString()],
            new Dictionary<string, string> { ["GITHUB_TOKEN"] = WebhookHost.Token, ["GITHUB_WEBHOOK_SECRET"] = WebhookHost.Secret });
        await bot.WaitForLineAsync("GitHub webhook listening", TimeSpan.FromSeconds(30));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (string action in new[] { "opened", "synchronize" })
        {
            int before = transport.Exchanges.Count(e => e.Method == "PATCH");
            byte[] body = WebhookHost.Bytes(WebhookExamples.Payload("pull-request-" + action));
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/webhook") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-GitHub-Event", "pull_request");
            request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
            request.Headers.Add("X-Hub-Signature-256", WebhookSignature.Sign(WebhookHost.Secret, body));
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

            // The check run completes: the last PATCH carries the conclusion.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (transport.Exchanges.Count(e => e.Method == "PATCH" && e.RequestBody.Contains("\"conclusion\":", StringComparison.Ordinal)) <= before)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no completed check run within 90 s; patchbot said:\n{bot.Output}");
                Assert.False(bot.HasExited, $"patchbot stopped (exit {(bot.HasExited ? bot.ExitCode : 0)}):\n{bot.Output}");
                await Task.Delay(100);
            }
        }

        Assert.False(bot.HasExited, bot.Output);
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());
        var calls = transport.Exchanges.Select(e => $"{e.Method} {e.Path.Split('?')[0]}").ToList();
        Assert.Contains(calls, c => c.StartsWith("POST /repos/", StringComparison.Ordinal) && c.EndsWith("/check-runs", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("GET /repos/", StringComparison.Ordinal) && c.Contains("/pulls/", StringComparison.Ordinal) && c.EndsWith("/commits", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("GET /repos/", StringComparison.Ordinal) && c.Contains("/commits/", StringComparison.Ordinal));

        // The request bodies are what the JIT build sends: the check run's status, the completion's conclusion and summary.
        var created = JsonNode.Parse(transport.Exchanges.First(e => e.Method == "POST" && e.Path.EndsWith("/check-runs", StringComparison.Ordinal)).RequestBody)!;
        Assert.Equal("in_progress", created["status"]!.GetValue<string>());
        Assert.Equal(WebhookExamples.Payload("pull-request-opened")["pull_request"]!["head"]!["sha"]!.GetValue<string>(), created["head_sha"]!.GetValue<string>());
        var completed = JsonNode.Parse(transport.Exchanges.Last(e => e.Method == "PATCH").RequestBody)!;
        Assert.Equal("completed", completed["status"]!.GetValue<string>());
        Assert.Contains("## PatchBot:", completed["output"]!["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("could not check", completed["output"]!["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", bot.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookHost.Token, bot.Output, StringComparison.Ordinal);
    }
}

/// <summary>The native binary, published by scripts/patchbot when missing or older than the sources.</summary>
internal static class NativeBinary
{
    private static readonly Lazy<string> Published = new(() =>
    {
        // A Native AOT publish takes minutes, and several times that on a loaded machine.
        var (exit, _, stderr) = NpmTools.Run("bash", [Path.Combine(RepoPaths.Root, "scripts", "patchbot"), "--version"], TimeSpan.FromMinutes(45));
        Assert.True(exit == 0, $"scripts/patchbot --version: exit {exit}\n{stderr}");
        return Path.Combine(RepoPaths.Root, "artifacts", "patchbot", "patchbot");
    });

    public static string Ensure() => Published.Value;
}

/// <summary>A long-running process whose output is collected as it comes.</summary>
internal sealed class NativeProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private NativeProcess(Process process)
    {
        this.process = process;
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public static NativeProcess Start(string program, IEnumerable<string> args, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var started = new NativeProcess(new Process { StartInfo = start });
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (started.output)
                {
                    started.output.AppendLine(e.Data);
                }
            }
        }

        started.process.OutputDataReceived += OnLine;
        started.process.ErrorDataReceived += OnLine;
        started.process.Start();
        started.process.BeginOutputReadLine();
        started.process.BeginErrorReadLine();
        return started;
    }

    public async Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(process.HasExited, $"exited with {(process.HasExited ? process.ExitCode : 0)} before \"{text}\":\n{Output}");
            Assert.True(DateTime.UtcNow < deadline, $"no \"{text}\" within {timeout}:\n{Output}");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        process.Dispose();
    }
}

/// <summary>
/// A forwarding HTTP server for a process under test: every request goes to Prism through <see cref="PrismTransport"/>
/// (which records it and adapts what the mock cannot do), and Prism's answer goes back.
/// </summary>
internal sealed class PrismProxy : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly HttpClient client;
    private readonly Uri prism;
    private readonly Task loop;

    private PrismProxy(Uri prism, PrismTransport transport, int port)
    {
        this.prism = prism;
        client = new HttpClient(transport, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(60) };
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        listener.Prefixes.Add(BaseUrl.ToString());
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public Uri BaseUrl { get; }

    public static PrismProxy Start(Uri prism, PrismTransport transport) => new(prism, transport, NpmTools.FreePort());

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await ForwardAsync(context);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or HttpListenerException or TaskCanceledException)
            {
                context.Response.StatusCode = 502;
                context.Response.Close();
            }
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        var incoming = context.Request;
        using var request = new HttpRequestMessage(new HttpMethod(incoming.HttpMethod), new Uri(prism, incoming.Url!.PathAndQuery));
        using var body = new MemoryStream();
        await incoming.InputStream.CopyToAsync(body);
        if (body.Length > 0 || incoming.HasEntityBody)
        {
            request.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (string name in incoming.Headers.AllKeys.OfType<string>())
        {
            if (name is "Host" or "Content-Length" or "Connection" or "Expect")
            {
                continue;
            }

            string[] values = incoming.Headers.GetValues(name) ?? [];
            if (!request.Headers.TryAddWithoutValidation(name, values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values);
            }
        }

        using var response = await client.SendAsync(request);
        byte[] answer = await response.Content.ReadAsByteArrayAsync();
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is not ("Content-Length" or "Transfer-Encoding" or "Connection" or "Keep-Alive"))
            {
                context.Response.Headers[name] = string.Join(", ", values);
            }
        }

        context.Response.ContentLength64 = answer.Length;
        await context.Response.OutputStream.WriteAsync(answer);
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop.ConfigureAwait(false);
        client.Dispose();
    }
}
