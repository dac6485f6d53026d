namespace PatchBot.PatchParser.Mail;

/// <summary>
/// Reads the trailer block at the end of a commit message ("Signed-off-by:", "Fixes:", ...) and the git
/// footer lines after a diff ("base-commit:", "change-id:", "prerequisite-patch-id:").
/// </summary>
internal static class TrailerReader
{
    /// <summary>Trailer keys kernel people use, in their usual spelling.</summary>
    internal static readonly string[] KnownKeys =
    [
        "Signed-off-by", "Fixes", "Reviewed-by", "Acked-by", "Tested-by", "Reported-by", "Closes", "Link", "Cc",
        "Suggested-by", "Co-developed-by", "Reported-and-tested-by", "Requested-by", "Originally-by", "Debugged-by",
        "Noticed-by", "Helped-by", "Based-on-patch-by", "Bisected-by", "Message-ID", "Change-Id",
    ];

    /// <summary>Footer lines git format-patch and b4 write after the diff.</summary>
    internal static readonly string[] FooterKeys = ["base-commit", "change-id", "prerequisite-patch-id"];

    private const int MaxKeyLength = 40;

    /// <summary>Appends the trailers of the trailer paragraphs that end <paramref name="message"/>.</summary>
    public static void ReadTrailers(ReadOnlySpan<char> message, List<Trailer> into)
    {
        // Walk paragraphs backwards; each that looks like a trailer block is kept, the first that does not stops.
        var lines = new List<(int Start, int End)>();
        for (int i = 0; i <= message.Length;)
        {
            int nl = message[i..].IndexOf('\n');
            int e = nl < 0 ? message.Length : i + nl;
            lines.Add((i, e));
            if (nl < 0)
            {
                break;
            }
            i = e + 1;
        }

        var blocks = new List<(int Start, int End)>();
        int idx = lines.Count - 1;
        while (idx >= 0 && IsBlank(message, lines[idx]))
        {
            idx--;
        }
        while (idx >= 0)
        {
            int last = idx;
            while (idx >= 0 && !IsBlank(message, lines[idx]))
            {
                idx--;
            }
            var block = (lines[idx + 1].Start, lines[last].End);
            if (!IsTrailerBlock(message[block.Item1..block.Item2]))
            {
                break;
            }
            blocks.Add(block);
            while (idx >= 0 && IsBlank(message, lines[idx]))
            {
                idx--;
            }
        }

        for (int b = blocks.Count - 1; b >= 0; b--)
        {
            AddTrailers(message[blocks[b].Start..blocks[b].End], into);
        }
    }

    private static bool IsBlank(ReadOnlySpan<char> text, (int Start, int End) line) =>
        text[line.Start..line.End].IsWhiteSpace();

    private static bool IsTrailerBlock(ReadOnlySpan<char> block)
    {
        int lines = 0, trailerLike = 0, known = 0;
        foreach (var line in block.EnumerateLines())
        {
            if (line.IsWhiteSpace())
            {
                continue;
            }
            lines++;
            if (line[0] is ' ' or '\t')
            {
                trailerLike++; // continuation
                continue;
            }
            var trimmed = line.Trim();
            if (trimmed[0] == '[' || trimmed.StartsWith("(cherry picked from", StringComparison.Ordinal))
            {
                trailerLike++;
                continue;
            }
            if (TrySplit(line, out var key, out _))
            {
                trailerLike++;
                if (Normalize(key) is not null)
                {
                    known++;
                }
            }
        }
        return known > 0 && trailerLike * 4 >= lines * 3;
    }

    private static void AddTrailers(ReadOnlySpan<char> block, List<Trailer> into)
    {
        int firstOfBlock = into.Count;
        foreach (var line in block.EnumerateLines())
        {
            if (line.IsWhiteSpace())
            {
                continue;
            }
            if (line[0] is ' ' or '\t')
            {
                if (into.Count > firstOfBlock)
                {
                    var last = into[^1];
                    into[^1] = last with { Value = last.Value + " " + line.Trim().ToString() };
                }
                continue;
            }
            if (TrySplit(line, out var key, out var value))
            {
                into.Add(new Trailer(Normalize(key) ?? key.ToString(), value.ToString()));
            }
        }
    }

    /// <summary>"Key: value" where Key is a token (letters, digits, '-', '_') of at most 40 characters.</summary>
    internal static bool TrySplit(ReadOnlySpan<char> line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        key = value = default;
        int colon = line.IndexOf(':');
        if (colon <= 0 || colon > MaxKeyLength)
        {
            return false;
        }
        var k = line[..colon];
        foreach (char c in k)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }
        if (!char.IsAsciiLetter(k[0]))
        {
            return false;
        }
        var v = line[(colon + 1)..];
        // "https://..." would split at "https"; a trailer has a space (or nothing) after the colon.
        if (v.Length > 0 && v[0] is not (' ' or '\t'))
        {
            return false;
        }
        key = k;
        value = v.Trim();
        return true;
    }

    private static string? Normalize(ReadOnlySpan<char> key)
    {
        foreach (var known in KnownKeys)
        {
            if (key.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }
        return null;
    }

    /// <summary>Appends the footer lines (base-commit: ...) found at line starts in <paramref name="text"/>;
    /// returns the offset of the first one, or -1.</summary>
    public static int ReadFooters(ReadOnlySpan<char> text, List<Trailer> into)
    {
        int first = -1;
        var found = new List<(int At, Trailer Trailer)>();
        foreach (var key in FooterKeys)
        {
            int from = 0;
            while (from < text.Length)
            {
                int at = text[from..].IndexOf(key, StringComparison.Ordinal);
                if (at < 0)
                {
                    break;
                }
                at += from;
                from = at + key.Length;
                if ((at > 0 && text[at - 1] != '\n') || from >= text.Length || text[from] != ':')
                {
                    continue;
                }
                int eol = text[from..].IndexOf('\n');
                var value = (eol < 0 ? text[(from + 1)..] : text[(from + 1)..(from + eol)]).Trim();
                found.Add((at, new Trailer(key, value.ToString())));
                if (first < 0 || at < first)
                {
                    first = at;
                }
            }
        }
        found.Sort((a, b) => a.At.CompareTo(b.At));
        foreach (var (_, trailer) in found)
        {
            into.Add(trailer);
        }
        return first;
    }
}
