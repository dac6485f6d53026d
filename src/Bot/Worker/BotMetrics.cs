using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PatchBot.Bot.Worker;

/// <summary>
/// The bot's counters, published through System.Diagnostics.Metrics (meter "PatchBot.Serve") and rendered in the
/// Prometheus text format for /metrics.
/// </summary>
internal sealed class BotMetrics : IDisposable
{
    private static readonly double[] LatencyBuckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

    private readonly Meter meter = new("PatchBot.Serve");
    private readonly ConcurrentDictionary<(string Name, string Labels), long> counters = new();
    private readonly ConcurrentDictionary<string, int> connected = new(StringComparer.Ordinal);
    private readonly long[] latencyCounts = new long[LatencyBuckets.Length + 1];
    private readonly Lock latencyGate = new();
    private readonly Counter<long> messages;
    private readonly Counter<long> replies;
    private readonly Histogram<double> latency;
    private double latencySum;
    private long latencyTotal;

    public BotMetrics()
    {
        messages = meter.CreateCounter<long>("patchbot.messages", description: "Messages handled, by outcome");
        replies = meter.CreateCounter<long>("patchbot.replies", description: "Replies, by outcome");
        latency = meter.CreateHistogram<double>("patchbot.reply.latency", "s", "Delivery to reply");
    }

    public DateTimeOffset LastLoop { get; set; }

    public void Count(string name, string? label = null, long by = 1)
    {
        counters.AddOrUpdate((name, label ?? string.Empty), by, (_, v) => v + by);
        if (name == "patchbot_messages_total")
        {
            messages.Add(by, new KeyValuePair<string, object?>("outcome", label));
        }
        else if (name == "patchbot_replies_total")
        {
            replies.Add(by, new KeyValuePair<string, object?>("outcome", label));
        }
    }

    public void SetConnected(string source, bool up) => connected[source] = up ? 1 : 0;

    public IReadOnlyDictionary<string, int> Connected => connected;

    public void ObserveLatency(TimeSpan elapsed)
    {
        double s = Math.Max(0, elapsed.TotalSeconds);
        latency.Record(s);
        lock (latencyGate)
        {
            int i = 0;
            while (i < LatencyBuckets.Length && s > LatencyBuckets[i])
            {
                i++;
            }

            latencyCounts[i]++;
            latencySum += s;
            latencyTotal++;
        }
    }

    /// <summary>Prometheus text exposition format 0.0.4.</summary>
    public string Render(IReadOnlyDictionary<string, long> gauges)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        foreach (var group in counters.GroupBy(c => c.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append(inv, $"# TYPE {group.Key} counter\n");
            foreach (var c in group.OrderBy(c => c.Key.Labels, StringComparer.Ordinal))
            {
                string labels = c.Key.Labels.Length == 0 ? string.Empty : $"{{outcome=\"{Escape(c.Key.Labels)}\"}}";
                sb.Append(inv, $"{group.Key}{labels} {c.Value}\n");
            }
        }

        sb.Append("# TYPE patchbot_source_connected gauge\n");
        foreach (var (source, up) in connected.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            sb.Append(inv, $"patchbot_source_connected{{source=\"{Escape(source)}\"}} {up}\n");
        }

        foreach (var (name, value) in gauges.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append(inv, $"# TYPE {name} gauge\n{name} {value}\n");
        }

        sb.Append("# TYPE patchbot_reply_latency_seconds histogram\n");
        lock (latencyGate)
        {
            long cumulative = 0;
            for (int i = 0; i < LatencyBuckets.Length; i++)
            {
                cumulative += latencyCounts[i];
                sb.Append(inv, $"patchbot_reply_latency_seconds_bucket{{le=\"{LatencyBuckets[i]}\"}} {cumulative}\n");
            }

            cumulative += latencyCounts[^1];
            sb.Append(inv, $"patchbot_reply_latency_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n");
            sb.Append(inv, $"patchbot_reply_latency_seconds_sum {latencySum}\n");
            sb.Append(inv, $"patchbot_reply_latency_seconds_count {latencyTotal}\n");
        }

        return sb.ToString();
    }

    public void Dispose() => meter.Dispose();

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
