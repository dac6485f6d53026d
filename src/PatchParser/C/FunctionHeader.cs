namespace PatchBot.PatchParser.C;

/// <summary>A function definition's header as written: <c>static int __init foo(struct pci_dev *pdev)</c>.</summary>
/// <param name="Parameters">Parameter declarations as written ("struct pci_dev *pdev"), "void" left out; "..." last when git cut the list.</param>
/// <param name="ParameterNames">The name each parameter declares (same order); empty for an unnamed one.</param>
/// <param name="ReturnType">The words before the name without storage-class words and annotations.</param>
internal sealed record FunctionHeaderInfo(
    string Name,
    bool IsStatic,
    IReadOnlyList<string> Parameters,
    IReadOnlyList<string> ParameterNames,
    string ReturnType);

/// <summary>
/// The one recogniser of a function definition header, shared by the fragment analysis and the tree index
/// (<see cref="Tree.FunctionIndexer"/>) so the two cannot disagree on what a definition is: the tokens of a
/// file-scope declaration before a '{', holding no '=' outside brackets, and an identifier followed by a
/// parenthesised group that closes before the '{'. The first such identifier is the function's name. A
/// complete brace group before it (a struct body, or a block the walk could not place) is stepped over, never
/// read as part of the header.
/// </summary>
internal static class FunctionHeader
{
    /// <summary>Index of the function name in the header tokens [from, brace), or -1 when the '{' does not open a
    /// function body (an initialiser, a struct definition, a statement).</summary>
    /// <param name="match">Each bracket's partner (-1 when unmatched), indexed like <paramref name="tokens"/>.</param>
    public static int FindName(ReadOnlySpan<char> text, ReadOnlySpan<CToken> tokens, ReadOnlySpan<int> match, int from, int brace)
    {
        if (HasAssignAtDepth0(text, tokens, match, from, brace))
        {
            return -1;
        }

        for (int k = from; k < brace; k++)
        {
            if (tokens[k].IsPunctuator(text, '{') && match[k] >= 0 && match[k] < brace)
            {
                k = match[k];
                continue;
            }

            if (k == from || !tokens[k].IsPunctuator(text, '('))
            {
                continue;
            }

            if (tokens[k - 1].Kind == CTokenKind.Identifier && match[k] >= 0 && match[k] < brace)
            {
                return k - 1;
            }

            if (match[k] >= 0)
            {
                k = match[k];
            }
        }

        return -1;
    }

    /// <summary>Whether [from, to) holds an '=' outside brackets: an initialiser follows.</summary>
    public static bool HasAssignAtDepth0(ReadOnlySpan<char> text, ReadOnlySpan<CToken> tokens, ReadOnlySpan<int> match, int from, int to)
    {
        for (int k = from; k < to; k++)
        {
            if (tokens[k].IsPunctuator(text, '(') || tokens[k].IsPunctuator(text, '['))
            {
                k = match[k] < 0 ? to : match[k];
                continue;
            }

            if (tokens[k].IsPunctuator(text, '{') && match[k] >= 0 && match[k] < to)
            {
                k = match[k];
                continue;
            }

            if (tokens[k].IsPunctuator(text, '='))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the header tokens [from, nameIndex) make the function static.</summary>
    public static bool IsStatic(ReadOnlySpan<char> text, ReadOnlySpan<CToken> tokens, int from, int nameIndex)
    {
        for (int k = from; k < nameIndex; k++)
        {
            if (tokens[k].Span(text).SequenceEqual("static"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads the header whose name is at <paramref name="nameIndex"/> and which starts at <paramref name="from"/>.</summary>
    public static FunctionHeaderInfo Read(TokenBuffer b, int from, int nameIndex)
    {
        int open = nameIndex + 1;
        int close = b.Match[open];
        var returnType = new List<int>();
        for (int k = from; k < nameIndex; k++)
        {
            if (!IsStorageWord(b.Tokens[k].Span(b.Text)))
            {
                returnType.Add(k);
            }
        }

        (List<string> parameters, List<string> names) = Parameters(b, open, close < 0 ? b.Count : close);
        return new FunctionHeaderInfo(b.Str(nameIndex), IsStatic(b.Text, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(b.Tokens), from, nameIndex),
            parameters, names, b.JoinIndices(returnType));
    }

    /// <summary>The parameter declarations of the list opened at <paramref name="open"/> and closed at <paramref name="close"/>.</summary>
    public static (List<string> Declarations, List<string> Names) Parameters(TokenBuffer b, int open, int close)
    {
        var declarations = new List<string>();
        var names = new List<string>();
        foreach ((int a, int e) in b.SplitArgs(open, close + 1 > b.Count ? b.Count : close + 1))
        {
            string p = b.Join(a, e);
            if (p.Length > 0 && p != "void")
            {
                declarations.Add(p);
                names.Add(ParameterName(b, a, e));
            }
        }

        return (declarations, names);
    }

    /// <summary>
    /// The name a parameter declaration [from, to) declares: its last token when that is an identifier
    /// (array brackets left out: "u8 buf[4]" gives "buf"), or the name inside a function pointer declarator
    /// ("void (*cb)(int)" gives "cb"); empty for an unnamed parameter ("struct pci_dev *").
    /// </summary>
    public static string ParameterName(TokenBuffer b, int from, int to)
    {
        int last = to - 1;
        while (last >= from && b.IsP(last, ']') && b.Match[last] >= from)
        {
            last = b.Match[last] - 1;
        }

        if (last >= from && b.IsIdentifier(last))
        {
            return b.Str(last);
        }

        // ( * name ) ( ... )
        for (int k = from; k < to; k++)
        {
            if (b.IsP(k, '(') && b.IsP(k + 1, '*'))
            {
                int close = b.Match[k];
                for (int n = close - 1; n > k; n--)
                {
                    if (b.IsIdentifier(n))
                    {
                        return b.Str(n);
                    }
                }

                break;
            }
        }

        return string.Empty;
    }

    /// <summary>Storage-class words and section annotations that are not part of a return type.</summary>
    public static bool IsStorageWord(ReadOnlySpan<char> w) => w is "static" or "inline" or "__inline" or "__inline__" or "extern"
        or "__always_inline" or "noinline" or "__init" or "__exit" or "__maybe_unused" or "__cold" or "__ref"
        or "__devinit" or "__devexit" or "__meminit" or "notrace";
}
