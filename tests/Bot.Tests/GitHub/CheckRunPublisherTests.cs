using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using PatchBot.Bot.GitHub;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>The check run's annotations in batches of at most 50, and GitHub Enterprise base URLs, against Prism.</summary>
[Collection(PrismGroup.Name)]
public sealed class CheckRunPublisherTests(PrismServer prism)
{
    [Theory]
    [InlineData(120, "warning", "failure")]
    [InlineData(50, "none", "success")]
    [InlineData(0, "warning", "success")]
    public async Task Annotations_go_in_batches_of_at_most_50_and_the_last_request_completes_the_run(int findings, string failLevel, string conclusion)
    {
        using var transport = new PrismTransport();
        var options = Options(prism.BaseUrl);
        options.FailLevel = Enum.Parse<PatchBot.Engine.Check.FailLevel>(failLevel, ignoreCase: true);
        var client = new GitHubClientFactory(options, TimeProvider.System, NullLoggerFactory.Instance, () => transport).Create();
        var publisher = new FindingsPublisher(client, options, TimeProvider.System);
        var evt = new PullRequestEvent("opened", "octo-org", "linux", 7, new string('a', 40), new string('b', 40), null);

        long id = await publisher.StartCheckRunAsync(evt);
        var result = await publisher.CompleteCheckRunAsync(evt, id, GithubFormatTests.Report(findings));
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());
        Assert.Equal(conclusion, result.Conclusion);

        var updates = transport.Exchanges.Where(e => e.Method == "PATCH").ToList();
        int expectedRequests = Math.Max(1, (findings + 49) / 50);
        Assert.Equal(expectedRequests, updates.Count);
        var sizes = updates.Select(u => AnnotationCount(u.RequestBody)).ToList();
        Assert.All(sizes, s => Assert.InRange(s, 0, 50));
        Assert.Equal(findings, sizes.Sum());
        for (int i = 0; i < updates.Count; i++)
        {
            using var doc = JsonDocument.Parse(updates[i].RequestBody);
            bool last = i == updates.Count - 1;
            Assert.Equal(last, doc.RootElement.TryGetProperty("conclusion", out var c) && c.GetString() == conclusion);
            Assert.Contains($"## PatchBot: {findings} finding", doc.RootElement.GetProperty("output").GetProperty("summary").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_enterprise_base_url_keeps_its_api_v3_prefix()
    {
        using var transport = new PrismTransport(enterprisePrefix: "/api/v3");
        var options = Options(new Uri(prism.BaseUrl, "api/v3"));
        var client = new GitHubClientFactory(options, TimeProvider.System, NullLoggerFactory.Instance, () => transport).Create();
        var evt = new PullRequestEvent("opened", "octo-org", "linux", 7, new string('a', 40), new string('b', 40), null);
        var read = await new PullRequestFetcher(client, options).FetchAsync(evt, CancellationToken.None);
        Assert.NotEmpty(read.Commits);
        Assert.NotEmpty(transport.Exchanges);
        Assert.True(transport.Rejected().Length == 0, "rejected: " + transport.Rejected());
        Assert.All(transport.Exchanges, e => Assert.StartsWith("/api/v3/repos/octo-org/linux/", e.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_commit_from_the_api_is_read_as_one_patch_with_its_subject()
    {
        using var transport = new PrismTransport();
        var options = Options(prism.BaseUrl);
        var client = new GitHubClientFactory(options, TimeProvider.System, NullLoggerFactory.Instance, () => transport).Create();
        var evt = new PullRequestEvent("opened", "octo-org", "linux", 7, new string('a', 40), new string('b', 40), null);
        var read = await new PullRequestFetcher(client, options).FetchAsync(evt, CancellationToken.None);
        var commit = Assert.Single(read.Commits);
        var report = new PatchBot.Engine.Inputs.GitCommitChecker(AnalysisOptions.Default, PatchBot.PatchParser.Mail.MailOptions.Default).Check(read.Commits, read.Problems);
        var input = Assert.Single(report.Inputs);
        Assert.Equal(commit.Sha, input.Source);
        Assert.Equal(1, input.Patches);
        Assert.True(input.Files >= 1);
        // GitHub's example patch text is a placeholder ("@@ -29,7 +29,7 @@" then "....."): read, and reported
        // as a problem of that file in that commit rather than passed over.
        Assert.All(input.Problems, p => Assert.Equal(commit.Sha, p.MessageId));
        Assert.All(input.Problems, p => Assert.NotNull(p.File));
    }

    [Fact]
    public async Task The_whole_file_of_a_changed_c_file_is_asked_for_with_a_valid_request()
    {
        // GitHub's example commit changes file1.txt; rename it to a C file so PatchBot fetches its contents.
        // A top-level name: Prism's router does not match a {path} parameter holding slashes, which GitHub does.
        using var transport = new PrismTransport
        {
            RewriteResponse = (request, body) => request.RequestUri!.AbsolutePath.Contains("/commits/", StringComparison.Ordinal)
                ? body.Replace("\"file1.txt\"", "\"foo.c\"", StringComparison.Ordinal)
                : body,
        };
        var options = Options(prism.BaseUrl);
        var client = new GitHubClientFactory(options, TimeProvider.System, NullLoggerFactory.Instance, () => transport).Create();
        var evt = new PullRequestEvent("opened", "octo-org", "linux", 7, new string('a', 40), new string('b', 40), null);
        var read = await new PullRequestFetcher(client, options).FetchAsync(evt, CancellationToken.None);
        Assert.Single(read.Commits);
        // Prism answers the raw request with the JSON description, which Octokit's raw call gives as null: the file is then
        // asked for as the JSON description, also a valid request.
        var contents = transport.Exchanges.Where(e => e.Path.Contains("/contents/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, contents.Count);
        Assert.All(contents, c => Assert.StartsWith("/repos/octo-org/linux/contents/foo.c?ref=", c.Path, StringComparison.Ordinal));
        Assert.All(contents, c => Assert.True(c.Status == 200, transport.Rejected()));
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());
    }

    [Fact]
    public async Task A_file_name_with_URL_characters_is_escaped_in_the_contents_request()
    {
        using var transport = new PrismTransport
        {
            RewriteResponse = (request, body) => request.RequestUri!.AbsolutePath.Contains("/commits/", StringComparison.Ordinal)
                ? body.Replace("\"file1.txt\"", "\"x.c?z=1#y.c\"", StringComparison.Ordinal)
                : body,
        };
        var options = Options(prism.BaseUrl);
        var client = new GitHubClientFactory(options, TimeProvider.System, NullLoggerFactory.Instance, () => transport).Create();
        var evt = new PullRequestEvent("opened", "octo-org", "linux", 7, new string('a', 40), new string('b', 40), null);
        await new PullRequestFetcher(client, options).FetchAsync(evt, CancellationToken.None);
        var contents = transport.Exchanges.Where(e => e.Path.Contains("/contents/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(contents);
        Assert.All(contents, c => Assert.StartsWith("/repos/octo-org/linux/contents/x.c%3Fz%3D1%23y.c?ref=", c.Path, StringComparison.Ordinal));
        Assert.All(contents, c => Assert.DoesNotContain("z=1", c.Path, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("application/vnd.github.v3.raw", 1)]
    [InlineData("application/octet-stream", 1)]
    [InlineData("text/plain; charset=utf-8", 2)]
    [InlineData("application/vnd.github.raw", 2)]
    public async Task The_whole_file_is_read_whatever_media_type_the_raw_answer_is_labelled_with(string mediaType, int requests)
    {
        // Octokit's raw call gives null for a body labelled text/plain (a GitHub Enterprise Server or a proxy may do so):
        // the file is then read from the contents API's JSON description (base64).
        const string File = "int a;\nint c;\nint d;\n";
        using var transport = new PrismTransport
        {
            RewriteResponse = (request, body) =>
            {
                string path = request.RequestUri!.AbsolutePath;
                if (path.Contains("/commits/", StringComparison.Ordinal))
                {
                    var commit = System.Text.Json.Nodes.JsonNode.Parse(body)!;
                    var file = commit["files"]![0]!;
                    file["filename"] = "foo.c";
                    file["status"] = "modified";
                    file["patch"] = "@@ -2,1 +2,1 @@\n-int b;\n+int c;\n";
                    return commit.ToJsonString();
                }

                if (!path.Contains("/contents/", StringComparison.Ordinal))
                {
                    return body;
                }

                if (IsRaw(request))
                {
                    return File;
                }

                var described = System.Text.Json.Nodes.JsonNode.Parse(body)!;
                described["type"] = "file";
                described["encoding"] = "base64";
                described["content"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(File)).Insert(8, "\n");
                return described.ToJsonString();
            },
            RewrittenMediaType = request => IsRaw(request) ? mediaType : null,
        };
        var options = Options(prism.BaseUrl);
        var client = new GitHubClientFactory(options, TimeProvider.System, NullLoggerFactory.Instance, () => transport).Create();
        var evt = new PullRequestEvent("opened", "octo-org", "linux", 7, new string('a', 40), new string('b', 40), null);
        var read = await new PullRequestFetcher(client, options).FetchAsync(evt, CancellationToken.None);

        string mail = System.Text.Encoding.UTF8.GetString(Assert.Single(read.Commits).Mail);
        Assert.Contains("@@ -1,3 +1,3 @@\n int a;\n-int b;\n+int c;\n int d;\n", mail.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(requests, transport.Exchanges.Count(e => e.Path.Contains("/contents/", StringComparison.Ordinal)));
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());

        static bool IsRaw(HttpRequestMessage request) =>
            request.RequestUri!.AbsolutePath.Contains("/contents/", StringComparison.Ordinal)
            && request.Headers.Accept.Any(a => a.MediaType!.Contains("raw", StringComparison.Ordinal));
    }

    private static GitHubSourceOptions Options(Uri api) => new()
    {
        WebhookSecret = "s",
        Token = WebhookHost.Token,
        ApiBaseUrl = api,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromSeconds(1),
    };

    private static int AnnotationCount(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.TryGetProperty("output", out var output) && output.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.GetArrayLength()
            : 0;
    }
}
