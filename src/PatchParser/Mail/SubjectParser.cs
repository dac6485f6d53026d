namespace PatchBot.PatchParser.Mail;

/// <summary>
/// Takes a patch subject apart: reply prefixes, bracket groups ([PATCH v3 2/7], [RFC PATCH net-next v2 05/10],
/// [PATCH AUTOSEL 5.5 253/542], [PATCH v6,19/24], [PATCH1/8]), subsystem prefixes and title.
/// Never throws; a subject it cannot make sense of is all title.
/// </summary>
public static class SubjectParser
{
    private static readonly string[] ReplyPrefixes = ["re", "fwd", "fw", "aw", "sv", "wg", "antw", "odp"];

    private static readonly string[] WellKnownTags = ["PATCH", "RFC", "RESEND", "AUTOSEL", "PULL", "GIT", "REPOST", "FIX", "NEXT", "STABLE"];

    /// <summary>Maximum length of one subsystem prefix ("PCI/AER", "drm/amdgpu", "dt-bindings").</summary>
    private const int MaxPrefixLength = 48;

    public static PatchSubject Parse(string? subject)
    {
        if (string.IsNullOrEmpty(subject))
        {
            return PatchSubject.None;
        }

        ReadOnlySpan<char> rest = subject.AsSpan().Trim();
        bool isReply = false;
        var tags = new List<string>();
        int version = 1;
        int? index = null;
        int? total = null;

        // Reply prefixes and bracket groups may alternate: "Re: [PATCH] Re: [PATCH v2]" is still one reply.
        while (true)
        {
            if (TryStripReplyPrefix(ref rest))
            {
                isReply = true;
                continue;
            }
            if (rest.Length > 0 && rest[0] == '[')
            {
                int close = rest.IndexOf(']');
                if (close < 0)
                {
                    break; // unclosed bracket: leave it in the title
                }
                ParseGroup(rest[1..close], tags, ref version, ref index, ref total);
                rest = rest[(close + 1)..].TrimStart();
                continue;
            }
            break;
        }

        var prefixes = new List<string>();
        while (TryStripSubsystemPrefix(ref rest, out var prefix))
        {
            prefixes.Add(prefix);
        }

        return new PatchSubject(isReply, tags, version, index, total, prefixes, rest.Trim().ToString());
    }

    private static bool TryStripReplyPrefix(ref ReadOnlySpan<char> rest)
    {
        foreach (var p in ReplyPrefixes)
        {
            if (rest.Length <= p.Length || !rest.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            int i = p.Length;
            // "Re[2]:" and "Re(2):" counters
            if (rest[i] is '[' or '(')
            {
                int j = i + 1;
                while (j < rest.Length && char.IsAsciiDigit(rest[j]))
                {
                    j++;
                }
                if (j == i + 1 || j >= rest.Length || rest[j] is not (']' or ')'))
                {
                    continue;
                }
                i = j + 1;
            }
            while (i < rest.Length && rest[i] == ' ')
            {
                i++; // "Re :"
            }
            if (i < rest.Length && rest[i] is ':' or '\uFF1A')
            {
                rest = rest[(i + 1)..].TrimStart();
                return true;
            }
        }
        return false;
    }

    private static void ParseGroup(ReadOnlySpan<char> group, List<string> tags, ref int version, ref int? index, ref int? total)
    {
        string? previous = null;
        foreach (var range in group.SplitAny(" \t,"))
        {
            var word = group[range];
            if (word.IsEmpty)
            {
                continue;
            }

            // "PATCHv3", "PATCH1/8", "RFCv2": a well-known word glued to a version or an index.
            foreach (var known in (ReadOnlySpan<string>)["PATCH", "RFC"])
            {
                if (word.Length > known.Length && word.StartsWith(known, StringComparison.OrdinalIgnoreCase)
                    && (TryParseVersion(word[known.Length..], out _) || TryParseIndex(word[known.Length..], out _, out _)))
                {
                    AddTag(tags, known, ref previous);
                    word = word[known.Length..];
                    break;
                }
            }

            if (TryParseVersion(word, out int v))
            {
                version = v;
            }
            else if (TryParseIndex(word, out int i, out int t))
            {
                index = i;
                total = t;
            }
            else
            {
                AddTag(tags, word.ToString(), ref previous);
            }
        }
    }

    private static void AddTag(List<string> tags, string word, ref string? previous)
    {
        foreach (var known in WellKnownTags)
        {
            if (string.Equals(word, known, StringComparison.OrdinalIgnoreCase))
            {
                word = known;
                break;
            }
        }
        // "GIT PULL" and "PULL REQUEST" are one tag written as two words.
        if (tags.Count > 0 && ((previous == "GIT" && word == "PULL") || (previous == "PULL" && word.Equals("REQUEST", StringComparison.OrdinalIgnoreCase))))
        {
            tags[^1] = previous + " " + word.ToUpperInvariant();
            previous = tags[^1];
            return;
        }
        tags.Add(word);
        previous = word;
    }

    /// <summary>"v3", "V12", "v2.1" (the minor part is dropped).</summary>
    private static bool TryParseVersion(ReadOnlySpan<char> word, out int version)
    {
        version = 0;
        if (word.Length < 2 || word[0] is not ('v' or 'V'))
        {
            return false;
        }
        var digits = word[1..];
        int dot = digits.IndexOf('.');
        if (dot >= 0)
        {
            if (!IsDigits(digits[(dot + 1)..]))
            {
                return false;
            }
            digits = digits[..dot];
        }
        return IsDigits(digits) && int.TryParse(digits, out version) && version > 0;
    }

    /// <summary>"2/7", "05/10", "253/542".</summary>
    private static bool TryParseIndex(ReadOnlySpan<char> word, out int index, out int total)
    {
        index = total = 0;
        int slash = word.IndexOf('/');
        if (slash <= 0 || slash == word.Length - 1)
        {
            return false;
        }
        var left = word[..slash];
        var right = word[(slash + 1)..];
        return IsDigits(left) && IsDigits(right)
            && int.TryParse(left, out index) && int.TryParse(right, out total)
            && index <= total;
    }

    private static bool IsDigits(ReadOnlySpan<char> s) =>
        s.Length is > 0 and <= 9 && !s.ContainsAnyExceptInRange('0', '9');

    /// <summary>"PCI: ", "PCI/AER: ", "drm/amdgpu: ", "dt-bindings: " (a word with no space, then ": ").</summary>
    private static bool TryStripSubsystemPrefix(ref ReadOnlySpan<char> rest, out string prefix)
    {
        prefix = string.Empty;
        int colon = rest.IndexOf(':');
        if (colon <= 0 || colon > MaxPrefixLength || colon + 1 >= rest.Length || rest[colon + 1] != ' ')
        {
            return false;
        }
        var word = rest[..colon];
        if (word.ContainsAny(' ', '\t', '"') || word.ContainsAny('(', '[', '\''))
        {
            return false;
        }
        var after = rest[(colon + 1)..].TrimStart();
        if (after.IsEmpty)
        {
            return false;
        }
        prefix = word.ToString();
        rest = after;
        return true;
    }
}
