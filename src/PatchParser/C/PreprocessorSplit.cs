namespace PatchBot.PatchParser.C;

/// <summary>
/// Reads a fragment's tokens once and splits them: code tokens for the walkers, and the preprocessor
/// lines apart, from which the fixup wrapper macros (<c>#define X(...) DECLARE_PCI_FIXUP_...(...)</c>) are read.
/// </summary>
internal sealed class PreprocessorSplit
{
    private readonly CFragment _fragment;
    private readonly List<CToken> _pp;
    private readonly List<(int Start, int End)> _directives; // token ranges in _pp

    private PreprocessorSplit(CFragment fragment, TokenBuffer code, bool truncated, List<CToken> pp, List<(int Start, int End)> directives)
    {
        _fragment = fragment;
        Code = code;
        Truncated = truncated;
        _pp = pp;
        _directives = directives;
    }

    /// <summary>The code tokens, preprocessor lines and comments left out.</summary>
    public TokenBuffer Code { get; }

    /// <summary>The file's token budget ran out in this fragment (a gap was recorded).</summary>
    public bool Truncated { get; }

    /// <summary>Tokenizes <paramref name="fragment"/> against what is left of the file's token budget.</summary>
    public static PreprocessorSplit Read(CFragment fragment, string origin, CFileFacts facts, int maxTokensPerFile)
    {
        string text = fragment.Text;

        // A hunk that starts inside a block comment: skip up to the first "*/".
        int skipTo = 0;
        int close = text.AsSpan().IndexOf("*/");
        if (!fragment.WholeFile && close >= 0)
        {
            int open = text.AsSpan().IndexOf("/*");
            if (open < 0 || open > close)
            {
                skipTo = close + 2;
            }
        }

        // C averages about six characters a token (measured over a kernel tree): sized once instead of doubling.
        var code = new List<CToken>(text.Length / 5 + 16);
        var pp = new List<CToken>();
        var directives = new List<(int Start, int End)>();
        int budget = Math.Max(0, maxTokensPerFile - facts.TokensRead);
        var reader = new CTokenizer(text, new CTokenizerOptions { MaxTokens = budget });
        int directiveStart = -1;
        bool truncated = false;
        while (reader.Read())
        {
            CToken tok = reader.Current;
            if (tok.Start < skipTo)
            {
                continue;
            }

            switch (tok.Kind)
            {
                case CTokenKind.PreprocessorStart:
                    directiveStart = pp.Count;
                    break;
                case CTokenKind.PreprocessorEnd:
                    if (directiveStart >= 0)
                    {
                        directives.Add((directiveStart, pp.Count));
                    }

                    directiveStart = -1;
                    break;
                case CTokenKind.Comment or CTokenKind.Error:
                    break;
                default:
                    if ((tok.Traits & CTokenTraits.InPreprocessor) != 0)
                    {
                        pp.Add(tok);
                    }
                    else
                    {
                        code.Add(tok);
                    }

                    break;
            }
        }

        if (directiveStart >= 0)
        {
            directives.Add((directiveStart, pp.Count));
        }

        facts.TokensRead += reader.TokenCount;
        if (reader.LimitExceeded || (budget == 0 && text.Length > 0))
        {
            truncated = true;
            facts.Gaps.Add(new Graph.CoverageGap(fragment.Path,
                $"token limit ({maxTokensPerFile} per file) reached: the rest of the file was not analysed",
                fragment.FileLine(reader.Current.Line), origin));
        }

        return new PreprocessorSplit(fragment, new TokenBuffer(text, code), truncated, pp, directives);
    }

    /// <summary>Adds the wrapper macros (#define X(...) DECLARE_PCI_FIXUP_...(...)) this fragment defines.</summary>
    public void CollectFixupWrappers(Dictionary<string, FixupWrapper> into, KernelIdioms idioms)
    {
        FixupSectionMacro sectionMacro = idioms.SectionMacro;
        string text = _fragment.Text;
        foreach ((int start, int end) in _directives)
        {
            // define NAME ( params ) body
            if (end - start < 4 || !TokenBuffer.IsWord(text, _pp[start], "define"))
            {
                continue;
            }

            CToken name = _pp[start + 1];
            CToken paren = _pp[start + 2];
            if (name.Kind != CTokenKind.Identifier || !paren.IsPunctuator(text, '(') || paren.Start != name.End)
            {
                continue;
            }

            var parameters = new List<string>();
            int k = start + 3;
            for (; k < end && !_pp[k].IsPunctuator(text, ')'); k++)
            {
                if (_pp[k].Kind == CTokenKind.Identifier)
                {
                    parameters.Add(Str(_pp[k]));
                }
            }

            for (k++; k < end - 1; k++)
            {
                if (_pp[k].Kind != CTokenKind.Identifier || !_pp[k + 1].IsPunctuator(text, '('))
                {
                    continue;
                }

                string macro = Str(_pp[k]);
                int hookArg;
                bool isSection = macro == sectionMacro.Name;
                if (isSection)
                {
                    hookArg = sectionMacro.HookArgument;
                }
                else if (!idioms.TryGetFixup(macro, out _, out hookArg))
                {
                    continue;
                }

                List<(int Start, int End)> args = TokenBuffer.SplitArgs(text, _pp, k + 1, end);
                if (hookArg >= args.Count)
                {
                    break;
                }

                (int a, int b) = args[hookArg];
                string hook = TokenBuffer.JoinTokens(text, _pp, a, b);
                int p = parameters.IndexOf(hook);
                string? literal = p < 0 && b - a == 1 && _pp[a].Kind == CTokenKind.Identifier ? hook : null;
                if (p >= 0 || literal is not null)
                {
                    string section = isSection && args.Count > sectionMacro.SectionArgument
                        ? TokenBuffer.JoinTokens(text, _pp, args[sectionMacro.SectionArgument].Start, args[sectionMacro.SectionArgument].End)
                        : macro;
                    into[Str(name)] = new FixupWrapper(Str(name), section, p, literal,
                        _fragment.FileLine(_pp[k].Line), _fragment.Kind(_pp[k].Line));
                }

                break;
            }
        }

        string Str(CToken tok) => text.Substring(tok.Start, tok.Length);
    }
}
