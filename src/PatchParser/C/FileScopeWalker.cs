using System.Runtime.InteropServices;
using PatchBot.PatchParser.Graph;

namespace PatchBot.PatchParser.C;

/// <summary>
/// Walks file scope: registration macro calls (<c>module_pci_driver(x);</c>, fixups and their wrappers),
/// initialisers, and function definitions, whose bodies go to the <see cref="BodyWalker"/>.
/// </summary>
internal sealed class FileScopeWalker(FragmentWalk walk, KernelIdioms idioms, HunkPosition position,
    InitializerWalker initializers, BodyWalker bodies)
{
    private readonly TokenBuffer _t = walk.Tokens;

    public void Walk(ref int i, int end)
    {
        int declStart = i;
        while (i < end)
        {
            CToken tok = _t[i];
            if (tok.Kind == CTokenKind.Identifier && i + 1 < end && _t.IsP(i + 1, '(') && TryRegistrationMacro(i))
            {
                i = _t.Match[i + 1] < 0 ? end : _t.Match[i + 1] + 1;
                declStart = i;
                continue;
            }

            if (_t.IsP(i, '{'))
            {
                int close = _t.Match[i] < 0 ? end : _t.Match[i];
                var tokens = CollectionsMarshal.AsSpan(_t.Tokens);
                if (FunctionHeader.HasAssignAtDepth0(_t.Text, tokens, _t.Match, declStart, i))
                {
                    (string type, string variable) = InitializerType(declStart, i);
                    initializers.Walk(i, close, type, variable);
                    i = close + 1;
                    continue;
                }

                int nameIndex = FunctionHeader.FindName(_t.Text, tokens, _t.Match, declStart, i);
                if (nameIndex >= 0)
                {
                    FunctionHeaderInfo header = FunctionHeader.Read(_t, declStart, nameIndex);
                    var scope = new FunctionScope
                    {
                        Name = header.Name,
                        IsStatic = header.IsStatic,
                        Parameters = header.Parameters,
                        ParameterNames = header.ParameterNames,
                        ReturnType = header.ReturnType,
                        StartLine = _t[declStart].Line,
                        NameLine = _t[nameIndex].Line,
                        HeaderVisible = true,
                    };
                    i++;
                    bodies.Walk(ref i, 1, scope);
                    declStart = i;
                    continue;
                }

                if (position.HasStatementKeyword(declStart, i))
                {
                    // Code at what looked like file scope: a body whose header is not visible.
                    FunctionScope scope = position.SectionScope();
                    i++;
                    bodies.Walk(ref i, 1, scope);
                    declStart = i;
                    continue;
                }

                RecordMembers(declStart, i, close); // struct/union/enum definition
                i = close + 1;
                continue;
            }

            if (_t.IsP(i, ';') && !walk.OnlyRemoved)
            {
                StructTypedNames.Read(_t, declStart, i, (name, type) => walk.Facts.TypedNames.Add(new StructTypedName(walk.Fragment.Path, string.Empty, name, type)));
            }

            if (_t.IsP(i, ';') || _t.IsP(i, '}'))
            {
                declStart = i + 1;
            }

            i++;
        }
    }

    /// <summary>
    /// The struct-typed members of a struct definition whose header is [<paramref name="from"/>, <paramref name="open"/>)
    /// (<c>struct inno_hdmi_phy_drv_data {</c>, after a <c>typedef</c> too) and body ends at <paramref name="close"/>.
    /// The members of an anonymous union or struct inside are the struct's own, as C has it.
    /// </summary>
    private void RecordMembers(int from, int open, int close)
    {
        int k = from;
        while (k < open && _t.IsWord(k, "typedef"))
        {
            k++;
        }

        if (walk.OnlyRemoved || open - k != 2 || !_t.IsWord(k, "struct") || !_t.IsIdentifier(k + 1))
        {
            return;
        }

        string owner = _t.Str(k + 1);
        int member = open + 1;
        for (int m = open + 1; m < close && m < _t.Count; m++)
        {
            if (_t.IsP(m, '{') || _t.IsP(m, '}'))
            {
                member = m + 1; // into or out of a union or struct inside
            }
            else if (_t.IsP(m, ';'))
            {
                StructTypedNames.Read(_t, member, m, (name, type) => walk.Facts.TypedNames.Add(new StructTypedName(walk.Fragment.Path, owner, name, type, IsMember: true)));
                member = m + 1;
            }
        }
    }

    /// <summary>The struct type and the variable of an initialiser declaration [from, to).</summary>
    private (string Type, string Variable) InitializerType(int from, int to)
    {
        string type = string.Empty, variable = string.Empty;
        for (int k = from; k < to; k++)
        {
            if (_t.IsWord(k, "struct") && k + 1 < to && _t.IsIdentifier(k + 1))
            {
                type = _t.Str(k + 1);
            }

            if (_t.IsP(k, '='))
            {
                for (int v = k - 1; v >= from; v--)
                {
                    if (_t.IsP(v, ']') && _t.Match[v] >= 0)
                    {
                        v = _t.Match[v];
                        continue;
                    }

                    if (_t.IsIdentifier(v))
                    {
                        variable = _t.Str(v);
                        break;
                    }
                }

                break;
            }
        }

        return (type, variable);
    }

    /// <summary>A registration macro call at <paramref name="i"/>: records what it registers; false when the name is no registration macro.</summary>
    private bool TryRegistrationMacro(int i)
    {
        string name = _t.Str(i);
        int open = i + 1;
        int close = _t.CloseOf(open);
        int line = _t[i].Line;

        if (idioms.TryGetFileScopeMacro(name, out RegistrationMacro macro))
        {
            List<(int Start, int End)> args = Args(open, close);
            if (macro.FunctionArgument < 0)
            {
                for (int a = 1; a < args.Count; a++)
                {
                    if (walk.SingleIdentifier(args[a].Start, args[a].End) is string fn)
                    {
                        walk.AddRegistration(macro.Role, fn, line, name, macro.Detail);
                    }
                }
            }
            else if (macro.FunctionArgument < args.Count
                && walk.SingleIdentifier(args[macro.FunctionArgument].Start, args[macro.FunctionArgument].End) is string fn)
            {
                walk.AddRegistration(macro.Role, fn, line, name, macro.Detail);
            }

            return true;
        }

        FixupSectionMacro sectionMacro = idioms.SectionMacro;
        if (name == sectionMacro.Name)
        {
            List<(int Start, int End)> args = Args(open, close);
            if (args.Count > Math.Max(sectionMacro.SectionArgument, sectionMacro.HookArgument)
                && idioms.FixupRoleFromSection(_t.Join(args[sectionMacro.SectionArgument].Start, args[sectionMacro.SectionArgument].End)) is RoleKind role
                && walk.SingleIdentifier(args[sectionMacro.HookArgument].Start, args[sectionMacro.HookArgument].End) is string fn)
            {
                walk.AddRegistration(role, fn, line, name, null);
            }

            return true;
        }

        if (walk.Wrappers.TryGetValue(name, out FixupWrapper? wrapper) || idioms.TryGetMainlineWrapper(name, out wrapper))
        {
            RoleKind? role = idioms.TryGetFixup(wrapper.FixupMacro, out RoleKind r, out _) ? r : idioms.FixupRoleFromSection(wrapper.FixupMacro);
            string? hook = wrapper.HookName;
            if (hook is null)
            {
                List<(int Start, int End)> args = Args(open, close);
                hook = wrapper.HookParameter < args.Count
                    ? walk.SingleIdentifier(args[wrapper.HookParameter].Start, args[wrapper.HookParameter].End)
                    : null;
            }

            if (role is RoleKind fixupRole && hook is not null)
            {
                walk.AddRegistration(fixupRole, hook, line, wrapper.FixupMacro, null, name, wrapper.DefinitionLine, wrapper.DefinitionLineKind);
            }

            return true;
        }

        return false;
    }

    private List<(int Start, int End)> Args(int open, int close) => _t.SplitArgs(open, close + 1 > _t.Count ? _t.Count : close + 1);
}
