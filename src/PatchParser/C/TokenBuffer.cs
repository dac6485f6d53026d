using System.Runtime.InteropServices;
using System.Text;

namespace PatchBot.PatchParser.C;

/// <summary>
/// The code tokens of one fragment (or of a hunk's @@ context) over their text, with every bracket's partner:
/// the random-access view the walkers read. Strings are made only on request.
/// </summary>
internal sealed class TokenBuffer
{
    public TokenBuffer(string text, List<CToken> tokens)
    {
        Text = text;
        Tokens = tokens;
        Match = new int[tokens.Count];
        MatchBrackets(Text, CollectionsMarshal.AsSpan(tokens), Match);
    }

    public string Text { get; }

    public List<CToken> Tokens { get; }

    /// <summary>For each bracket token, the index of its partner (-1 when unmatched).</summary>
    public int[] Match { get; }

    public int Count => Tokens.Count;

    public CToken this[int i] => Tokens[i];

    /// <summary>The partner of the bracket at <paramref name="open"/>, or <see cref="Count"/> when it has none.</summary>
    public int CloseOf(int open) => Match[open] < 0 ? Count : Match[open];

    public string Str(int i) => Text.Substring(Tokens[i].Start, Tokens[i].Length);

    public bool IsP(int i, char c) => i >= 0 && i < Tokens.Count && Tokens[i].IsPunctuator(Text, c);

    public bool IsP(int i, string punctuator) => i >= 0 && i < Tokens.Count && Tokens[i].IsPunctuator(Text, punctuator);

    public bool IsIdentifier(int i) => i >= 0 && i < Tokens.Count && Tokens[i].Kind == CTokenKind.Identifier;

    public bool IsWord(int i, string word) => IsWord(Text, Tokens[i], word);

    public static bool IsWord(ReadOnlySpan<char> text, CToken tok, string word) =>
        tok.Kind is CTokenKind.Identifier or CTokenKind.Keyword && tok.Span(text).SequenceEqual(word);

    /// <summary>Tokens [from, to) as text, one space where there was trivia between two tokens.</summary>
    public string Join(int from, int to) => JoinTokens(Text, Tokens, from, to);

    /// <summary>Like <see cref="Join"/>, but a text longer than <paramref name="maxChars"/> is cut there and ends in
    /// " ...". Reads no token past the cut, so the cost is bounded whatever the range.</summary>
    public string JoinBounded(int from, int to, int maxChars)
    {
        to = Math.Min(to, Tokens.Count);
        var span = CollectionsMarshal.AsSpan(Tokens);
        int length = 0;
        for (int k = from; k < to; k++)
        {
            length += span[k].Length + (k > from && span[k].Start > span[k - 1].End ? 1 : 0);
            if (length > maxChars)
            {
                return Cut(from, k + 1, maxChars);
            }
        }

        return JoinTokens(Text, Tokens, from, to);
    }

    private string Cut(int from, int to, int maxChars)
    {
        const string Ellipsis = " ...";
        return string.Create(maxChars + Ellipsis.Length, (this, from, to), static (dest, state) =>
        {
            var toks = CollectionsMarshal.AsSpan(state.Item1.Tokens)[state.from..state.to];
            string text = state.Item1.Text;
            int at = 0;
            int room = dest.Length - Ellipsis.Length;
            for (int k = 0; k < toks.Length && at < room; k++)
            {
                if (k > 0 && toks[k].Start > toks[k - 1].End)
                {
                    dest[at++] = ' ';
                }

                int n = Math.Min(toks[k].Length, room - at);
                text.AsSpan(toks[k].Start, n).CopyTo(dest[at..]);
                at += n;
            }

            Ellipsis.AsSpan().CopyTo(dest[at..]);
        });
    }

    /// <summary>The tokens at <paramref name="indices"/> as text, one space where there was trivia between two.</summary>
    public string JoinIndices(List<int> indices)
    {
        var sb = new StringBuilder();
        for (int k = 0; k < indices.Count; k++)
        {
            if (k > 0 && Tokens[indices[k]].Start > Tokens[indices[k - 1]].End)
            {
                sb.Append(' ');
            }

            sb.Append(Text, Tokens[indices[k]].Start, Tokens[indices[k]].Length);
        }

        return sb.ToString();
    }

    /// <summary>Arguments of the group opened at <paramref name="open"/>, split at depth-0 commas, up to its ')' or <paramref name="end"/>.</summary>
    public List<(int Start, int End)> SplitArgs(int open, int end) => SplitArgs(Text, Tokens, open, end);

    /// <summary>Whether the line of <paramref name="tok"/> starts with white space before it.</summary>
    public bool IsIndented(CToken tok)
    {
        int lineStart = tok.Start;
        while (lineStart > 0 && Text[lineStart - 1] != '\n')
        {
            lineStart--;
        }

        return lineStart < tok.Start && Text[lineStart] is ' ' or '\t';
    }

    /// <summary>Tokens [from, to) as text, one space where there was trivia or a comment between two tokens.</summary>
    public static string JoinTokens(string text, List<CToken> tokens, int from, int to)
    {
        to = Math.Min(to, tokens.Count);
        if (from >= to)
        {
            return string.Empty;
        }

        if (to - from == 1)
        {
            return text.Substring(tokens[from].Start, tokens[from].Length);
        }

        // Measured first, then written once: this runs for every argument and assignment of every fragment.
        var span = CollectionsMarshal.AsSpan(tokens)[from..to];
        int length = span[0].Length;
        for (int k = 1; k < span.Length; k++)
        {
            length += span[k].Length + (span[k].Start > span[k - 1].End ? 1 : 0);
        }

        return string.Create(length, (text, tokens, from, to), static (dest, state) =>
        {
            var toks = CollectionsMarshal.AsSpan(state.tokens)[state.from..state.to];
            int at = 0;
            for (int k = 0; k < toks.Length; k++)
            {
                if (k > 0 && toks[k].Start > toks[k - 1].End)
                {
                    dest[at++] = ' ';
                }

                state.text.AsSpan(toks[k].Start, toks[k].Length).CopyTo(dest[at..]);
                at += toks[k].Length;
            }
        });
    }

    /// <summary>Arguments of the group opened at <paramref name="open"/>, split at depth-0 commas, up to its ')' or <paramref name="end"/>.</summary>
    public static List<(int Start, int End)> SplitArgs(string text, List<CToken> tokens, int open, int end)
    {
        var args = new List<(int, int)>();
        int depth = 0;
        int start = open + 1;
        for (int k = open + 1; k < end && k < tokens.Count; k++)
        {
            CToken tok = tokens[k];
            if (tok.Kind != CTokenKind.Punctuator || tok.Length != 1)
            {
                continue;
            }

            char c = text[tok.Start];
            if (c is '(' or '[' or '{')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}')
            {
                if (depth == 0)
                {
                    args.Add((start, k));
                    return args;
                }

                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                args.Add((start, k));
                start = k + 1;
            }
        }

        if (start < Math.Min(end, tokens.Count))
        {
            args.Add((start, Math.Min(end, tokens.Count)));
        }

        return args;
    }

    /// <summary>Fills <paramref name="match"/> with each bracket token's partner (-1 when unmatched): one stack per bracket type.</summary>
    public static void MatchBrackets(ReadOnlySpan<char> text, ReadOnlySpan<CToken> tokens, Span<int> match)
    {
        match.Fill(-1);
        var paren = new Stack<int>();
        var square = new Stack<int>();
        var brace = new Stack<int>();
        for (int k = 0; k < tokens.Length; k++)
        {
            CToken tok = tokens[k];
            if (tok.Kind != CTokenKind.Punctuator || tok.Length != 1)
            {
                continue;
            }

            Stack<int>? opened = null;
            switch (text[tok.Start])
            {
                case '(':
                    paren.Push(k);
                    break;
                case '[':
                    square.Push(k);
                    break;
                case '{':
                    brace.Push(k);
                    break;
                case ')':
                    opened = paren;
                    break;
                case ']':
                    opened = square;
                    break;
                case '}':
                    opened = brace;
                    break;
            }

            if (opened is { Count: > 0 })
            {
                int o = opened.Pop();
                match[o] = k;
                match[k] = o;
            }
        }
    }
}
