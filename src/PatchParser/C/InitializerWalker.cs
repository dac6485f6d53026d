using PatchBot.PatchParser.Graph;

namespace PatchBot.PatchParser.C;

/// <summary>
/// Walks a brace initialiser (<c>static struct pci_driver foo = { .probe = foo_probe, ... }</c>) and records
/// the roles its designated members and initialiser macros give to functions.
/// </summary>
internal sealed class InitializerWalker(FragmentWalk walk, KernelIdioms idioms)
{
    private readonly TokenBuffer _t = walk.Tokens;

    /// <summary>Designated initialisers between <paramref name="open"/> and <paramref name="close"/> (exclusive).</summary>
    /// <param name="type">The struct's name ("pci_driver"), empty when not known.</param>
    /// <param name="variable">The variable initialised, for notifier blocks.</param>
    public void Walk(int open, int close, string type, string variable, int depth = 0)
    {
        if (depth > walk.MaxNesting)
        {
            if (!walk.NestingReported)
            {
                walk.NestingReported = true;
                walk.AddGap($"initialiser nested deeper than {walk.MaxNesting} braces: the inner part was not analysed",
                    open >= 0 && open < _t.Count ? _t[open].Line : 1);
            }

            return;
        }

        int i = open + 1;
        InitializerField? detailEntry = idioms.DetailFieldOf(type);
        (InitializerField Entry, string Function, int Line)? deferred = null;
        string? detail = null;
        while (i < close)
        {
            if (_t.IsP(i, '.') && i + 1 < close && _t.IsIdentifier(i + 1))
            {
                int designator = i;
                string field = _t.Str(i + 1);
                int j = i + 2;
                while (j + 1 < close && _t.IsP(j, '.') && _t.IsIdentifier(j + 1))
                {
                    field = _t.Str(j + 1);
                    j += 2;
                }

                if (j >= close || !_t.IsP(j, '='))
                {
                    i = j;
                    continue;
                }

                int v = j + 1;
                if (v < close && _t.IsP(v, '{'))
                {
                    int nestedClose = _t.Match[v] < 0 ? close : Math.Min(_t.Match[v], close);
                    Walk(v, nestedClose, idioms.NestedStructType(type, field), variable, depth + 1);
                    i = nestedClose + 1;
                    continue;
                }

                int valueEnd = ValueEnd(v, close);
                if (detailEntry is not null && field == detailEntry.DetailField)
                {
                    detail = _t.Join(v, valueEnd);
                }

                if (idioms.FieldRole(type, field) is not { } entry)
                {
                    if (!idioms.IsRegistrationStruct(type) && FunctionFromValue(v, valueEnd) is string stored)
                    {
                        walk.AddOpsSlot(type, field, stored, _t[designator].Line);
                    }
                }
                else if (FunctionFromValue(v, valueEnd) is string fn)
                {
                    if (entry.DetailField is not null)
                    {
                        deferred = (entry, fn, _t[designator].Line);
                    }
                    else
                    {
                        walk.AddRegistration(entry.Role, fn, _t[designator].Line, $"{type}.{field}", entry.StructAsDetail ? type : null);
                    }
                }

                i = valueEnd;
                continue;
            }

            if (_t.IsIdentifier(i) && i + 1 < close && _t.IsP(i + 1, '('))
            {
                string macro = _t.Str(i);
                int mclose = _t.Match[i + 1] < 0 ? close : Math.Min(_t.Match[i + 1], close);
                if (idioms.TryGetInitializerMacro(macro, out RoleKind macroRole))
                {
                    foreach ((int a, int b) in _t.SplitArgs(i + 1, mclose + 1))
                    {
                        if (FunctionFromValue(a, b) is string fn)
                        {
                            walk.AddRegistration(macroRole, fn, _t[i].Line, macro, null);
                        }
                    }
                }

                i = mclose + 1;
                continue;
            }

            if (_t.IsP(i, '{'))
            {
                int nestedClose = _t.Match[i] < 0 ? close : Math.Min(_t.Match[i], close);
                Walk(i, nestedClose, type, variable, depth + 1);
                i = nestedClose + 1;
                continue;
            }

            i++;
        }

        if (deferred is var (e, function, line)
            && walk.AddRegistration(e.Role, function, line, $"{type}.{e.Field}", detail ?? e.DetailDefault) is Registration reg
            && e.Role == RoleKind.Notifier)
        {
            walk.Facts.NotifierBlocks.Add((reg, variable));
        }
    }

    private int ValueEnd(int v, int close)
    {
        int k = v;
        while (k < close && !_t.IsP(k, ','))
        {
            if ((_t.IsP(k, '(') || _t.IsP(k, '[') || _t.IsP(k, '{')) && _t.Match[k] >= 0)
            {
                k = _t.Match[k];
            }

            k++;
        }

        return Math.Min(k, close);
    }

    /// <summary>The function an initialiser value names: f, &amp;f, (cast)f, pm_ptr(f); null otherwise.</summary>
    private string? FunctionFromValue(int a, int b)
    {
        while (a < b && _t.IsP(a, '&'))
        {
            a++;
        }

        if (b - a > 2 && _t.IsP(a, '(') && _t.Match[a] >= 0 && _t.Match[a] < b - 1)
        {
            a = _t.Match[a] + 1; // a cast
        }

        if (b - a >= 4 && _t.IsIdentifier(a) && _t.IsP(a + 1, '(') && _t.Match[a + 1] == b - 1
            && idioms.IsPointerWrapper(_t.Str(a)))
        {
            return FunctionFromValue(a + 2, b - 1);
        }

        return walk.SingleIdentifier(a, b);
    }
}
