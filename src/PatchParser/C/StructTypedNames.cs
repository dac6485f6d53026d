namespace PatchBot.PatchParser.C;

/// <summary>
/// A name declared with a struct type: a variable of a function (<see cref="Scope"/> the function), of the file
/// (<see cref="Scope"/> empty), or a member of a struct definition (<see cref="IsMember"/>, <see cref="Scope"/> the
/// struct). What the ops-table linking reads to tell which struct a call like <c>inno-&gt;plat_data-&gt;ops-&gt;init()</c>
/// goes through.
/// </summary>
/// <param name="StructType">"inno_hdmi_phy_ops" for <c>const struct inno_hdmi_phy_ops *ops</c>.</param>
internal sealed record StructTypedName(string File, string Scope, string Name, string StructType, bool IsMember = false);

/// <summary>Reads the struct-typed names a declaration declares.</summary>
internal static class StructTypedNames
{
    /// <summary>
    /// The names declared by the declaration [<paramref name="from"/>, <paramref name="to"/>) when its type is a
    /// struct: <c>[static|const|...] struct T *a, b[4], *c = x</c> gives (a, T), (b, T), (c, T). Nothing for any other
    /// declaration, for a statement, and for a declarator holding a function ("struct T *(*get)(void)").
    /// </summary>
    public static void Read(TokenBuffer t, int from, int to, Action<string, string> add)
    {
        int k = from;
        while (k < to && t[k].Kind == CTokenKind.Keyword && t.Str(k) is "static" or "const" or "volatile" or "register" or "extern")
        {
            k++;
        }

        if (k + 1 >= to || !t.IsWord(k, "struct") || !t.IsIdentifier(k + 1))
        {
            return;
        }

        string type = t.Str(k + 1);
        int start = k + 2;
        if (start < to && t.IsP(start, '{'))
        {
            return; // a definition, not a declaration of names
        }

        for (int d = start; d <= to; d++)
        {
            if (d < to && !t.IsP(d, ','))
            {
                if ((t.IsP(d, '(') || t.IsP(d, '[') || t.IsP(d, '{')) && t.Match[d] >= 0 && t.Match[d] < to)
                {
                    d = t.Match[d];
                }

                continue;
            }

            if (Declarator(t, start, d) is string name)
            {
                add(name, type);
            }

            start = d + 1;
        }
    }

    /// <summary>The name a declarator [from, to) declares: the last identifier before its '[' or '=' ("* const p" gives p).</summary>
    private static string? Declarator(TokenBuffer t, int from, int to)
    {
        string? name = null;
        for (int k = from; k < to; k++)
        {
            if (t.IsP(k, '=') || t.IsP(k, '[') || t.IsP(k, ':'))
            {
                break;
            }

            if (t.IsP(k, '(') || t.IsP(k, '{'))
            {
                return null;
            }

            if (t.IsIdentifier(k))
            {
                name = t.Str(k);
            }
        }

        return name;
    }
}
