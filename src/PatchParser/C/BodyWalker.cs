using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;

namespace PatchBot.PatchParser.C;

/// <summary>
/// Walks a function body: records its calls and assignments, and the function itself once its closing
/// brace (or the end of the fragment) is reached.
/// </summary>
internal sealed class BodyWalker(FragmentWalk walk)
{
    /// <summary>Most characters of one call argument, assignment target or value kept as text; longer text is cut
    /// (with " ...") so that deeply nested calls cost linear time and memory.</summary>
    internal const int MaxExpressionChars = 512;

    /// <summary>Most members before a called member that are kept as its receiver (<c>a-&gt;b-&gt;c-&gt;m()</c> has 3).</summary>
    private const int MaxReceiverMembers = 8;

    private readonly TokenBuffer _t = walk.Tokens;

    // An assignment chain (a = b = c = ... = 0;): each '=' of a statement continues the scans of the '=' before it
    // instead of starting again at the statement's start, so a chain costs linear time, not quadratic.
    private int _chainStmt = -1;
    private int _chainOp;
    private int _chainDs;
    private int _chainValueEnd = -1;
    private bool _chainNested; // the declarator scan stepped into a bracket it could not skip: no resuming
    private int _declarationScanEnd; // where the last declaration read for its struct-typed names ended

    /// <summary>Walks from <paramref name="i"/> at brace depth <paramref name="startDepth"/> until the body closes.</summary>
    public void Walk(ref int i, int startDepth, FunctionScope scope)
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
                char c = _t.Text[tok.Start];
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
                        parens.Push(i > 0 && _t[i - 1].Kind == CTokenKind.Keyword && _t.Str(i - 1) is "if" or "while" or "for" or "switch");
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
            else if (tok.Kind == CTokenKind.Identifier && i + 1 < n && _t.IsP(i + 1, '('))
            {
                RecordCall(scope, i, member: i > 0 && (_t.IsP(i - 1, '.') || _t.IsP(i - 1, "->")));
            }
            else if (tok.Kind == CTokenKind.Identifier && _t.IsP(i + 1, "->") && !_t.IsP(i - 1, '.') && !_t.IsP(i - 1, "->"))
            {
                RecordFieldAccess(scope, i);
            }
            else if (tok.Kind == CTokenKind.Keyword && _t.Str(i) is "else" or "do")
            {
                stmtStart = i + 1;
            }
            else if (i == stmtStart && parens.Count == 0 && tok.Kind == CTokenKind.Keyword && _t.Str(i) is "struct" or "const" or "static")
            {
                RecordDeclaration(scope, i);
            }

            i++;
        }

    done:
        if (scope.Name is null)
        {
            return;
        }

        int lastLine = endLine > 0 ? endLine : _t[Math.Min(i, n) - 1].Line;
        CFragment fragment = walk.Fragment;
        DiffLineKind? defKind = scope.HeaderVisible ? fragment.Kind(scope.NameLine) : null;
        if (walk.OnlyRemoved && defKind != DiffLineKind.Removed)
        {
            return;
        }

        walk.Facts.Functions.Add(new FunctionNode(
            scope.Name,
            fragment.Path,
            scope.IsStatic,
            fragment.FileLine(scope.StartLine),
            fragment.FileLine(lastLine),
            scope.HeaderVisible && endLine > 0,
            scope.NamedFromSection,
            scope.Parameters,
            scope.ReturnType,
            defKind,
            walk.Origin)
        {
            ParameterNames = scope.ParameterNames,
        });
    }

    private bool HasCaseLabel(int from, int to)
    {
        for (int k = from; k < to; k++)
        {
            if (_t.IsWord(k, "case") || _t.IsWord(k, "default"))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsCompoundAssign(CToken tok)
    {
        if (tok.Length < 2 || _t.Text[tok.End - 1] != '=')
        {
            return false;
        }

        ReadOnlySpan<char> s = tok.Span(_t.Text);
        return s is "+=" or "-=" or "*=" or "/=" or "%=" or "&=" or "|=" or "^=" or "<<=" or ">>=";
    }

    /// <param name="member">A call through a member (<c>x->m(</c>): recorded apart, by member name.</param>
    private void RecordCall(FunctionScope scope, int i, bool member)
    {
        if (scope.Name is null)
        {
            return;
        }

        DiffLineKind kind = walk.Fragment.Kind(_t[i].Line);
        if (walk.OnlyRemoved != (kind == DiffLineKind.Removed))
        {
            return;
        }

        var call = new CallSite(scope.Name, _t.Str(i), walk.Fragment.Path, walk.Fragment.FileLine(_t[i].Line), Arguments(i + 1), kind, walk.Origin);
        if (member)
        {
            walk.Facts.MemberCalls.Add(new MemberCall(call, Receiver(i - 1)));
        }
        else
        {
            walk.Facts.Calls.Add(call);
        }
    }

    /// <summary>
    /// The receiver of the member access whose '-&gt;' or '.' is at <paramref name="access"/>: the variable and members
    /// before it (<c>inno-&gt;plat_data-&gt;ops</c> gives inno, plat_data, ops), or null when it is no such chain.
    /// </summary>
    private List<string>? Receiver(int access)
    {
        var chain = new List<string>();
        int k = access;
        while ((_t.IsP(k, "->") || _t.IsP(k, '.')) && _t.IsIdentifier(k - 1))
        {
            chain.Add(_t.Str(k - 1));
            k -= 2;
            if (chain.Count > MaxReceiverMembers)
            {
                return null;
            }
        }

        // What stands before the chain must end an expression elsewhere: a ')' or ']' means its start is a call, a cast
        // or an index, whose type the chain does not show.
        if (chain.Count == 0 || _t.IsP(k, "->") || _t.IsP(k, '.') || _t.IsP(k, ')') || _t.IsP(k, ']'))
        {
            return null;
        }

        chain.Reverse();
        return chain;
    }

    /// <summary>
    /// At the start of a statement: the struct-typed variables it declares (<c>struct inno_hdmi_phy *inno;</c>), for the
    /// ops-table linking to see what a call through a member goes through.
    /// </summary>
    private void RecordDeclaration(FunctionScope scope, int start)
    {
        if (scope.Name is null || walk.OnlyRemoved || start < _declarationScanEnd)
        {
            return; // a statement inside one already read (a statement expression in an initialiser): each token once
        }

        // To the ';' ending the declaration, over brackets and initialiser lists; a '{' of anything else (a struct
        // definition) or a '}' means no declaration of names ends here.
        int end = start;
        while (end < _t.Count && !_t.IsP(end, ';') && !_t.IsP(end, '}')
            && !(_t.IsP(end, '{') && !_t.IsP(end - 1, '=') && !_t.IsP(end - 1, ',')))
        {
            end = (_t.IsP(end, '(') || _t.IsP(end, '[') || _t.IsP(end, '{')) && _t.Match[end] > end ? _t.Match[end] + 1 : end + 1;
        }

        _declarationScanEnd = end;
        if (end < _t.Count && _t.IsP(end, ';'))
        {
            string function = scope.Name;
            StructTypedNames.Read(_t, start, end,
                (name, type) => walk.Facts.TypedNames.Add(new StructTypedName(walk.Fragment.Path, function, name, type)));
        }
    }

    /// <summary>
    /// The arguments of the call whose '(' is at <paramref name="open"/>, split at its own commas. Nested
    /// brackets are stepped over by their partners, so each token is looked at by the one call whose argument
    /// list it is directly in, and each argument's text is bounded: linear in the input however deep calls nest.
    /// An argument list the fragment does not close runs to the end of the fragment.
    /// </summary>
    private List<string> Arguments(int open)
    {
        int close = _t.CloseOf(open);
        var args = new List<string>();
        int start = open + 1;
        for (int k = start; k < close; k++)
        {
            CToken tok = _t[k];
            if (tok.Kind != CTokenKind.Punctuator || tok.Length != 1)
            {
                continue;
            }

            char c = _t.Text[tok.Start];
            if (c is '(' or '[' or '{')
            {
                int partner = _t.Match[k];
                if (partner < 0 || partner > close)
                {
                    break; // not closed inside the list: the rest is one argument
                }

                k = partner;
            }
            else if (c == ',')
            {
                args.Add(_t.JoinBounded(start, k, MaxExpressionChars));
                start = k + 1;
            }
        }

        if (start < close || args.Count > 0)
        {
            args.Add(_t.JoinBounded(start, close, MaxExpressionChars));
        }

        return args;
    }

    /// <summary>Records <c>base-&gt;member[.member...]</c> starting at the variable at <paramref name="i"/>.</summary>
    private void RecordFieldAccess(FunctionScope scope, int i)
    {
        if (scope.Name is null)
        {
            return;
        }

        DiffLineKind kind = walk.Fragment.Kind(_t[i].Line);
        if (walk.OnlyRemoved != (kind == DiffLineKind.Removed))
        {
            return;
        }

        int k = i + 1;
        var member = new System.Text.StringBuilder();
        while ((_t.IsP(k, "->") || _t.IsP(k, '.')) && _t.IsIdentifier(k + 1) && member.Length < MaxExpressionChars)
        {
            if (member.Length > 0)
            {
                member.Append('.');
            }

            member.Append(_t.Str(k + 1));
            k += 2;
        }

        if (member.Length == 0)
        {
            return;
        }

        bool write = k < _t.Count && _t[k].Kind == CTokenKind.Punctuator && (_t.IsP(k, '=') || IsCompoundAssign(_t[k]));
        walk.Facts.FieldAccesses.Add(new FieldAccess(scope.Name, walk.Fragment.Path, walk.Fragment.FileLine(_t[i].Line), _t.Str(i),
            member.ToString(), write, kind, walk.Origin));
    }

    private void RecordAssignment(FunctionScope scope, int stmtStart, int op)
    {
        if (scope.Name is null || op <= stmtStart)
        {
            return;
        }

        DiffLineKind kind = walk.Fragment.Kind(_t[op].Line);
        if (walk.OnlyRemoved != (kind == DiffLineKind.Removed))
        {
            return;
        }

        // The declarator starts after the last ',' at depth 0 (int a = 1, b = 2;). In a chain, the scan resumes at the
        // previous '=' of the statement when that one was at the statement's top level.
        bool resume = _chainStmt == stmtStart && _chainOp < op && !_chainNested;
        int ds = resume ? _chainDs : stmtStart;
        bool nested = false;
        for (int k = resume ? _chainOp + 1 : stmtStart; k < op; k++)
        {
            if (_t.IsP(k, '(') || _t.IsP(k, '[') || _t.IsP(k, '{'))
            {
                if (_t.Match[k] >= 0 && _t.Match[k] < op)
                {
                    k = _t.Match[k];
                }
                else
                {
                    nested = true;
                }
            }
            else if (_t.IsP(k, ','))
            {
                ds = k + 1;
            }
        }

        // Every bracket since the previous '=' closes before this one: the previous value scan passed over this '='
        // at its own level and, unless it stopped before, ends where this one's would.
        int knownValueEnd = resume && !nested && op < _chainValueEnd ? _chainValueEnd : -1;
        (_chainStmt, _chainOp, _chainDs, _chainNested, _chainValueEnd) = (stmtStart, op, ds, nested, -1);

        if (ds >= op)
        {
            return;
        }

        string target;
        if (IsDeclaration(stmtStart, op))
        {
            int v = op - 1;
            while (v >= ds && !_t.IsIdentifier(v))
            {
                v = _t.IsP(v, ']') && _t.Match[v] >= ds ? _t.Match[v] - 1 : v - 1;
            }

            if (v < ds)
            {
                return;
            }

            target = _t.Str(v);
        }
        else
        {
            target = _t.JoinBounded(ds, op, MaxExpressionChars);
        }

        int valueEnd = knownValueEnd >= 0 ? knownValueEnd : op + 1;
        while (knownValueEnd < 0 && valueEnd < _t.Count && !_t.IsP(valueEnd, ';') && !_t.IsP(valueEnd, ',') && !_t.IsP(valueEnd, ')') && !_t.IsP(valueEnd, '}'))
        {
            if ((_t.IsP(valueEnd, '(') || _t.IsP(valueEnd, '[') || _t.IsP(valueEnd, '{')) && _t.Match[valueEnd] >= 0)
            {
                valueEnd = _t.Match[valueEnd];
            }

            valueEnd++;
        }

        _chainValueEnd = valueEnd;

        walk.Facts.Assignments.Add(new Assignment(scope.Name, walk.Fragment.Path, walk.Fragment.FileLine(_t[op].Line), target,
            _t.Str(op), _t.JoinBounded(op + 1, Math.Min(valueEnd, _t.Count), MaxExpressionChars), kind, walk.Origin));
    }

    private bool IsDeclaration(int stmtStart, int op)
    {
        CToken first = _t[stmtStart];
        if (CWords.DeclarationStarters.Contains(_t.Str(stmtStart)) && (first.Kind == CTokenKind.Keyword || op - stmtStart >= 2))
        {
            return true;
        }

        // TYPE [*...] NAME [ [...] ]
        int k = stmtStart;
        if (!_t.IsIdentifier(k))
        {
            return false;
        }

        k++;
        while (k < op && _t.IsP(k, '*'))
        {
            k++;
        }

        if (k >= op || !_t.IsIdentifier(k))
        {
            return false;
        }

        k++;
        if (k < op && _t.IsP(k, '[') && _t.Match[k] >= 0)
        {
            k = _t.Match[k] + 1;
        }

        return k == op;
    }
}
