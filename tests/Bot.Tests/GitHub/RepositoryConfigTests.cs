using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using PatchBot.Bot.GitHub;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// The GitHub service reads the repository's .patchbot.json at the pull request's head through the contents API,
/// with the loader of <c>patchbot check</c>: absent, every rule at its default; present, applied; bad, reported in
/// the check run and the defaults applied. Against Prism; the commit is a rule fixture with one finding.
/// </summary>
[Collection(PrismGroup.Name)]
public sealed class RepositoryConfigTests(PrismServer prism)
{
    private const string Rule = "dma-alias-after-iommu-group";

    private static readonly PullRequestEvent Event = new("opened", "octo-org", "linux", 7, new string('a', 40), new string('b', 40), null);

    [Fact]
    public async Task Without_a_patchbot_json_every_rule_runs_at_its_default()
    {
        var (result, transport) = await CheckAsync(config: null);

        Assert.Equal(1, result.Findings);
        Assert.Equal("failure", result.Conclusion);
        var asked = Assert.Single(transport.Exchanges, e => e.Path.StartsWith("/repos/octo-org/linux/contents/.patchbot.json", StringComparison.Ordinal));
        Assert.Equal(404, asked.Status);
        Assert.EndsWith("?ref=" + Event.HeadSha, asked.Path, StringComparison.Ordinal);
        Assert.DoesNotContain(".patchbot.json", LastSummary(transport), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_repository_patchbot_json_at_the_head_turns_the_rule_off()
    {
        var (result, transport) = await CheckAsync($$"""{ "rules": { "{{Rule}}": "off" } }""");

        Assert.Equal(0, result.Findings);
        Assert.Equal("success", result.Conclusion);
        Assert.DoesNotContain("problem in", LastSummary(transport), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_repository_patchbot_json_sets_the_severity()
    {
        var (result, transport) = await CheckAsync($$"""{ "rules": { "{{Rule}}": "info" } }""");

        Assert.Equal(1, result.Findings);
        Assert.Equal("success", result.Conclusion); // info is below the default fail level (warning)
        Assert.Contains("\"annotation_level\":\"notice\"", transport.Exchanges.Last().RequestBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_patchbot_json_is_reported_in_the_check_run_and_the_defaults_apply()
    {
        var (result, transport) = await CheckAsync("""{ "rules": { "no-such-rule": "off" } }""");

        Assert.Equal(1, result.Findings);
        string summary = LastSummary(transport);
        Assert.Contains(".patchbot.json at aaaaaaaaaaaa: unknown rule id no-such-rule; checked with the default rules", summary, StringComparison.Ordinal);
    }

    /// <summary>Checks the pull request with the fixture as its one commit and <paramref name="config"/> as the
    /// repository's .patchbot.json (null: the file does not exist, Prism answers 404).</summary>
    private async Task<(PublishResult Result, PrismTransport Transport)> CheckAsync(string? config)
    {
        var transport = new PrismTransport
        {
            PreferStatus = request => config is null && IsConfigRequest(request) ? 404 : null,
            RewriteResponse = (request, body) =>
                request.RequestUri!.AbsolutePath.Contains("/commits/", StringComparison.Ordinal) ? WithFixtureFile(body)
                : config is not null && IsConfigRequest(request) ? ContentFile(config)
                : body,
        };
        var options = new GitHubSourceOptions
        {
            WebhookSecret = "s",
            Token = WebhookHost.Token,
            ApiBaseUrl = prism.BaseUrl,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
        };
        var client = new GitHubClientFactory(options, TimeProvider.System, NullLoggerFactory.Instance, () => transport).Create();
        var service = new PullRequestCheckService(client, options, TimeProvider.System, NullLogger<PullRequestCheckService>.Instance);
        var result = await service.CheckAsync(Event, CancellationToken.None);
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());
        return (result, transport);
    }

    private static bool IsConfigRequest(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.EndsWith("/contents/.patchbot.json", StringComparison.Ordinal);

    /// <summary>GitHub's example commit with its one file replaced by the fixture's C file and hunks (a top-level name:
    /// Prism's router does not match a {path} holding slashes when the whole file is asked for).</summary>
    private static string WithFixtureFile(string body)
    {
        string fixture = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "rules", Rule, "bad-probe-helper.patch")).ReplaceLineEndings("\n");
        int start = fixture.IndexOf("\n@@ ", StringComparison.Ordinal) + 1;
        int end = fixture.IndexOf("\n-- \n", StringComparison.Ordinal) + 1;
        var commit = JsonNode.Parse(body)!;
        var file = commit["files"]![0]!;
        file["filename"] = "foo-pci.c";
        file["status"] = "modified";
        file["patch"] = fixture[start..end];
        return commit.ToJsonString();
    }

    /// <summary>The contents API's answer for a file: its text in base64.</summary>
    private static string ContentFile(string text) => new JsonObject
    {
        ["type"] = "file",
        ["encoding"] = "base64",
        ["size"] = Encoding.UTF8.GetByteCount(text),
        ["name"] = ".patchbot.json",
        ["path"] = ".patchbot.json",
        ["content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text)),
        ["sha"] = "3d21ec53a331a6f037a91c368710b99387d012c1",
        ["url"] = "https://api.github.com/repos/octo-org/linux/contents/.patchbot.json",
        ["git_url"] = "https://api.github.com/repos/octo-org/linux/git/blobs/3d21ec53a331a6f037a91c368710b99387d012c1",
        ["html_url"] = "https://github.com/octo-org/linux/blob/master/.patchbot.json",
        ["download_url"] = "https://raw.githubusercontent.com/octo-org/linux/master/.patchbot.json",
        ["_links"] = new JsonObject
        {
            ["git"] = "https://api.github.com/repos/octo-org/linux/git/blobs/3d21ec53a331a6f037a91c368710b99387d012c1",
            ["self"] = "https://api.github.com/repos/octo-org/linux/contents/.patchbot.json",
            ["html"] = "https://github.com/octo-org/linux/blob/master/.patchbot.json",
        },
    }.ToJsonString();

    /// <summary>The summary of the check run as completed (the last request).</summary>
    private static string LastSummary(PrismTransport transport) =>
        JsonNode.Parse(transport.Exchanges.Last().RequestBody)!["output"]!["summary"]!.GetValue<string>();
}
