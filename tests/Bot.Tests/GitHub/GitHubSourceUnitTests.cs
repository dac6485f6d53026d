using System.Net;
using PatchBot.Bot.GitHub;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>Signature, payload, options and retry behaviour of the GitHub source, without a server.</summary>
public sealed class GitHubSourceUnitTests
{
    [Fact]
    public void Signature_matches_githubs_documented_example()
    {
        // From GitHub's "Validating webhook deliveries" page.
        byte[] body = "Hello, World!"u8.ToArray();
        const string expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        Assert.Equal(expected, WebhookSignature.Sign("It's a Secret to Everybody", body));
        Assert.True(WebhookSignature.Verify("It's a Secret to Everybody", body, expected));
        Assert.True(WebhookSignature.Verify("It's a Secret to Everybody", body, expected.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal)));
        Assert.False(WebhookSignature.Verify("It's a Secret to Everybody", "Hello, World?"u8, expected));
        Assert.False(WebhookSignature.Verify("another secret", body, expected));
        Assert.False(WebhookSignature.Verify("It's a Secret to Everybody", body, expected[..^1]));
        Assert.False(WebhookSignature.Verify("It's a Secret to Everybody", body, expected[..^1] + "g"));
        Assert.False(WebhookSignature.Verify("", body, WebhookSignature.Sign("", body)));
    }

    [Fact]
    public void The_pull_request_fields_are_read_from_githubs_payload_shape()
    {
        var payload = WebhookExamples.Payload("pull-request-synchronize");
        Assert.True(PullRequestEvent.TryParse(WebhookHost.Bytes(payload), "d1", out var evt, out string reason), reason);
        Assert.Equal("synchronize", evt!.Action);
        Assert.Equal(payload["repository"]!["owner"]!["login"]!.GetValue<string>(), evt.Owner);
        Assert.Equal(payload["repository"]!["name"]!.GetValue<string>(), evt.Repository);
        Assert.Equal(payload["pull_request"]!["number"]!.GetValue<int>(), evt.Number);
        Assert.Equal(payload["pull_request"]!["base"]!["sha"]!.GetValue<string>(), evt.BaseSha);

        payload["pull_request"]!["head"]!.AsObject().Remove("sha");
        Assert.False(PullRequestEvent.TryParse(WebhookHost.Bytes(payload), null, out _, out reason));
        Assert.Contains("head.sha", reason, StringComparison.Ordinal);
        Assert.False(PullRequestEvent.TryParse("[1,2"u8, null, out _, out _));
        Assert.False(PullRequestEvent.TryParse(System.Text.Encoding.UTF8.GetBytes(new string('[', 100_000)), null, out _, out _));
    }

    [Fact]
    public void Options_are_validated_and_never_show_the_token()
    {
        var options = new GitHubSourceOptions { Token = WebhookHost.Token, WebhookSecret = WebhookHost.Secret };
        Assert.Empty(options.Validate());
        Assert.DoesNotContain(WebhookHost.Token, options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookHost.Secret, options.ToString(), StringComparison.Ordinal);

        Assert.Contains(new GitHubSourceOptions { Token = "t" }.Validate(), e => e.Contains("WebhookSecret", StringComparison.Ordinal));
        Assert.Contains(new GitHubSourceOptions { WebhookSecret = "s" }.Validate(), e => e.Contains("Token", StringComparison.Ordinal));
        Assert.NotEmpty(new GitHubSourceOptions { Token = "t", WebhookSecret = "s", Port = 70000 }.Validate());
        Assert.NotEmpty(new GitHubSourceOptions { Token = "t", WebhookSecret = "s", AnnotationsPerRequest = 51 }.Validate());
        Assert.NotEmpty(new GitHubSourceOptions { Token = "t", WebhookSecret = "s", ApiBaseUrl = new Uri("ftp://example.org/") }.Validate());

        Assert.Equal(new Uri("https://api.github.com/"), new GitHubSourceOptions { ApiBaseUrl = new Uri("https://github.com") }.NormalizedApiBaseUrl());
        Assert.Equal(new Uri("https://ghe.example.org/api/v3/"), new GitHubSourceOptions { ApiBaseUrl = new Uri("https://ghe.example.org/api/v3") }.NormalizedApiBaseUrl());
    }

    [Fact]
    public void Serve_hosts_the_github_source_when_its_section_is_configured()
    {
        using (var with = PatchBot.Bot.Worker.ServeHost.Build(null, ["--GitHub:Port=18081", "--GitHub:ListenAddress=127.0.0.1", "--GitHub:Token=t", "--GitHub:WebhookSecret=s"]))
        {
            Assert.NotNull(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetService<GitHubWebhookListener>(with.Services));
        }

        using var without = PatchBot.Bot.Worker.ServeHost.Build(null, []);
        Assert.Null(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetService<GitHubWebhookListener>(without.Services));
    }

    [Fact]
    public async Task Rate_limits_and_transient_errors_are_retried_with_the_same_body()
    {
        var stub = new StubHandler(
            _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            _ => Limited(HttpStatusCode.Forbidden, retryAfterSeconds: 0),
            _ => new HttpResponseMessage((HttpStatusCode)429),
            _ => throw new HttpRequestException("connection reset"),
            _ => new HttpResponseMessage(HttpStatusCode.Created));
        var logs = new CapturingLoggerProvider();
        using var client = Client(stub, logs, maxRetries: 4);
        using var response = await client.PostAsync(new Uri("http://127.0.0.1:1/repos/o/r/check-runs"), new StringContent("{\"name\":\"x\"}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(5, stub.Bodies.Count);
        Assert.All(stub.Bodies, b => Assert.Equal("{\"name\":\"x\"}", b));
        Assert.All(stub.ContentTypes, t => Assert.Equal("application/json", t));
        Assert.Equal(4, logs.Lines.Count(l => l.Contains("retry", StringComparison.Ordinal)));
        Assert.DoesNotContain(WebhookHost.Token, logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rate_limit_that_resets_too_late_and_client_errors_are_not_retried()
    {
        long reset = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var late = new StubHandler(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.Forbidden);
            r.Headers.Add("x-ratelimit-remaining", "0");
            r.Headers.Add("x-ratelimit-reset", reset.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return r;
        });
        using (var client = Client(late, new CapturingLoggerProvider(), maxRetries: 3))
        {
            using var response = await client.GetAsync(new Uri("http://127.0.0.1:1/rate"));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Single(late.Bodies);
        }

        var notFound = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound));
        using (var client = Client(notFound, new CapturingLoggerProvider(), maxRetries: 3))
        {
            using var response = await client.GetAsync(new Uri("http://127.0.0.1:1/missing"));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Single(notFound.Bodies);
        }

        var failing = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.BadGateway));
        using (var client = Client(failing, new CapturingLoggerProvider(), maxRetries: 2))
        {
            using var response = await client.GetAsync(new Uri("http://127.0.0.1:1/down"));
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal(3, failing.Bodies.Count);
        }
    }

    private static HttpClient Client(HttpMessageHandler inner, CapturingLoggerProvider logs, int maxRetries)
    {
        var options = new GitHubSourceOptions
        {
            Token = WebhookHost.Token,
            MaxRetries = maxRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            MaxRetryDelay = TimeSpan.FromSeconds(2),
        };
        var handler = new GitHubRetryHandler(options, TimeProvider.System, logs.CreateLogger("retry")) { InnerHandler = inner };
        return new HttpClient(handler);
    }

    private static HttpResponseMessage Limited(HttpStatusCode status, int retryAfterSeconds)
    {
        var r = new HttpResponseMessage(status);
        r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(retryAfterSeconds));
        return r;
    }

    /// <summary>Answers each request with the next function (the last repeats), recording what was sent.</summary>
    private sealed class StubHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];

        public List<string?> ContentTypes { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
            ContentTypes.Add(request.Content?.Headers.ContentType?.MediaType);
            var answer = answers[Math.Min(Bodies.Count - 1, answers.Length - 1)];
            return answer(request);
        }
    }
}
