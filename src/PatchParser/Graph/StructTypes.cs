using PatchBot.PatchParser.C;

namespace PatchBot.PatchParser.Graph;

/// <summary>
/// The struct types the graph's files declare for names: a function's parameters and local variables, a file's
/// variables, and the members of struct definitions. Answers which struct a member call goes through: for
/// <c>inno-&gt;plat_data-&gt;ops-&gt;init()</c> in a function with <c>struct inno_hdmi_phy *inno</c>, where
/// <c>struct inno_hdmi_phy</c> has <c>const struct inno_hdmi_phy_drv_data *plat_data</c> and that struct
/// <c>const struct inno_hdmi_phy_ops *ops</c>: inno_hdmi_phy_ops. Only what is declared with <c>struct T</c> is known
/// (a typedef'd type is not), and a name declared with two different types is not known either.
/// </summary>
internal sealed class StructTypes
{
    private const string Ambiguous = "";

    /// <summary>(file, function or "" for the file's own, variable) -> struct.</summary>
    private readonly Dictionary<(string File, string Scope, string Name), string> _variables = [];

    /// <summary>(struct, member) -> struct, over all files of the graph.</summary>
    private readonly Dictionary<(string Struct, string Member), string> _members = [];

    public StructTypes(IEnumerable<StructTypedName> names, IEnumerable<FunctionNode> functions)
    {
        foreach (StructTypedName n in names)
        {
            if (n.IsMember)
            {
                Add(_members, (n.Scope, n.Name), n.StructType);
            }
            else
            {
                Add(_variables, (n.File, n.Scope, n.Name), n.StructType);
            }
        }

        foreach (FunctionNode f in functions)
        {
            for (int p = 0; p < f.Parameters.Count && p < f.ParameterNames.Count; p++)
            {
                if (f.ParameterNames[p].Length > 0 && StructOf(f.Parameters[p]) is string type)
                {
                    Add(_variables, (f.File, f.Name, f.ParameterNames[p]), type);
                }
            }
        }
    }

    /// <summary>
    /// The struct the last name of <paramref name="receiver"/> has, read in <paramref name="function"/> of
    /// <paramref name="file"/>: the variable's declared struct (the function's, else the file's), then each member's
    /// in the struct before it; null when any step is not declared as a struct where the graph can see it.
    /// </summary>
    public string? Of(string file, string function, IReadOnlyList<string> receiver)
    {
        if (receiver.Count == 0
            || !(_variables.TryGetValue((file, function, receiver[0]), out string? type) || _variables.TryGetValue((file, string.Empty, receiver[0]), out type))
            || type == Ambiguous)
        {
            return null;
        }

        for (int k = 1; k < receiver.Count; k++)
        {
            if (!_members.TryGetValue((type, receiver[k]), out type) || type == Ambiguous)
            {
                return null;
            }
        }

        return type;
    }

    /// <summary>"phy_ops" for the parameter "const struct phy_ops *ops"; null for any other (a function pointer too).</summary>
    internal static string? StructOf(string declaration)
    {
        if (declaration.Contains('(', StringComparison.Ordinal))
        {
            return null;
        }

        string[] words = declaration.Split([' ', '\t', '*'], StringSplitOptions.RemoveEmptyEntries);
        int k = 0;
        while (k < words.Length && words[k] is "const" or "volatile" or "register")
        {
            k++;
        }

        return k + 1 < words.Length && words[k] == "struct" ? words[k + 1] : null;
    }

    /// <summary>Records <paramref name="type"/> for <paramref name="key"/>; a second, different one makes it <see cref="Ambiguous"/>.</summary>
    private static void Add<TKey>(Dictionary<TKey, string> map, TKey key, string type)
        where TKey : notnull
    {
        map[key] = map.TryGetValue(key, out string? seen) && seen != type ? Ambiguous : type;
    }
}
