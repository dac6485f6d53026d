using System.Text.Json.Nodes;
using PatchBot.Bot.GitHub;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// The webhook endpoint and the pull-request check end to end: deliveries built from GitHub's webhook
/// description, signed and forged; every API request PatchBot makes is validated by Prism serving GitHub's
/// OpenAPI description.
/// </summary>
[Collection(PrismGroup.Name)]
public sealed class WebhookTests(PrismServer prism)
{
    [Theory]
    [InlineData("opened")]
    [InlineData("synchronize")]
    [InlineData("reopened")]
    public async Task A_signed_pull_request_event_creates_a_valid_check_run(string action)
    {
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, new PrismTransport());
        var payload = WebhookExamples.Payload("pull-request-" + action);
        byte[] body = WebhookHost.Bytes(payload);
        Assert.Equal(202, await host.PostAsync("pull_request", body, WebhookSignature.Sign(WebhookHost.Secret, body)));

        var (evt, result, error) = host.WaitCompleted();
        Assert.Null(error);
        Assert.NotNull(result);
        Assert.Equal(action, evt.Action);
        Assert.Equal(payload["pull_request"]!["head"]!["sha"]!.GetValue<string>(), evt.HeadSha);
        Assert.True(host.Transport.Rejected().Length == 0, "Prism rejected: " + host.Transport.Rejected());

        var calls = host.Transport.Exchanges.Select(e => $"{e.Method} {e.Path.Split('?')[0]}").ToList();
        string repo = $"/repos/{evt.Owner}/{evt.Repository}";
        Assert.Equal($"POST {repo}/check-runs", calls[0]);
        Assert.Contains($"GET {repo}/pulls/{evt.Number}/commits", calls);
        Assert.Contains(calls, c => c.StartsWith($"GET {repo}/commits/", StringComparison.Ordinal));
        Assert.StartsWith($"PATCH {repo}/check-runs/", calls[^1], StringComparison.Ordinal);
        Assert.Contains("\"conclusion\":", host.Transport.Exchanges.Last().RequestBody, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookHost.Token, host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_forged_and_tampered_deliveries_get_401_a_log_line_and_no_api_call()
    {
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, new PrismTransport());
        byte[] body = WebhookHost.Bytes(WebhookExamples.Payload("pull-request-opened"));
        Assert.Equal(401, await host.PostAsync("pull_request", body, null));
        Assert.Equal(401, await host.PostAsync("pull_request", body, WebhookSignature.Sign("not the secret", body)));
        Assert.Equal(401, await host.PostAsync("pull_request", body, "sha256=" + new string('0', 64)));
        Assert.Equal(401, await host.PostAsync("pull_request", body, "sha1=" + new string('a', 40)));
        string signature = WebhookSignature.Sign(WebhookHost.Secret, body);
        byte[] tampered = [.. body];
        tampered[^2] ^= 0x01;
        Assert.Equal(401, await host.PostAsync("pull_request", tampered, signature));

        Assert.Equal(5, host.Logs.Lines.Count(l => l.Contains("rejected delivery", StringComparison.Ordinal)));
        await Task.Delay(300);
        Assert.Empty(host.Transport.Exchanges);
        Assert.Empty(host.Completed);
    }

    [Fact]
    public async Task Other_events_and_actions_are_acknowledged_and_ignored()
    {
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, new PrismTransport());
        byte[] closed = WebhookHost.Bytes(WebhookExamples.Payload("pull-request-closed"));
        Assert.Equal(202, await host.PostAsync("pull_request", closed, WebhookSignature.Sign(WebhookHost.Secret, closed)));
        byte[] ping = "{\"zen\":\"Keep it logically awesome.\"}"u8.ToArray();
        Assert.Equal(200, await host.PostAsync("ping", ping, WebhookSignature.Sign(WebhookHost.Secret, ping)));
        byte[] notJson = "{ not json"u8.ToArray();
        Assert.Equal(400, await host.PostAsync("pull_request", notJson, WebhookSignature.Sign(WebhookHost.Secret, notJson)));
        Assert.Equal(404, await host.PostAsync("pull_request", closed, WebhookSignature.Sign(WebhookHost.Secret, closed), "/elsewhere"));
        await Task.Delay(300);
        Assert.Empty(host.Transport.Exchanges);
    }

    [Fact]
    public async Task Token_only_mode_posts_a_status_and_one_comment_then_edits_it()
    {
        // First push: no PatchBot comment yet, so one is created.
        var first = new PrismTransport();
        await using (var host = await WebhookHost.StartAsync(prism.BaseUrl, first, o => o.Mode = GitHubReportMode.StatusComment))
        {
            byte[] body = WebhookHost.Bytes(WebhookExamples.Payload("pull-request-opened"));
            Assert.Equal(202, await host.PostAsync("pull_request", body, WebhookSignature.Sign(WebhookHost.Secret, body)));
            var (_, result, error) = host.WaitCompleted();
            Assert.Null(error);
            Assert.False(result!.CommentUpdated);
        }

        Assert.True(first.Rejected().Length == 0, "Prism rejected: " + first.Rejected());
        var calls = first.Exchanges.Select(e => $"{e.Method} {e.Path.Split('?')[0]}").ToList();
        Assert.Contains(calls, c => c.StartsWith("POST /repos/", StringComparison.Ordinal) && c.Contains("/statuses/", StringComparison.Ordinal));
        Assert.Single(calls, c => c.StartsWith("POST /repos/", StringComparison.Ordinal) && c.EndsWith("/comments", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.StartsWith("PATCH", StringComparison.Ordinal));
        Assert.Contains(FindingsPublisher.CommentMarker, first.Exchanges.Last().RequestBody, StringComparison.Ordinal);

        // Next push: the listed comments hold PatchBot's (the mock keeps no state, so the marker is put into its listing).
        var second = new PrismTransport
        {
            RewriteResponse = (request, body) =>
                request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.EndsWith("/comments", StringComparison.Ordinal)
                    ? WithMarker(body)
                    : body,
        };
        await using (var host = await WebhookHost.StartAsync(prism.BaseUrl, second, o => o.Mode = GitHubReportMode.StatusComment))
        {
            byte[] body = WebhookHost.Bytes(WebhookExamples.Payload("pull-request-synchronize"));
            Assert.Equal(202, await host.PostAsync("pull_request", body, WebhookSignature.Sign(WebhookHost.Secret, body)));
            var (_, result, error) = host.WaitCompleted();
            Assert.Null(error);
            Assert.True(result!.CommentUpdated);
        }

        Assert.True(second.Rejected().Length == 0, "Prism rejected: " + second.Rejected());
        calls = [.. second.Exchanges.Select(e => $"{e.Method} {e.Path.Split('?')[0]}")];
        Assert.Single(calls, c => c.StartsWith("PATCH /repos/", StringComparison.Ordinal) && c.Contains("/issues/comments/", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.StartsWith("POST /repos/", StringComparison.Ordinal) && c.EndsWith("/comments", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_delivery_that_meets_an_unexpected_answer_is_reported_as_a_failed_check_and_the_service_keeps_serving()
    {
        // The commit answer's "files" is a string, not a list: Octokit's deserializer throws InvalidCastException, which is
        // none of the API or network failures the service expects.
        var transport = new PrismTransport
        {
            RewriteResponse = (request, body) =>
            {
                if (!request.RequestUri!.AbsolutePath.Contains("/commits/", StringComparison.Ordinal))
                {
                    return body;
                }

                var commit = JsonNode.Parse(body)!;
                commit["files"] = "not a list";
                return commit.ToJsonString();
            },
        };
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, transport);
        for (int delivery = 0; delivery < 2; delivery++)
        {
            byte[] body = WebhookHost.Bytes(WebhookExamples.Payload("pull-request-opened"));
            Assert.Equal(202, await host.PostAsync("pull_request", body, WebhookSignature.Sign(WebhookHost.Secret, body)));
            var (_, result, error) = host.WaitCompleted();
            Assert.Null(error);
            Assert.Equal("failure", result!.Conclusion);
        }

        var completions = transport.Exchanges.Where(e => e.Method == "PATCH" && e.Path.Contains("/check-runs/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, completions.Count);
        Assert.All(completions, c => Assert.Contains("InvalidCastException", c.RequestBody, StringComparison.Ordinal));
        Assert.All(completions, c => Assert.Contains("\"conclusion\":\"failure\"", c.RequestBody, StringComparison.Ordinal));
        Assert.Contains("PatchBot failed (InvalidCastException", host.Logs.All, StringComparison.Ordinal);
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());
    }

    [Fact]
    public async Task An_api_failure_midway_completes_the_check_run_as_failed_instead_of_leaving_it_in_progress()
    {
        // The commit cannot be read (GitHub answers 422 from its description): the check run already created must not stay
        // "in progress" for ever; it completes as failure with the reason, and the next delivery is checked.
        int failing = 1;
        var transport = new PrismTransport
        {
            PreferStatus = request => Volatile.Read(ref failing) == 1 && request.Method == HttpMethod.Get
                && request.RequestUri!.AbsolutePath.Contains("/commits/", StringComparison.Ordinal) ? 422 : null,
        };
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, transport);
        byte[] body = WebhookHost.Bytes(WebhookExamples.Payload("pull-request-opened"));
        Assert.Equal(202, await host.PostAsync("pull_request", body, WebhookSignature.Sign(WebhookHost.Secret, body)));
        var (_, result, error) = host.WaitCompleted();
        Assert.Null(error);
        Assert.Equal("failure", result!.Conclusion);
        var completion = JsonNode.Parse(transport.Exchanges.Last(e => e.Method == "PATCH").RequestBody)!;
        Assert.Equal("completed", completion["status"]!.GetValue<string>());
        Assert.Equal("failure", completion["conclusion"]!.GetValue<string>());
        Assert.Contains("ApiValidationException", completion["output"]!["summary"]!.GetValue<string>(), StringComparison.Ordinal);

        Volatile.Write(ref failing, 0);
        Assert.Equal(202, await host.PostAsync("pull_request", body, WebhookSignature.Sign(WebhookHost.Secret, body)));
        (_, result, error) = host.WaitCompleted();
        Assert.Null(error);
        Assert.DoesNotContain("could not check", JsonNode.Parse(transport.Exchanges.Last(e => e.Method == "PATCH").RequestBody)!["output"]!["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());
    }

    [Fact]
    public async Task A_hunk_past_the_end_of_the_fetched_file_is_checked_with_the_patch_as_it_came()
    {
        // The commit's C file has a hunk that starts past the end of the file the contents API returns (another version of
        // the file): the whole-file widening is skipped and the three-line patch is checked.
        var transport = new PrismTransport
        {
            RewriteResponse = (request, body) =>
            {
                string path = request.RequestUri!.AbsolutePath;
                if (path.Contains("/commits/", StringComparison.Ordinal))
                {
                    var commit = JsonNode.Parse(body)!;
                    var file = commit["files"]![0]!;
                    file["filename"] = "foo.c";
                    file["status"] = "modified";
                    file["patch"] = "@@ -50,1 +50,1 @@\n-int a;\n+int b;\n";
                    return commit.ToJsonString();
                }

                return path.Contains("/contents/", StringComparison.Ordinal) ? "int x;\n" : body;
            },
            RewrittenMediaType = request => request.RequestUri!.AbsolutePath.Contains("/contents/", StringComparison.Ordinal) ? "application/octet-stream" : null,
        };
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, transport);
        byte[] body = WebhookHost.Bytes(WebhookExamples.Payload("pull-request-opened"));
        Assert.Equal(202, await host.PostAsync("pull_request", body, WebhookSignature.Sign(WebhookHost.Secret, body)));
        var (_, result, error) = host.WaitCompleted();
        Assert.Null(error);
        Assert.Equal("success", result!.Conclusion);
        Assert.Contains(transport.Exchanges, e => e.Path.Contains("/contents/foo.c", StringComparison.Ordinal));
        Assert.DoesNotContain("PatchBot failed", host.Logs.All, StringComparison.Ordinal);
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());
    }

    [Theory]
    [InlineData("check-run")]
    [InlineData("status-comment")]
    public async Task A_pull_request_with_a_file_left_unchecked_fails_with_the_reason(string modeName)
    {
        var mode = modeName == "check-run" ? GitHubReportMode.CheckRun : GitHubReportMode.StatusComment;
        // GitHub gives no patch text for a file whose diff is too large: that file is not checked, so the pull request
        // must not pass (patchbot check exits 2 for the same), whatever the findings of the rest.
        var transport = new PrismTransport
        {
            RewriteResponse = (request, body) =>
            {
                if (!request.RequestUri!.AbsolutePath.Contains("/commits/", StringComparison.Ordinal) || request.Method != HttpMethod.Get
                    || request.RequestUri.AbsolutePath.EndsWith("/commits", StringComparison.Ordinal))
                {
                    return body;
                }

                var commit = JsonNode.Parse(body)!;
                var file = commit["files"]![0]!.AsObject();
                file["filename"] = "drivers/huge.c";
                file["changes"] = 40_000;
                file.Remove("patch");
                return commit.ToJsonString();
            },
        };
        await using var host = await WebhookHost.StartAsync(prism.BaseUrl, transport, o => { o.Mode = mode; o.FailLevel = Engine.Check.FailLevel.None; });
        byte[] body = WebhookHost.Bytes(WebhookExamples.Payload("pull-request-opened"));
        Assert.Equal(202, await host.PostAsync("pull_request", body, WebhookSignature.Sign(WebhookHost.Secret, body)));
        var (_, result, error) = host.WaitCompleted();
        Assert.Null(error);
        Assert.Equal("failure", result!.Conclusion);
        Assert.True(result.Skipped > 0);
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());
        if (mode == GitHubReportMode.CheckRun)
        {
            var completion = JsonNode.Parse(transport.Exchanges.Last(e => e.Method == "PATCH").RequestBody)!;
            Assert.Equal("failure", completion["conclusion"]!.GetValue<string>());
            Assert.StartsWith("Not fully checked", completion["output"]!["title"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("drivers/huge.c: no patch text from GitHub", completion["output"]!["title"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        else
        {
            var status = JsonNode.Parse(transport.Exchanges.Single(e => e.Path.Contains("/statuses/", StringComparison.Ordinal)).RequestBody)!;
            Assert.Equal("failure", status["state"]!.GetValue<string>());
            Assert.StartsWith("Not fully checked", status["description"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    private static string WithMarker(string body)
    {
        var comments = JsonNode.Parse(body)!.AsArray();
        comments[0]!["body"] = "old report\n" + FindingsPublisher.CommentMarker;
        return comments.ToJsonString();
    }
}
