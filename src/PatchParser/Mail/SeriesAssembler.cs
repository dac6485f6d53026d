namespace PatchBot.PatchParser.Mail;

/// <summary>
/// Groups patch messages into <see cref="Series"/>: first by threading (git send-email makes every part reply to
/// the cover letter or to patch 1: In-Reply-To / References), then, where threading is broken, by sender,
/// version and total within a time window. Replies are never parts. Pure: no I/O; "now" comes from the
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class SeriesAssembler
{
    private readonly TimeProvider time;

    public SeriesAssembler(TimeProvider? timeProvider = null, TimeSpan? window = null, int maxParts = 1024)
    {
        time = timeProvider ?? TimeProvider.System;
        Window = window ?? TimeSpan.FromHours(1);
        MaxParts = Math.Max(1, maxParts);
    }

    /// <summary>Series size bound: missing parts listed per series (a subject may claim "1/999999999"), and
    /// unthreaded groups of one sender compared when joining them (the most recent ones).</summary>
    public int MaxParts { get; }

    /// <summary>How far apart in time parts of one unthreaded series may be.</summary>
    public TimeSpan Window { get; }

    /// <summary>The series found among <paramref name="items"/>, in order of their first message.</summary>
    public IReadOnlyList<Series> Assemble(IEnumerable<MailItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var members = items
            .Where(i => i.Kind is MailItemKind.Patch or MailItemKind.CoverLetter && !i.PatchSubject.IsReply)
            .ToList();

        // Union-find over members; 'first' keeps arrival order.
        var parent = Enumerable.Range(0, members.Count).ToArray();
        int Find(int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            return x;
        }
        void Union(int a, int b)
        {
            a = Find(a);
            b = Find(b);
            if (a != b)
            {
                parent[Math.Max(a, b)] = Math.Min(a, b);
            }
        }

        // 1. Threading.
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < members.Count; i++)
        {
            if (members[i].MessageId is { } id)
            {
                byId.TryAdd(id, i);
            }
        }
        for (int i = 0; i < members.Count; i++)
        {
            foreach (var id in Ancestors(members[i]))
            {
                if (byId.TryGetValue(id, out int j) && j != i && SameSeries(members[i], members[j]))
                {
                    Union(i, j);
                }
            }
        }

        var groups = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < members.Count; i++)
        {
            int root = Find(i);
            if (!groups.TryGetValue(root, out var list))
            {
                groups[root] = list = [];
            }
            list.Add(i);
        }

        // 2. Broken threading: join groups of one sender, version and total, close in time, whose parts do not overlap.
        // Only groups that agree on sender, version and total can join, and only the most recent MaxParts of them
        // are tried: thousands of unthreaded "[PATCH 1/2]" from one sender stay linear.
        var merged = new List<List<int>>();
        var candidates = new Dictionary<(string, int, int), List<List<int>>>();
        foreach (var group in groups.Values)
        {
            var first = members[group[0]];
            var key = (first.From?.ToUpperInvariant() ?? string.Empty, first.PatchSubject.Version, TotalOf(first));
            if (!candidates.TryGetValue(key, out var sameKey))
            {
                candidates[key] = sameKey = [];
            }

            List<int>? target = null;
            for (int k = Math.Max(0, sameKey.Count - MaxParts); k < sameKey.Count; k++)
            {
                if (CanJoin(members, sameKey[k], group))
                {
                    target = sameKey[k];
                    break;
                }
            }

            if (target is null)
            {
                merged.Add(group);
                sameKey.Add(group);
            }
            else
            {
                target.AddRange(group);
            }
        }

        var now = time.GetUtcNow();
        return merged.Select(g => Build(g.Select(i => members[i]).ToList(), now)).ToList();
    }

    private static IEnumerable<string> Ancestors(MailItem item)
    {
        if (item.InReplyTo is { } parent)
        {
            yield return parent;
        }
        foreach (var id in item.References)
        {
            yield return id;
        }
    }

    private static int TotalOf(MailItem item) => item.PatchSubject.Total ?? 1;

    /// <summary>Same version and total: a v2 posted in reply to the v1 thread is another series.</summary>
    private static bool SameSeries(MailItem a, MailItem b) =>
        a.PatchSubject.Version == b.PatchSubject.Version && TotalOf(a) == TotalOf(b) && TotalOf(a) > 1;

    private bool CanJoin(List<MailItem> members, List<int> into, List<int> group)
    {
        var a = members[into[0]];
        var b = members[group[0]];
        if (TotalOf(a) <= 1 || !SameSeries(a, b) || a.From is null || !string.Equals(a.From, b.From, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var indexes = new HashSet<int>(into.Select(i => members[i].PatchSubject.Index ?? 1));
        if (group.Exists(i => indexes.Contains(members[i].PatchSubject.Index ?? 1)))
        {
            return false;
        }
        var datesA = into.Select(i => members[i].Date).OfType<DateTimeOffset>().ToList();
        var datesB = group.Select(i => members[i].Date).OfType<DateTimeOffset>().ToList();
        if (datesA.Count == 0 || datesB.Count == 0)
        {
            return false;
        }
        return datesB.Min() - datesA.Max() <= Window && datesA.Min() - datesB.Max() <= Window;
    }

    private Series Build(List<MailItem> items, DateTimeOffset now)
    {
        var cover = items.FirstOrDefault(i => i.Kind == MailItemKind.CoverLetter);
        var parts = items.Where(i => i.Kind == MailItemKind.Patch)
            .OrderBy(i => i.PatchSubject.Index ?? 1).ThenBy(i => i.Ordinal).ToList();
        var first = cover ?? parts[0];
        int total = items.Max(TotalOf);
        var present = new HashSet<int>(parts.Select(p => p.PatchSubject.Index ?? 1));
        var missing = new List<int>();
        for (int i = 1; i <= total && missing.Count < MaxParts; i++)
        {
            if (!present.Contains(i))
            {
                missing.Add(i);
            }
        }

        var dates = items.Select(i => i.Date).OfType<DateTimeOffset>().ToList();
        DateTimeOffset? firstDate = dates.Count > 0 ? dates.Min() : null;
        DateTimeOffset? lastDate = dates.Count > 0 ? dates.Max() : null;
        bool mayStillArrive = missing.Count > 0 && lastDate is { } last && now - last < Window;
        var title = (parts.FirstOrDefault(p => p.PatchSubject.Index == 1) ?? first).PatchSubject.Title;
        if (cover is not null)
        {
            title = cover.PatchSubject.Title;
        }
        return new Series(title, first.From, first.PatchSubject.Version, total, cover, parts, missing, firstDate, lastDate, mayStillArrive);
    }
}
