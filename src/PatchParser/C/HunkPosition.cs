namespace PatchBot.PatchParser.C;

/// <summary>
/// Where a hunk starts: at file scope, inside a function body, or inside an initialiser. Decided from the
/// brackets the hunk leaves unmatched, the indentation of its first line, and the @@ function context.
/// </summary>
internal sealed class HunkPosition(FragmentWalk walk, KernelIdioms idioms, InitializerWalker initializers, BodyWalker bodies)
{
    private readonly TokenBuffer _t = walk.Tokens;
    private HunkSection? _section;

    /// <summary>The hunk's @@ function context, parsed once.</summary>
    public HunkSection Section => _section ??= HunkSection.Parse(walk.Fragment.Section, idioms);

    /// <summary>Walks what the hunk shows of the construct it starts inside; <paramref name="i"/> ends where file scope resumes.</summary>
    public void StartInside(ref int i)
    {
        int depth = 0, minDepth = 0, firstUnmatched = -1;
        for (int k = 0; k < _t.Count; k++)
        {
            if (_t.IsP(k, '{'))
            {
                depth++;
            }
            else if (_t.IsP(k, '}'))
            {
                depth--;
                if (depth < minDepth)
                {
                    minDepth = depth;
                    firstUnmatched = firstUnmatched < 0 ? k : firstUnmatched;
                }
            }
        }

        HunkSection section = Section;
        if (minDepth < 0)
        {
            if (section.Kind == SectionKind.Initializer && minDepth == -1)
            {
                initializers.Walk(-1, firstUnmatched, section.StructType, section.Variable);
                i = firstUnmatched + 1;
                return;
            }

            if (section.Kind == SectionKind.Function || HasStatementKeyword(0, firstUnmatched))
            {
                bodies.Walk(ref i, -minDepth, SectionScope());
            }
            else
            {
                i = firstUnmatched + 1; // the end of a struct definition or an initialiser we do not know
            }

            return;
        }

        int firstBrace = 0;
        while (firstBrace < _t.Count && !_t.IsP(firstBrace, '{'))
        {
            firstBrace++;
        }

        bool statements = HasStatementKeyword(0, firstBrace);
        bool indented = _t.IsIndented(_t[0]);
        if (section.Kind == SectionKind.Function && firstBrace == 0 && !indented)
        {
            // The hunk starts at the opening brace of the function the @@ context names: its header is the line
            // before the hunk (a short function followed by added functions is a common shape).
            i = 1;
            bodies.Walk(ref i, 1, SectionScope());
            return;
        }

        if (section.Kind == SectionKind.Function && (statements || (indented && !LooksLikeFileScope(0, firstBrace))))
        {
            bodies.Walk(ref i, 1, SectionScope());
        }
        else if (statements)
        {
            bodies.Walk(ref i, 1, SectionScope());
        }
        else if (section.Kind == SectionKind.Initializer && _t.IsP(0, '.'))
        {
            initializers.Walk(-1, _t.Count, section.StructType, section.Variable);
            i = _t.Count;
        }
    }

    /// <summary>The function the @@ context names, for a body whose header the hunk does not show (a gap when it names none).</summary>
    public FunctionScope SectionScope()
    {
        HunkSection section = Section;
        var scope = new FunctionScope
        {
            Name = section.Kind == SectionKind.Function ? section.Name : null,
            IsStatic = section.IsStatic,
            Parameters = section.Parameters,
            ParameterNames = section.ParameterNames,
            ReturnType = section.ReturnType,
            StartLine = _t.Count > 0 ? _t[0].Line : 1,
            NamedFromSection = true,
        };
        if (scope.Name is null && !walk.OnlyRemoved)
        {
            walk.AddGap("hunk starts inside a function whose name is not known (no usable @@ function context)", scope.StartLine);
        }

        return scope;
    }

    /// <summary>Whether tokens [from, to) hold a statement keyword: code, not declarations.</summary>
    public bool HasStatementKeyword(int from, int to)
    {
        for (int k = from; k < to && k < _t.Count; k++)
        {
            if (_t[k].Kind == CTokenKind.Keyword && CWords.StatementKeywords.Contains(_t.Str(k)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A function definition header or a registration before the first '{' means file scope.</summary>
    private bool LooksLikeFileScope(int from, int to)
    {
        for (int k = from; k < to; k++)
        {
            if (_t[k].Kind != CTokenKind.Identifier)
            {
                continue;
            }

            string word = _t.Str(k);
            if (idioms.IsFileScopeMacro(word) || walk.Wrappers.ContainsKey(word) || idioms.IsMainlineWrapper(word))
            {
                return true;
            }
        }

        return to < _t.Count && to > from && _t.IsP(to - 1, ')') && !_t.IsIndented(_t[from]);
    }
}
