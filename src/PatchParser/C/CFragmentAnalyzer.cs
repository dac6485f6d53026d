using System.Text;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;

namespace PatchBot.PatchParser.C;

/// <summary>
/// Reads one fragment of a C file (a hunk's lines of one image, or a whole file): the functions it defines or
/// touches, their calls and assignments, and the file-scope registrations. Heuristic, never throws: what it
/// cannot follow becomes a <see cref="CoverageGap"/>.
/// </summary>
internal sealed class CFragmentAnalyzer
{
    private readonly CFragment _fragment;
    private readonly string _text;
    private readonly List<CToken> _t;
    private readonly List<(int Start, int End)> _directives = []; // token ranges in _pp
    private readonly List<CToken> _pp = [];
    private int[] _match = [];
    private readonly string _origin;
    private CFileFacts _facts = null!;
    private IReadOnlyDictionary<string, FixupWrapper> _wrappers = null!;
    private bool _onlyRemoved;

    private CFragmentAnalyzer(CFragment fragment, string origin)
    {
        _fragment = fragment;
        _text = fragment.Text;
        _origin = origin;

        // C averages about six characters a token (measured over a kernel tree): sized once instead of doubling.
        _t = new List<CToken>(_text.Length / 5 + 16);
    }

    /// <summary>Tokenizes <paramref name="fragment"/>; false (with a gap) when the file's token budget ran out.</summary>
    /// <param name="maxNesting">Deepest brace nesting of an initialiser walked; deeper parts are skipped with a gap.</param>
    public static CFragmentAnalyzer Tokenize(CFragment fragment, string origin, CFileFacts facts, int maxTokensPerFile, int maxNesting = 256)
    {
        var a = new CFragmentAnalyzer(fragment, origin) { _maxNesting = maxNesting };
        a.ReadTokens(facts, maxTokensPerFile);
        return a;
    }

    private int _maxNesting;
    private bool _nestingReported;

    public CFragment Fragment => _fragment;

    public bool Truncated { get; private set; }

    private void ReadTokens(CFileFacts facts, int maxTokensPerFile)
    {
        ReadOnlySpan<char> text = _text;

        // A hunk that starts inside a block comment: skip up to the first "*/".
        int skipTo = 0;
        int close = text.IndexOf("*/");
        if (!_fragment.WholeFile && close >= 0)
        {
            int open = text.IndexOf("/*");
            if (open < 0 || open > close)
            {
                skipTo = close + 2;
            }
        }

        int budget = Math.Max(0, maxTokensPerFile - facts.TokensRead);
        var reader = new CTokenizer(text, new CTokenizerOptions { MaxTokens = budget });
        int directiveStart = -1;
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
                    directiveStart = _pp.Count;
                    break;
                case CTokenKind.PreprocessorEnd:
                    if (directiveStart >= 0)
                    {
                        _directives.Add((directiveStart, _pp.Count));
                    }

                    directiveStart = -1;
                    break;
                case CTokenKind.Comment or CTokenKind.Error:
                    break;
                default:
                    if ((tok.Traits & CTokenTraits.InPreprocessor) != 0)
                    {
                        _pp.Add(tok);
                    }
                    else
                    {
                        _t.Add(tok);
                    }

                    break;
            }
        }

        if (directiveStart >= 0)
        {
            _directives.Add((directiveStart, _pp.Count));
        }

        facts.TokensRead += reader.TokenCount;
        if (reader.LimitExceeded || (budget == 0 && text.Length > 0))
        {
            Truncated = true;
            facts.Gaps.Add(new CoverageGap(_fragment.Path,
                $"token limit ({maxTokensPerFile} per file) reached: the rest of the file was not analysed",
                _fragment.FileLine(reader.Current.Line), _origin));
        }

        _match = MatchBrackets(_t, _text);
    }

    /// <summary>Adds the wrapper macros (#define X(...) DECLARE_PCI_FIXUP_...(...)) this fragment defines.</summary>
    public void CollectFixupWrappers(Dictionary<string, FixupWrapper> into)
    {
        foreach ((int start, int end) in _directives)
        {
            // define NAME ( params ) body
            if (end - start < 4 || !IsWord(_pp[start], "define"))
            {
                continue;
            }

            CToken name = _pp[start + 1];
            CToken paren = _pp[start + 2];
            if (name.Kind != CTokenKind.Identifier || !paren.IsPunctuator(_text, '(') || paren.Start != name.End)
            {
                continue;
            }

            var parameters = new List<string>();
            int k = start + 3;
            for (; k < end && !_pp[k].IsPunctuator(_text, ')'); k++)
            {
                if (_pp[k].Kind == CTokenKind.Identifier)
                {
                    parameters.Add(Str(_pp[k]));
                }
            }

            for (k++; k < end - 1; k++)
            {
                if (_pp[k].Kind != CTokenKind.Identifier || !_pp[k + 1].IsPunctuator(_text, '('))
                {
                    continue;
                }

                string macro = Str(_pp[k]);
                int hookArg;
                if (macro == KernelIdioms.FixupSectionMacro)
                {
                    hookArg = 6;
                }
                else if (!KernelIdioms.TryGetFixup(macro, out _, out hookArg))
                {
                    continue;
                }

                List<(int, int)> args = SplitArgs(_pp, k + 1, end);
                if (hookArg >= args.Count)
                {
                    break;
                }

                (int a, int b) = args[hookArg];
                string hook = Join(_pp, a, b);
                int p = parameters.IndexOf(hook);
                string? literal = p < 0 && b - a == 1 && _pp[a].Kind == CTokenKind.Identifier ? hook : null;
                if (p >= 0 || literal is not null)
                {
                    string section = macro == KernelIdioms.FixupSectionMacro && args.Count > 0 ? Join(_pp, args[0].Item1, args[0].Item2) : macro;
                    into[Str(name)] = new FixupWrapper(Str(name), section, p, literal,
                        _fragment.FileLine(_pp[k].Line), _fragment.Kind(_pp[k].Line));
                }

                break;
            }
        }
    }

    /// <summary>Walks the fragment and records what it finds in <paramref name="facts"/>.</summary>
    /// <param name="onlyRemoved">Pre-image pass: record only what sits on removed lines.</param>
    public void Analyze(CFileFacts facts, IReadOnlyDictionary<string, FixupWrapper> wrappers, bool onlyRemoved)
    {
        _facts = facts;
        _wrappers = wrappers;
        _onlyRemoved = onlyRemoved;
        int i = 0;
        if (_t.Count == 0)
        {
            return;
        }

        if (!_fragment.WholeFile)
        {
            StartInside(ref i);
        }

        WalkFileScope(ref i, _t.Count);
    }

    // ---- where a hunk starts ----

    private void StartInside(ref int i)
    {
        int depth = 0, minDepth = 0, firstUnmatched = -1;
        for (int k = 0; k < _t.Count; k++)
        {
            if (IsP(k, '{'))
            {
                depth++;
            }
            else if (IsP(k, '}'))
            {
                depth--;
                if (depth < minDepth)
                {
                    minDepth = depth;
                    firstUnmatched = firstUnmatched < 0 ? k : firstUnmatched;
                }
            }
        }

        SectionInfo section = ParseSection(_fragment.Section);
        if (minDepth < 0)
        {
            if (section.Kind == SectionKind.Initializer && minDepth == -1)
            {
                WalkInitializer(-1, firstUnmatched, section.StructType, section.Variable);
                i = firstUnmatched + 1;
                return;
            }

            if (section.Kind == SectionKind.Function || HasStatementKeyword(0, firstUnmatched))
            {
                WalkBody(ref i, -minDepth, SectionScope(section));
            }
            else
            {
                i = firstUnmatched + 1; // the end of a struct definition or an initialiser we do not know
            }

            return;
        }

        int firstBrace = 0;
        while (firstBrace < _t.Count && !IsP(firstBrace, '{'))
        {
            firstBrace++;
        }

        bool statements = HasStatementKeyword(0, firstBrace);
        bool indented = IsIndented(_t[0]);
        if (section.Kind == SectionKind.Function && (statements || (indented && !LooksLikeFileScope(0, firstBrace))))
        {
            WalkBody(ref i, 1, SectionScope(section));
        }
        else if (statements)
        {
            WalkBody(ref i, 1, SectionScope(section));
        }
        else if (section.Kind == SectionKind.Initializer && IsP(0, '.'))
        {
            WalkInitializer(-1, _t.Count, section.StructType, section.Variable);
            i = _t.Count;
        }
    }

    /// <summary>A function definition header or an initialiser at depth 0 before the first '{' means file scope.</summary>
    private bool LooksLikeFileScope(int from, int to)
    {
        for (int k = from; k < to; k++)
        {
            if (_t[k].Kind == CTokenKind.Identifier && KernelIdioms.FileScopeMacros.ContainsKey(Str(k)))
            {
                return true;
            }

            if (_t[k].Kind == CTokenKind.Identifier && (_wrappers.ContainsKey(Str(k)) || KernelIdioms.MainlineFixupWrappers.ContainsKey(Str(k))))
            {
                return true;
            }
        }

        return to < _t.Count && to > from && IsP(to - 1, ')') && !IsIndented(_t[from]);
    }

    private bool HasStatementKeyword(int from, int to)
    {
        for (int k = from; k < to && k < _t.Count; k++)
        {
            if (_t[k].Kind == CTokenKind.Keyword && KernelIdioms.StatementKeywords.Contains(Str(k)))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsIndented(CToken tok)
    {
        int lineStart = tok.Start;
        while (lineStart > 0 && _text[lineStart - 1] != '\n')
        {
            lineStart--;
        }

        return lineStart < tok.Start && _text[lineStart] is ' ' or '\t';
    }

    private FunctionScope SectionScope(SectionInfo section)
    {
        var scope = new FunctionScope
        {
            Name = section.Kind == SectionKind.Function ? section.Name : null,
            IsStatic = section.IsStatic,
            Parameters = section.Parameters,
            ReturnType = section.ReturnType,
            StartLine = _t.Count > 0 ? _t[0].Line : 1,
            NamedFromSection = true,
        };
        if (scope.Name is null && !_onlyRemoved)
        {
            _facts.Gaps.Add(new CoverageGap(_fragment.Path,
                "hunk starts inside a function whose name is not known (no usable @@ function context)",
                _fragment.FileLine(scope.StartLine), _origin));
        }

        return scope;
    }

    // ---- file scope ----

    private void WalkFileScope(ref int i, int end)
    {
        int declStart = i;
        while (i < end)
        {
            CToken tok = _t[i];
            if (tok.Kind == CTokenKind.Identifier && i + 1 < end && IsP(i + 1, '(') && TryRegistrationMacro(i))
            {
                i = _match[i + 1] < 0 ? end : _match[i + 1] + 1;
                declStart = i;
                continue;
            }

            if (IsP(i, '{'))
            {
                int close = _match[i] < 0 ? end : _match[i];
                if (HasAssignAtDepth0(declStart, i))
                {
                    (string type, string variable) = InitializerType(declStart, i);
                    WalkInitializer(i, close, type, variable);
                    i = close + 1;
                    continue;
                }

                int nameIndex = FunctionName(declStart, i);
                if (nameIndex >= 0)
                {
                    FunctionScope scope = HeaderScope(declStart, nameIndex);
                    i++;
                    WalkBody(ref i, 1, scope);
                    declStart = i;
                    continue;
                }

                if (HasStatementKeyword(declStart, i))
                {
                    // Code at what looked like file scope: a body whose header is not visible.
                    FunctionScope scope = SectionScope(ParseSection(_fragment.Section));
                    i++;
                    WalkBody(ref i, 1, scope);
                    declStart = i;
                    continue;
                }

                i = close + 1; // struct/union/enum definition
                continue;
            }

            if (IsP(i, ';') || IsP(i, '}'))
            {
                declStart = i + 1;
            }

            i++;
        }
    }

    private bool HasAssignAtDepth0(int from, int to)
    {
        for (int k = from; k < to; k++)
        {
            if (IsP(k, '(') || IsP(k, '['))
            {
                k = _match[k] < 0 ? to : _match[k];
                continue;
            }

            if (IsP(k, '='))
            {
                return true;
            }
        }

        return false;
    }

    private (string Type, string Variable) InitializerType(int from, int to)
    {
        string type = string.Empty, variable = string.Empty;
        for (int k = from; k < to; k++)
        {
            if (IsWord(_t[k], "struct") && k + 1 < to && _t[k + 1].Kind == CTokenKind.Identifier)
            {
                type = Str(k + 1);
            }

            if (IsP(k, '='))
            {
                for (int v = k - 1; v >= from; v--)
                {
                    if (IsP(v, ']') && _match[v] >= 0)
                    {
                        v = _match[v];
                        continue;
                    }

                    if (_t[v].Kind == CTokenKind.Identifier)
                    {
                        variable = Str(v);
                        break;
                    }
                }

                break;
            }
        }

        return (type, variable);
    }

    /// <summary>Index of the function name in a definition header [from, brace), or -1.</summary>
    private int FunctionName(int from, int brace)
    {
        for (int k = from + 1; k < brace; k++)
        {
            if (!IsP(k, '('))
            {
                continue;
            }

            if (_t[k - 1].Kind == CTokenKind.Identifier && _match[k] >= 0 && _match[k] < brace)
            {
                return k - 1;
            }

            if (_match[k] >= 0)
            {
                k = _match[k];
            }
        }

        return -1;
    }

    private FunctionScope HeaderScope(int declStart, int nameIndex)
    {
        int open = nameIndex + 1;
        int close = _match[open];
        bool isStatic = false;
        var returnType = new List<int>();
        for (int k = declStart; k < nameIndex; k++)
        {
            string w = Str(k);
            if (w == "static")
            {
                isStatic = true;
            }

            if (!IsStorageWord(w))
            {
                returnType.Add(k);
            }
        }

        return new FunctionScope
        {
            Name = Str(nameIndex),
            IsStatic = isStatic,
            Parameters = Parameters(_t, open, close < 0 ? _t.Count : close),
            ReturnType = JoinIndices(returnType),
            StartLine = _t[declStart].Line,
            NameLine = _t[nameIndex].Line,
            HeaderVisible = true,
        };
    }

    private static bool IsStorageWord(string w) => w is "static" or "inline" or "__inline" or "__inline__" or "extern"
        or "__always_inline" or "noinline" or "__init" or "__exit" or "__maybe_unused" or "__cold" or "__ref"
        or "__devinit" or "__devexit" or "__meminit" or "notrace";

    private List<string> Parameters(List<CToken> tokens, int open, int close)
    {
        var result = new List<string>();
        foreach ((int a, int b) in SplitArgs(tokens, open, close + 1 > tokens.Count ? tokens.Count : close + 1))
        {
            string p = Join(tokens, a, b);
            if (p.Length > 0 && p != "void")
            {
                result.Add(p);
            }
        }

        return result;
    }

    // ---- registrations at file scope ----

    private bool TryRegistrationMacro(int i)
    {
        string name = Str(i);
        int open = i + 1;
        int close = _match[open] < 0 ? _t.Count : _match[open];
        CToken tok = _t[i];

        if (KernelIdioms.FileScopeMacros.TryGetValue(name, out RegistrationMacro? macro))
        {
            List<(int, int)> args = SplitArgs(_t, open, close + 1 > _t.Count ? _t.Count : close + 1);
            if (macro.FunctionArg < 0)
            {
                for (int a = 1; a < args.Count; a++)
                {
                    if (SingleIdentifier(args[a].Item1, args[a].Item2) is string fn)
                    {
                        AddRegistration(macro.Role, fn, tok.Line, name, macro.Detail);
                    }
                }
            }
            else if (macro.FunctionArg < args.Count && SingleIdentifier(args[macro.FunctionArg].Item1, args[macro.FunctionArg].Item2) is string fn)
            {
                AddRegistration(macro.Role, fn, tok.Line, name, macro.Detail);
            }

            return true;
        }

        if (name == KernelIdioms.FixupSectionMacro)
        {
            List<(int, int)> args = SplitArgs(_t, open, close + 1 > _t.Count ? _t.Count : close + 1);
            if (args.Count >= 7 && KernelIdioms.FixupRoleFromSection(Join(_t, args[0].Item1, args[0].Item2)) is RoleKind role
                && SingleIdentifier(args[6].Item1, args[6].Item2) is string fn)
            {
                AddRegistration(role, fn, tok.Line, name, null);
            }

            return true;
        }

        if (_wrappers.TryGetValue(name, out FixupWrapper? wrapper) || KernelIdioms.MainlineFixupWrappers.TryGetValue(name, out wrapper))
        {
            RoleKind? role = KernelIdioms.TryGetFixup(wrapper.FixupMacro, out RoleKind r, out _) ? r : KernelIdioms.FixupRoleFromSection(wrapper.FixupMacro);
            string? hook = wrapper.HookName;
            if (hook is null)
            {
                List<(int, int)> args = SplitArgs(_t, open, close + 1 > _t.Count ? _t.Count : close + 1);
                hook = wrapper.HookParameter < args.Count ? SingleIdentifier(args[wrapper.HookParameter].Item1, args[wrapper.HookParameter].Item2) : null;
            }

            if (role is RoleKind fixupRole && hook is not null)
            {
                AddRegistration(fixupRole, hook, tok.Line, wrapper.FixupMacro, null, name, wrapper.DefinitionLine, wrapper.DefinitionLineKind);
            }

            return true;
        }

        return false;
    }

    private Registration? AddRegistration(RoleKind role, string function, int line, string idiom, string? detail,
        string? viaMacro = null, int? definitionLine = null, DiffLineKind? definitionKind = null)
    {
        DiffLineKind kind = _fragment.Kind(line);
        if (_onlyRemoved && kind != DiffLineKind.Removed)
        {
            return null;
        }

        var r = new Registration(role, function, _fragment.Path, _fragment.FileLine(line), kind, idiom, false, detail,
            viaMacro, definitionLine, definitionKind, _origin);
        _facts.Registrations.Add(r);
        return r;
    }

    // ---- initialisers ----

    /// <summary>Designated initialisers between <paramref name="open"/> and <paramref name="close"/> (exclusive).</summary>
    private void WalkInitializer(int open, int close, string type, string variable, int depth = 0)
    {
        if (depth > _maxNesting)
        {
            if (!_nestingReported)
            {
                _nestingReported = true;
                _facts.Gaps.Add(new CoverageGap(_fragment.Path,
                    $"initialiser nested deeper than {_maxNesting} braces: the inner part was not analysed",
                    _fragment.FileLine(open >= 0 && open < _t.Count ? _t[open].Line : 1), _origin));
            }

            return;
        }

        int i = open + 1;
        string? notifierCall = null;
        int notifierLine = 0;
        string? priority = null;
        while (i < close)
        {
            if (IsP(i, '.') && i + 1 < close && _t[i + 1].Kind == CTokenKind.Identifier)
            {
                int designator = i;
                string field = Str(i + 1);
                int j = i + 2;
                while (j + 1 < close && IsP(j, '.') && _t[j + 1].Kind == CTokenKind.Identifier)
                {
                    field = Str(j + 1);
                    j += 2;
                }

                if (j >= close || !IsP(j, '='))
                {
                    i = j;
                    continue;
                }

                int v = j + 1;
                if (v < close && IsP(v, '{'))
                {
                    int nestedClose = _match[v] < 0 ? close : Math.Min(_match[v], close);
                    WalkInitializer(v, nestedClose, KernelIdioms.NestedStructType(type, field), variable, depth + 1);
                    i = nestedClose + 1;
                    continue;
                }

                int valueEnd = ValueEnd(v, close);
                if (type == "notifier_block" && field == "priority")
                {
                    priority = Join(_t, v, valueEnd);
                }

                if (KernelIdioms.FieldRole(type, field) is RoleKind role && FunctionFromValue(v, valueEnd) is string fn)
                {
                    if (role == RoleKind.Notifier)
                    {
                        notifierCall = fn;
                        notifierLine = _t[designator].Line;
                    }
                    else
                    {
                        string? detail = type.EndsWith("_driver", StringComparison.Ordinal) ? type : null;
                        AddRegistration(role, fn, _t[designator].Line, $"{type}.{field}", detail);
                    }
                }

                i = valueEnd;
                continue;
            }

            if (_t[i].Kind == CTokenKind.Identifier && i + 1 < close && IsP(i + 1, '('))
            {
                string macro = Str(i);
                int mclose = _match[i + 1] < 0 ? close : Math.Min(_match[i + 1], close);
                if (KernelIdioms.PmOpsInitializerMacros.Contains(macro))
                {
                    foreach ((int a, int b) in SplitArgs(_t, i + 1, mclose + 1))
                    {
                        if (FunctionFromValue(a, b) is string fn)
                        {
                            AddRegistration(RoleKind.PmCallback, fn, _t[i].Line, macro, null);
                        }
                    }
                }

                i = mclose + 1;
                continue;
            }

            if (IsP(i, '{'))
            {
                int nestedClose = _match[i] < 0 ? close : Math.Min(_match[i], close);
                WalkInitializer(i, nestedClose, type, variable, depth + 1);
                i = nestedClose + 1;
                continue;
            }

            i++;
        }

        if (notifierCall is not null && AddRegistration(RoleKind.Notifier, notifierCall, notifierLine, "notifier_block.notifier_call", priority ?? "0") is Registration reg)
        {
            _facts.NotifierBlocks.Add((reg, variable));
        }
    }

    private int ValueEnd(int v, int close)
    {
        int k = v;
        while (k < close && !IsP(k, ','))
        {
            if ((IsP(k, '(') || IsP(k, '[') || IsP(k, '{')) && _match[k] >= 0)
            {
                k = _match[k];
            }

            k++;
        }

        return Math.Min(k, close);
    }

    /// <summary>The function an initialiser value names: f, &amp;f, (cast)f, pm_ptr(f); null otherwise.</summary>
    private string? FunctionFromValue(int a, int b)
    {
        while (a < b && IsP(a, '&'))
        {
            a++;
        }

        if (b - a > 2 && IsP(a, '(') && _match[a] >= 0 && _match[a] < b - 1)
        {
            a = _match[a] + 1; // a cast
        }

        if (b - a >= 4 && _t[a].Kind == CTokenKind.Identifier && IsP(a + 1, '(') && _match[a + 1] == b - 1
            && KernelIdioms.PointerWrappers.Contains(Str(a)))
        {
            return FunctionFromValue(a + 2, b - 1);
        }

        return SingleIdentifier(a, b);
    }

    private string? SingleIdentifier(int a, int b)
    {
        while (a < b && IsP(a, '&'))
        {
            a++;
        }

        if (b - a != 1 || _t[a].Kind != CTokenKind.Identifier)
        {
            return null;
        }

        string s = Str(a);
        return s == "NULL" ? null : s;
    }

    // ---- function bodies ----

    private sealed class FunctionScope
    {
        public string? Name { get; init; }

        public bool IsStatic { get; init; }

        public IReadOnlyList<string> Parameters { get; init; } = [];

        public string ReturnType { get; init; } = string.Empty;

        public int StartLine { get; init; }

        public int NameLine { get; init; }

        public bool HeaderVisible { get; init; }

        public bool NamedFromSection { get; init; }
    }

    private void WalkBody(ref int i, int startDepth, FunctionScope scope)
    {
        int depth = startDepth;
        int stmtStart = i;
        var parens = new Stack<bool>();
        int endLine = -1;
        int n = _t.Count;
        while (i < n)
        {
            CToken tok = _t[i];
            if (tok.Kind == CTokenKind.Punctuator && tok.Length == 1)
            {
                char c = _text[tok.Start];
                switch (c)
                {
                    case '{':
                        depth++;
                        if (parens.Count == 0)
                        {
                            stmtStart = i + 1;
                        }

                        break;
                    case '}':
                        depth--;
                        if (depth == 0)
                        {
                            endLine = tok.Line;
                            i++;
                            goto done;
                        }

                        if (parens.Count == 0)
                        {
                            stmtStart = i + 1;
                        }

                        break;
                    case ';':
                        if (parens.Count == 0)
                        {
                            stmtStart = i + 1;
                        }

                        break;
                    case '(':
                        parens.Push(i > 0 && _t[i - 1].Kind == CTokenKind.Keyword && Str(i - 1) is "if" or "while" or "for" or "switch");
                        break;
                    case ')':
                        if (parens.Count > 0 && parens.Pop() && parens.Count == 0)
                        {
                            stmtStart = i + 1;
                        }

                        break;
                    case ':':
                        if (parens.Count == 0 && (i == stmtStart + 1 || HasCaseLabel(stmtStart, i)))
                        {
                            stmtStart = i + 1;
                        }

                        break;
                    case '=':
                        if (parens.Count == 0)
                        {
                            RecordAssignment(scope, stmtStart, i);
                        }

                        break;
                }
            }
            else if (tok.Kind == CTokenKind.Punctuator && parens.Count == 0 && IsCompoundAssign(tok))
            {
                RecordAssignment(scope, stmtStart, i);
            }
            else if (tok.Kind == CTokenKind.Identifier && i + 1 < n && IsP(i + 1, '('))
            {
                if (i == 0 || !(IsP(i - 1, '.') || _t[i - 1].IsPunctuator(_text, "->")))
                {
                    RecordCall(scope, i);
                }
            }
            else if (tok.Kind == CTokenKind.Keyword && Str(i) is "else" or "do")
            {
                stmtStart = i + 1;
            }

            i++;
        }

    done:
        if (scope.Name is null)
        {
            return;
        }

        int lastLine = endLine > 0 ? endLine : _t[Math.Min(i, n) - 1].Line;
        DiffLineKind? defKind = scope.HeaderVisible ? _fragment.Kind(scope.NameLine) : null;
        if (_onlyRemoved && defKind != DiffLineKind.Removed)
        {
            return;
        }

        _facts.Functions.Add(new FunctionNode(
            scope.Name,
            _fragment.Path,
            scope.IsStatic,
            _fragment.FileLine(scope.StartLine),
            _fragment.FileLine(lastLine),
            scope.HeaderVisible && endLine > 0,
            scope.NamedFromSection,
            scope.Parameters,
            scope.ReturnType,
            defKind,
            _origin));
    }

    private bool HasCaseLabel(int from, int to)
    {
        for (int k = from; k < to; k++)
        {
            if (IsWord(_t[k], "case") || IsWord(_t[k], "default"))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsCompoundAssign(CToken tok)
    {
        if (tok.Length < 2 || _text[tok.End - 1] != '=')
        {
            return false;
        }

        ReadOnlySpan<char> s = tok.Span(_text);
        return s is "+=" or "-=" or "*=" or "/=" or "%=" or "&=" or "|=" or "^=" or "<<=" or ">>=";
    }

    private void RecordCall(FunctionScope scope, int i)
    {
        if (scope.Name is null)
        {
            return;
        }

        DiffLineKind kind = _fragment.Kind(_t[i].Line);
        if (_onlyRemoved != (kind == DiffLineKind.Removed))
        {
            return;
        }

        int open = i + 1;
        int close = _match[open] < 0 ? _t.Count : _match[open];
        _facts.Calls.Add(new CallSite(scope.Name, Str(i), _fragment.Path, _fragment.FileLine(_t[i].Line),
            Join(_t, open + 1, close), kind, _origin));
    }

    private void RecordAssignment(FunctionScope scope, int stmtStart, int op)
    {
        if (scope.Name is null || op <= stmtStart)
        {
            return;
        }

        DiffLineKind kind = _fragment.Kind(_t[op].Line);
        if (_onlyRemoved != (kind == DiffLineKind.Removed))
        {
            return;
        }

        // The declarator starts after the last ',' at depth 0 (int a = 1, b = 2;).
        int ds = stmtStart;
        for (int k = stmtStart; k < op; k++)
        {
            if ((IsP(k, '(') || IsP(k, '[') || IsP(k, '{')) && _match[k] >= 0 && _match[k] < op)
            {
                k = _match[k];
            }
            else if (IsP(k, ','))
            {
                ds = k + 1;
            }
        }

        if (ds >= op)
        {
            return;
        }

        string target;
        if (IsDeclaration(stmtStart, op))
        {
            int v = op - 1;
            while (v >= ds && !(_t[v].Kind == CTokenKind.Identifier))
            {
                v = IsP(v, ']') && _match[v] >= ds ? _match[v] - 1 : v - 1;
            }

            if (v < ds)
            {
                return;
            }

            target = Str(v);
        }
        else
        {
            target = Join(_t, ds, op);
        }

        int valueEnd = op + 1;
        while (valueEnd < _t.Count && !IsP(valueEnd, ';') && !IsP(valueEnd, ',') && !IsP(valueEnd, ')') && !IsP(valueEnd, '}'))
        {
            if ((IsP(valueEnd, '(') || IsP(valueEnd, '[') || IsP(valueEnd, '{')) && _match[valueEnd] >= 0)
            {
                valueEnd = _match[valueEnd];
            }

            valueEnd++;
        }

        _facts.Assignments.Add(new Assignment(scope.Name, _fragment.Path, _fragment.FileLine(_t[op].Line), target,
            Str(op), Join(_t, op + 1, Math.Min(valueEnd, _t.Count)), kind, _origin));
    }

    private bool IsDeclaration(int stmtStart, int op)
    {
        CToken first = _t[stmtStart];
        if (KernelIdioms.DeclarationStarters.Contains(Str(stmtStart)) && (first.Kind == CTokenKind.Keyword || op - stmtStart >= 2))
        {
            return true;
        }

        // TYPE [*...] NAME [ [...] ]
        int k = stmtStart;
        if (_t[k].Kind != CTokenKind.Identifier)
        {
            return false;
        }

        k++;
        while (k < op && IsP(k, '*'))
        {
            k++;
        }

        if (k >= op || _t[k].Kind != CTokenKind.Identifier)
        {
            return false;
        }

        k++;
        if (k < op && IsP(k, '[') && _match[k] >= 0)
        {
            k = _match[k] + 1;
        }

        return k == op;
    }

    // ---- section (@@ function context) ----

    private enum SectionKind
    {
        None,
        Function,
        Initializer,
    }

    private sealed record SectionInfo(SectionKind Kind, string? Name, bool IsStatic, IReadOnlyList<string> Parameters, string ReturnType, string StructType, string Variable);

    private static readonly SectionInfo NoSection = new(SectionKind.None, null, false, [], string.Empty, string.Empty, string.Empty);

    private static SectionInfo ParseSection(string section)
    {
        if (string.IsNullOrWhiteSpace(section))
        {
            return NoSection;
        }

        var tokens = new List<CToken>();
        var reader = new CTokenizer(section, new CTokenizerOptions { MaxTokens = 512 });
        while (reader.Read())
        {
            if (reader.Current.Kind is not (CTokenKind.Comment or CTokenKind.Error or CTokenKind.PreprocessorEnd))
            {
                tokens.Add(reader.Current);
            }
        }

        if (tokens.Count == 0 || tokens[0].Kind == CTokenKind.PreprocessorStart)
        {
            return NoSection;
        }

        int[] match = MatchBrackets(tokens, section);
        string type = string.Empty, variable = string.Empty;
        for (int k = 0; k < tokens.Count; k++)
        {
            string w = section.Substring(tokens[k].Start, tokens[k].Length);
            if (w == "struct" && k + 1 < tokens.Count && tokens[k + 1].Kind == CTokenKind.Identifier && type.Length == 0)
            {
                type = section.Substring(tokens[k + 1].Start, tokens[k + 1].Length);
            }

            if (tokens[k].IsPunctuator(section, '='))
            {
                for (int v = k - 1; v >= 0; v--)
                {
                    if (tokens[v].Kind == CTokenKind.Identifier)
                    {
                        variable = section.Substring(tokens[v].Start, tokens[v].Length);
                        break;
                    }
                }

                return new SectionInfo(SectionKind.Initializer, null, false, [], string.Empty, type, variable);
            }

            if (tokens[k].IsPunctuator(section, '(') && k > 0 && tokens[k - 1].Kind == CTokenKind.Identifier)
            {
                if (KernelIdioms.FileScopeMacros.ContainsKey(section.Substring(tokens[k - 1].Start, tokens[k - 1].Length)))
                {
                    return NoSection;
                }

                bool isStatic = false;
                var ret = new StringBuilder();
                for (int r = 0; r < k - 1; r++)
                {
                    string rw = section.Substring(tokens[r].Start, tokens[r].Length);
                    isStatic |= rw == "static";
                    if (!IsStorageWord(rw))
                    {
                        ret.Append(ret.Length > 0 ? " " : string.Empty).Append(rw);
                    }
                }

                int close = match[k] < 0 ? tokens.Count : match[k];
                var parameters = new List<string>();
                foreach ((int a, int b) in SplitArgs(tokens, k, Math.Min(close + 1, tokens.Count), section, match))
                {
                    string p = JoinTokens(section, tokens, a, b);
                    if (p.Length > 0 && p != "void")
                    {
                        parameters.Add(p);
                    }
                }

                if (match[k] < 0)
                {
                    parameters.Add("..."); // cut by git: the parameter list is not complete
                }

                string name = section.Substring(tokens[k - 1].Start, tokens[k - 1].Length);
                return new SectionInfo(SectionKind.Function, name, isStatic, parameters, ret.ToString(), type, variable);
            }
        }

        return NoSection;
    }

    // ---- token helpers ----

    private string Str(int i) => _text.Substring(_t[i].Start, _t[i].Length);

    private string Str(CToken tok) => _text.Substring(tok.Start, tok.Length);

    private bool IsP(int i, char c) => i >= 0 && i < _t.Count && _t[i].IsPunctuator(_text, c);

    private bool IsWord(CToken tok, string word) =>
        tok.Kind is CTokenKind.Identifier or CTokenKind.Keyword && tok.Span(_text).SequenceEqual(word);

    private string Join(List<CToken> tokens, int from, int to) => JoinTokens(_text, tokens, from, to);

    private string JoinIndices(List<int> indices)
    {
        var sb = new StringBuilder();
        for (int k = 0; k < indices.Count; k++)
        {
            if (k > 0 && _t[indices[k]].Start > _t[indices[k - 1]].End)
            {
                sb.Append(' ');
            }

            sb.Append(_text, _t[indices[k]].Start, _t[indices[k]].Length);
        }

        return sb.ToString();
    }

    /// <summary>Tokens [from, to) as text, one space where there was trivia or a comment between two tokens.</summary>
    internal static string JoinTokens(string text, List<CToken> tokens, int from, int to)
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
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens)[from..to];
        int length = span[0].Length;
        for (int k = 1; k < span.Length; k++)
        {
            length += span[k].Length + (span[k].Start > span[k - 1].End ? 1 : 0);
        }

        return string.Create(length, (text, tokens, from, to), static (dest, state) =>
        {
            var toks = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(state.tokens)[state.from..state.to];
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

    private List<(int, int)> SplitArgs(List<CToken> tokens, int open, int end) =>
        SplitArgs(tokens, open, end, _text, null);

    /// <summary>Arguments of the group opened at <paramref name="open"/>, split at depth-0 commas, up to its ')' or <paramref name="end"/>.</summary>
    private static List<(int, int)> SplitArgs(List<CToken> tokens, int open, int end, string text, int[]? _)
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

    /// <summary>For each bracket token, the index of its partner (-1 when unmatched): one stack per bracket type.</summary>
    private static int[] MatchBrackets(List<CToken> tokens, string text)
    {
        var match = new int[tokens.Count];
        Array.Fill(match, -1);
        var paren = new Stack<int>();
        var square = new Stack<int>();
        var brace = new Stack<int>();
        for (int k = 0; k < tokens.Count; k++)
        {
            CToken tok = tokens[k];
            if (tok.Kind != CTokenKind.Punctuator || tok.Length != 1)
            {
                continue;
            }

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
                    Pair(paren, k);
                    break;
                case ']':
                    Pair(square, k);
                    break;
                case '}':
                    Pair(brace, k);
                    break;
            }
        }

        return match;

        void Pair(Stack<int> stack, int k)
        {
            if (stack.Count > 0)
            {
                int o = stack.Pop();
                match[o] = k;
                match[k] = o;
            }
        }
    }
}
