using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// The test transport under PatchBot's HTTP pipeline: records every request and Prism's answer. Two changes
/// only, both for the mock's sake: Prism cannot negotiate GitHub's vendor media types (it answers 406 to
/// application/vnd.github.v3+json), so application/json is added to Accept; and a GitHub Enterprise prefix
/// (/api/v3) is required and removed, as a GitHub Enterprise Server's front end does, when one is given.
/// Prism replays the description's example Link header (https://api.github.com/resource?page=2) on every
/// list, which would send the client's pagination off the machine: that header is dropped from answers.
/// </summary>
internal sealed class PrismTransport(string? enterprisePrefix = null) : DelegatingHandler(new SocketsHttpHandler())
{
    internal sealed record Exchange(string Method, string Path, int Status, string RequestBody, string ResponseBody, int? Preferred = null);

    public ConcurrentQueue<Exchange> Exchanges { get; } = new();

    /// <summary>Rewrites a response body before PatchBot sees it (to give the mock state it cannot keep).</summary>
    public Func<HttpRequestMessage, string, string>? RewriteResponse { get; set; }

    /// <summary>Asks Prism for another answer of the description than its first success (a 404, say) through
    /// Prism's <c>Prefer: code=N</c>: the request is still validated.</summary>
    public Func<HttpRequestMessage, int?>? PreferStatus { get; set; }

    /// <summary>The media type of a rewritten body, when it is no longer JSON (a raw file); null keeps Prism's.</summary>
    public Func<HttpRequestMessage, string?>? RewrittenMediaType { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        int? preferred = PreferStatus?.Invoke(request);
        if (preferred is int code)
        {
            request.Headers.TryAddWithoutValidation("Prefer", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"code={code}"));
        }

        string path = uri.AbsolutePath;
        if (enterprisePrefix is not null)
        {
            if (!path.StartsWith(enterprisePrefix + "/", StringComparison.Ordinal))
            {
                Exchanges.Enqueue(new Exchange(request.Method.Method, path, 0, string.Empty, "missing the enterprise prefix"));
                return new HttpResponseMessage(System.Net.HttpStatusCode.NotFound);
            }

            request.RequestUri = new UriBuilder(uri) { Path = path[enterprisePrefix.Length..] }.Uri;
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        string requestBody = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.Headers.Remove("Link");
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (RewriteResponse is not null && response.IsSuccessStatusCode)
        {
            string rewritten = RewriteResponse(request, body);
            if (!ReferenceEquals(rewritten, body))
            {
                var headers = response.Content.Headers.ToList();
                response.Content = new StringContent(rewritten);
                response.Content.Headers.Clear();
                foreach (var (name, values) in headers.Where(h => h.Key != "Content-Length"))
                {
                    response.Content.Headers.TryAddWithoutValidation(name, values);
                }

                if (RewrittenMediaType?.Invoke(request) is { } mediaType)
                {
                    response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
                }

                body = rewritten;
            }
        }

        Exchanges.Enqueue(new Exchange(request.Method.Method, path + uri.Query, (int)response.StatusCode, requestBody, body, preferred));
        return response;
    }

    /// <summary>Every exchange that Prism did not accept (other than an answer asked for with <see cref="PreferStatus"/>), for the assertion message.</summary>
    public string Rejected() =>
        string.Join("\n", Exchanges.Where(e => e.Status is < 200 or >= 300 && e.Status != e.Preferred).Select(e => $"{e.Method} {e.Path} -> {e.Status}: {e.ResponseBody}"));
}
