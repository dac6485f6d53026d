using System.Text.Json;

namespace PatchBot.Bot.GitHub;

/// <summary>A pull_request delivery that asks for a check: which repository, which pull request, which commits.</summary>
internal sealed record PullRequestEvent(string Action, string Owner, string Repository, int Number, string HeadSha, string BaseSha, string? DeliveryId)
{
    /// <summary>The actions that change a pull request's commits.</summary>
    public static readonly IReadOnlySet<string> CheckedActions = new HashSet<string>(StringComparer.Ordinal) { "opened", "synchronize", "reopened" };

    /// <summary>Reads the fields PatchBot needs from a pull_request payload; false with a reason when one is missing.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, string? deliveryId, out PullRequestEvent? evt, out string reason)
    {
        evt = null;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 64 });
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (!TryString(root, "action", out var action)
                || !root.TryGetProperty("pull_request", out var pr) || pr.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("repository", out var repo) || repo.ValueKind != JsonValueKind.Object)
            {
                reason = "not a pull_request payload (action, pull_request, repository)";
                return false;
            }

            if (!pr.TryGetProperty("number", out var numberElement) || !numberElement.TryGetInt32(out int number) || number <= 0
                || !pr.TryGetProperty("head", out var head) || !TryString(head, "sha", out var headSha)
                || !pr.TryGetProperty("base", out var @base) || !TryString(@base, "sha", out var baseSha))
            {
                reason = "pull_request lacks number, head.sha or base.sha";
                return false;
            }

            if (!TryString(repo, "name", out var name) || !repo.TryGetProperty("owner", out var owner) || !TryString(owner, "login", out var login))
            {
                reason = "repository lacks name or owner.login";
                return false;
            }

            evt = new PullRequestEvent(action, login, name, number, headSha, baseSha, deliveryId);
            reason = string.Empty;
            return true;
        }
        catch (JsonException e)
        {
            reason = $"not JSON: {e.Message}";
            return false;
        }
    }

    private static bool TryString(JsonElement element, string name, out string value)
    {
        value = string.Empty;
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String)
        {
            value = p.GetString() ?? string.Empty;
        }

        return value.Length > 0;
    }
}
