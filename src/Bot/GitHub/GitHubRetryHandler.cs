using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// Retries GitHub API requests that met a rate limit (429, or 403 with x-ratelimit-remaining: 0 or
/// Retry-After) or a transient error (500, 502, 503, 504, a connection failure, a timeout), waiting
/// Retry-After, the rate limit's reset, or an exponential backoff with jitter, at most MaxRetryDelay each.
/// Logs the method and path only: never headers, so never the token.
/// </summary>
internal sealed partial class GitHubRetryHandler(GitHubSourceOptions options, TimeProvider time, ILogger logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // A retry sends the same content again.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            JsonContentType(request.Content);
        }

        for (int attempt = 0; ; attempt++)
        {
            HttpResponseMessage? response = null;
            string reason;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                reason = RetryReason(response);
                if (reason.Length == 0)
                {
                    return response;
                }
            }
            catch (HttpRequestException e) when (attempt < options.MaxRetries)
            {
                reason = e.StatusCode is HttpStatusCode code ? ((int)code).ToString(CultureInfo.InvariantCulture) : "connection failed";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && attempt < options.MaxRetries)
            {
                reason = "timed out";
            }

            var delay = Delay(response, attempt);
            if (attempt >= options.MaxRetries || delay > options.MaxRetryDelay)
            {
                LogGivingUp(logger, request.Method.Method, request.RequestUri?.AbsolutePath ?? string.Empty, reason, attempt + 1);
                return response!;
            }

            LogRetrying(logger, request.Method.Method, request.RequestUri?.AbsolutePath ?? string.Empty, reason, delay.TotalSeconds, attempt + 1);
            response?.Dispose();
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Octokit labels its JSON bodies application/x-www-form-urlencoded; the REST API's description accepts
    /// application/json only, so a JSON body is labelled as what it is.
    /// </summary>
    private static void JsonContentType(HttpContent content)
    {
        if (content.Headers.ContentType?.MediaType is "application/x-www-form-urlencoded" or null
            && content is StringContent or ByteArrayContent)
        {
            var bytes = content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            int i = 0;
            while (i < bytes.Length && bytes[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                i++;
            }

            if (i < bytes.Length && bytes[i] is (byte)'{' or (byte)'[')
            {
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            }
        }
    }

    /// <summary>Why a response should be retried, or empty.</summary>
    internal static string RetryReason(HttpResponseMessage response)
    {
        int status = (int)response.StatusCode;
        if (status == 429)
        {
            return "rate limited (429)";
        }

        if (status == 403 && (Header(response, "x-ratelimit-remaining") == "0" || response.Headers.RetryAfter is not null))
        {
            return "rate limited (403)";
        }

        return status is 500 or 502 or 503 or 504 ? $"server error ({status})" : string.Empty;
    }

    private TimeSpan Delay(HttpResponseMessage? response, int attempt)
    {
        if (response?.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is TimeSpan delta)
            {
                return delta;
            }

            if (retryAfter.Date is DateTimeOffset date)
            {
                return Max(date - time.GetUtcNow(), TimeSpan.Zero);
            }
        }

        if (response is not null && Header(response, "x-ratelimit-remaining") == "0"
            && long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long reset))
        {
            return Max(DateTimeOffset.FromUnixTimeSeconds(reset) - time.GetUtcNow(), TimeSpan.Zero) + TimeSpan.FromSeconds(1);
        }

        double factor = Math.Pow(2, attempt) * (0.75 + (Random.Shared.NextDouble() / 2));
        var backoff = TimeSpan.FromTicks((long)(options.RetryBaseDelay.Ticks * factor));
        return backoff > options.MaxRetryDelay ? options.MaxRetryDelay : backoff;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "GitHub {Method} {Path}: {Reason}; retry {Attempt} in {Seconds:0.0} s")]
    private static partial void LogRetrying(ILogger logger, string method, string path, string reason, double seconds, int attempt);

    [LoggerMessage(EventId = 611, Level = LogLevel.Error, Message = "GitHub {Method} {Path}: {Reason}; giving up after {Attempts} attempts")]
    private static partial void LogGivingUp(ILogger logger, string method, string path, string reason, int attempts);
}
