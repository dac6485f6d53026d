using System.Text.Json;
using System.Text.Json.Nodes;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// Webhook deliveries built from GitHub's official webhook description (@octokit/openapi-webhooks): the
/// payload schema of an event, filled with the description's own example values (then enum values, then
/// placeholders of the declared type), every property present.
/// </summary>
internal static class WebhookExamples
{
    private static readonly Lazy<JsonDocument> Spec = new(() => JsonDocument.Parse(File.ReadAllBytes(NpmTools.GitHubWebhooks)));

    /// <summary>The payload of e.g. "pull-request-opened".</summary>
    public static JsonObject Payload(string webhook)
    {
        var root = Spec.Value.RootElement;
        var schema = root.GetProperty("webhooks").GetProperty(webhook).GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        return (JsonObject)Build(root, schema, 0)!;
    }

    private static JsonNode? Build(JsonElement root, JsonElement schema, int depth)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Build(root, Resolve(root, reference.GetString()!), depth);
        }

        if (schema.TryGetProperty("example", out var example))
        {
            return JsonNode.Parse(example.GetRawText());
        }

        if (schema.TryGetProperty("enum", out var values) && values.GetArrayLength() > 0)
        {
            return JsonNode.Parse(values[0].GetRawText());
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            var merged = new JsonObject();
            foreach (var part in allOf.EnumerateArray())
            {
                if (Build(root, part, depth) is JsonObject o)
                {
                    foreach (var (key, value) in o.ToList())
                    {
                        o.Remove(key);
                        merged[key] = value;
                    }
                }
            }

            return merged;
        }

        foreach (var alternatives in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(alternatives, out var options))
            {
                var first = options.EnumerateArray().FirstOrDefault(o => !IsNullType(o));
                return first.ValueKind == JsonValueKind.Undefined ? null : Build(root, first, depth);
            }
        }

        string type = TypeOf(schema);
        switch (type)
        {
            case "object":
                var obj = new JsonObject();
                if (depth < 12 && schema.TryGetProperty("properties", out var properties))
                {
                    foreach (var p in properties.EnumerateObject())
                    {
                        obj[p.Name] = Build(root, p.Value, depth + 1);
                    }
                }

                return obj;
            case "array":
                var array = new JsonArray();
                if (depth < 8 && schema.TryGetProperty("items", out var items))
                {
                    array.Add(Build(root, items, depth + 1));
                }

                return array;
            case "integer":
                return 1;
            case "number":
                return 1.5;
            case "boolean":
                return false;
            case "null":
                return null;
            default:
                return schema.TryGetProperty("format", out var format) ? format.GetString() switch
                {
                    "date-time" => "2024-01-01T00:00:00Z",
                    "uri" or "uri-template" => "https://github.example/x",
                    _ => "string",
                } : "string";
        }
    }

    private static JsonElement Resolve(JsonElement root, string reference)
    {
        var node = root;
        foreach (var part in reference.TrimStart('#', '/').Split('/'))
        {
            node = node.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return node;
    }

    private static bool IsNullType(JsonElement schema) => TypeOf(schema) == "null";

    private static string TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) ? "object" : "string";
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).FirstOrDefault(t => t != "null") ?? "null"
            : type.GetString()!;
    }
}
