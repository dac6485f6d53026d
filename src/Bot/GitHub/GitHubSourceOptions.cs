using System.Globalization;
using Microsoft.Extensions.Options;
using PatchBot.Engine.Check;

namespace PatchBot.Bot.GitHub;

/// <summary>How findings go back to GitHub.</summary>
internal enum GitHubReportMode
{
    /// <summary>A check run with annotations: needs a GitHub App installation token.</summary>
    CheckRun,
    /// <summary>A commit status plus one pull-request comment that is edited on each push: a plain token is enough.</summary>
    StatusComment,
}

/// <summary>The GitHub source of <c>patchbot serve</c>: where webhooks arrive, how to reach the API, how to report.</summary>
internal sealed class GitHubSourceOptions
{
    public const string SectionName = "GitHub";

    /// <summary>Where the webhook listens: "*" for every address, "localhost", or an address such as 127.0.0.1.</summary>
    public string ListenAddress { get; set; } = "*";

    /// <summary>TCP port of the webhook endpoint.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Path that receives deliveries.</summary>
    public string Path { get; set; } = "/webhook";

    /// <summary>The webhook secret that X-Hub-Signature-256 is computed with. Required.</summary>
    public string WebhookSecret { get; set; } = string.Empty;

    /// <summary>An installation token (CheckRun) or a personal/Actions token (StatusComment). Required; never logged.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>A file holding <see cref="Token"/> (else $GITHUB_TOKEN).</summary>
    public string? TokenFile { get; set; }

    /// <summary>A file holding <see cref="WebhookSecret"/> (else $GITHUB_WEBHOOK_SECRET).</summary>
    public string? WebhookSecretFile { get; set; }

    /// <summary>REST API root: https://api.github.com/ or a GitHub Enterprise Server's https://HOST/api/v3/.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.github.com/");

    public GitHubReportMode Mode { get; set; } = GitHubReportMode.CheckRun;

    /// <summary>Findings at or above this severity make the check run fail and the status "failure".</summary>
    public FailLevel FailLevel { get; set; } = FailLevel.Warning;

    /// <summary>Name of the check run and context of the commit status.</summary>
    public string CheckName { get; set; } = "patchbot";

    /// <summary>Annotations per request; GitHub accepts at most 50.</summary>
    public int AnnotationsPerRequest { get; set; } = 50;

    /// <summary>Most commits of one pull request checked (GitHub lists at most 250).</summary>
    public int MaxCommits { get; set; } = 250;

    /// <summary>Largest delivery accepted, in bytes (GitHub caps payloads at 25 MB).</summary>
    public int MaxPayloadBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Most request headers accepted (GitHub sends about fifteen).</summary>
    public int MaxRequestHeaderCount { get; set; } = 64;

    /// <summary>Largest total size of the request line and headers, in bytes.</summary>
    public int MaxRequestHeaderBytes { get; set; } = 16 * 1024;

    /// <summary>Most connections open at once; beyond this, new ones are refused.</summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>Time a client has to send the request headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time an idle kept-alive connection stays open.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Slowest body accepted, in bytes per second, after <see cref="MinRequestBodyGracePeriod"/>: a client
    /// sending slower is cut off (and so is one reading the answer slower).</summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Time before <see cref="MinRequestBodyBytesPerSecond"/> applies.</summary>
    public TimeSpan MinRequestBodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Pull-request events waiting for the checker; beyond this, deliveries get 503 and GitHub shows them as failed.</summary>
    public int QueueCapacity { get; set; } = 64;

    /// <summary>Retries of a request that met a rate limit or a transient error.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First backoff; each retry doubles it.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest single wait; a rate limit that resets later than this fails the request instead.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Time limit of one API request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Local clones (bare or mirror) of the repositories checked: a pull request is analysed against its base
    /// commit read from the clone (fetched when the clone does not have it yet), so callers in files the pull request does
    /// not touch are seen. A repository without a clone is analysed from the whole files of its changed files only.</summary>
    public List<GitHubCloneOptions> Clones { get; set; } = [];

    /// <summary>Time limit of one <c>git fetch</c> in a clone.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The errors that stop the source from starting; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(WebhookSecret))
        {
            errors.Add("GitHub:WebhookSecret is required: unsigned deliveries are never accepted");
        }

        if (string.IsNullOrWhiteSpace(Token))
        {
            errors.Add("GitHub:Token is required");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"GitHub:Port {Port} is not a TCP port"));
        }

        if (ListenAddress is not ("*" or "localhost") && !System.Net.IPAddress.TryParse(ListenAddress, out _))
        {
            errors.Add($"GitHub:ListenAddress {ListenAddress} must be *, localhost or an IP address");
        }

        if (MaxRequestHeaderCount < 16 || MaxRequestHeaderBytes < 4096 || MaxConnections < 1)
        {
            errors.Add("GitHub:MaxRequestHeaderCount must be at least 16, MaxRequestHeaderBytes at least 4096, MaxConnections positive");
        }

        if (RequestHeadersTimeout <= TimeSpan.Zero || KeepAliveTimeout <= TimeSpan.Zero || MinRequestBodyBytesPerSecond <= 0 || MinRequestBodyGracePeriod < TimeSpan.FromSeconds(1))
        {
            errors.Add("GitHub:RequestHeadersTimeout, KeepAliveTimeout and MinRequestBodyBytesPerSecond must be positive, MinRequestBodyGracePeriod at least 1 s");
        }

        if (!Path.StartsWith('/'))
        {
            errors.Add("GitHub:Path must start with /");
        }

        if (!ApiBaseUrl.IsAbsoluteUri || (ApiBaseUrl.Scheme != Uri.UriSchemeHttps && ApiBaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add("GitHub:ApiBaseUrl must be an absolute http(s) URL");
        }

        if (AnnotationsPerRequest is < 1 or > 50)
        {
            errors.Add("GitHub:AnnotationsPerRequest must be 1..50 (GitHub's limit)");
        }

        if (MaxCommits < 1 || QueueCapacity < 1 || MaxRetries < 0 || MaxPayloadBytes < 1024)
        {
            errors.Add("GitHub:MaxCommits, QueueCapacity, MaxPayloadBytes must be positive and MaxRetries not negative");
        }

        if (RetryBaseDelay < TimeSpan.Zero || MaxRetryDelay < RetryBaseDelay || RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add("GitHub:RetryBaseDelay, MaxRetryDelay and RequestTimeout must be positive, MaxRetryDelay >= RetryBaseDelay");
        }

        for (int i = 0; i < Clones.Count; i++)
        {
            var clone = Clones[i];
            string at = string.Create(CultureInfo.InvariantCulture, $"GitHub:Clones:{i}");
            if (clone.Repository.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
            {
                errors.Add($"{at}:Repository '{clone.Repository}' is not owner/name");
            }

            if (string.IsNullOrEmpty(clone.Path) || !Directory.Exists(clone.Path))
            {
                errors.Add($"{at}:Path '{clone.Path}' does not exist (make it with git clone --mirror)");
            }
        }

        if (FetchTimeout <= TimeSpan.Zero)
        {
            errors.Add("GitHub:FetchTimeout must be positive");
        }

        return errors;
    }

    /// <summary>The API root with a trailing slash; github.com itself means api.github.com.</summary>
    public Uri NormalizedApiBaseUrl()
    {
        var url = ApiBaseUrl;
        if (string.Equals(url.Host, "github.com", StringComparison.OrdinalIgnoreCase))
        {
            return new Uri("https://api.github.com/");
        }

        string text = url.ToString();
        return text.EndsWith('/') ? url : new Uri(text + "/");
    }

    /// <summary>No secrets: the token and webhook secret are never printed, logged or serialized by this.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"GitHub source: listen {ListenAddress}:{Port}{Path}, API {ApiBaseUrl}, mode {Mode}, fail level {FailLevel}, token {(Token.Length > 0 ? "set" : "missing")}, secret {(WebhookSecret.Length > 0 ? "set" : "missing")}");
}

/// <summary>A local clone of one repository (GitHub:Clones:N).</summary>
internal sealed class GitHubCloneOptions
{
    /// <summary>"owner/name" as in the repository's URL (compared without regard to case).</summary>
    public string Repository { get; set; } = string.Empty;

    /// <summary>The clone's folder; its "origin" remote is what is fetched.</summary>
    public string Path { get; set; } = string.Empty;
}

/// <summary>Checks <see cref="GitHubSourceOptions"/> when the host starts.</summary>
internal sealed class GitHubSourceOptionsValidator : IValidateOptions<GitHubSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubSourceOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
