using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;

namespace PatchBot.Rules.Replay;

/// <summary>
/// Decides whether an expression names the device a probe path is bound to: &amp;pdev->dev, &amp;pdev->dev.kobj,
/// a struct device pointer assigned from it (dev = &amp;pdev->dev; &amp;dev->kobj), or a parameter it was passed to.
/// Names are followed from the entry's first parameter down the path's calls and through assignments.
/// </summary>
internal sealed class BoundDevice
{
    private readonly HashSet<string> holders = new(StringComparer.Ordinal);
    private readonly HashSet<string> devices = new(StringComparer.Ordinal);
    private readonly HashSet<string> kobjects = new(StringComparer.Ordinal);

    private BoundDevice()
    {
    }

    /// <summary>The names that denote the bound device in the last function of <paramref name="path"/>.</summary>
    public static BoundDevice Along(PathVerdict path, CallWalker walker, CallGraph graph)
    {
        var scope = new BoundDevice();
        var entry = walker.Find(path.Entry.Function, path.Entry.File) ?? walker.Resolve(path.Entry.Function, path.Entry.File);
        if (entry is { Parameters.Count: > 0 })
        {
            scope.AddParameter(entry, 0, asDevice: null);
        }
        else
        {
            scope.holders.Add("pdev");
        }

        scope.CloseOver(graph, path.Entry.Function, path.Entry.File);
        foreach (var call in path.Calls)
        {
            var callee = walker.ResolveCall(call);
            var next = new BoundDevice();
            if (callee is { Parameters.Count: > 0 })
            {
                var args = call.Arguments;
                for (var i = 0; i < args.Count && i < callee.Parameters.Count; i++)
                {
                    var arg = Normalize(args[i]);
                    if (scope.IsDevice(arg))
                    {
                        next.AddParameter(callee, i, asDevice: true);
                    }
                    else if (scope.IsKobject(arg))
                    {
                        next.kobjects.Add(NameOf(callee, i));
                    }
                    else if (scope.IsHolder(arg))
                    {
                        next.AddParameter(callee, i, asDevice: false);
                    }
                }
            }
            else
            {
                next.holders.Add("pdev");
            }

            next.CloseOver(graph, call.Callee, callee?.File ?? call.File);
            scope = next;
        }

        return scope;
    }

    /// <summary>Whether <paramref name="expression"/> is the bound device or its kobject.</summary>
    public bool Names(string expression)
    {
        var e = Normalize(expression);
        return IsDevice(e) || IsKobject(e);
    }

    private bool IsHolder(string e) =>
        holders.Contains(e) || e.EndsWith("->pdev", StringComparison.Ordinal) || e.EndsWith(".pdev", StringComparison.Ordinal);

    private bool IsDevice(string e)
    {
        if (devices.Contains(e))
        {
            return true;
        }

        // &H->dev, &(H->dev)
        if (e.StartsWith('&') && e.EndsWith("->dev", StringComparison.Ordinal))
        {
            return IsHolder(StripParens(e[1..^"->dev".Length]));
        }

        return e.StartsWith("&(", StringComparison.Ordinal) && e.EndsWith("->dev)", StringComparison.Ordinal)
            && IsHolder(e[2..^"->dev)".Length]);
    }

    private bool IsKobject(string e)
    {
        if (kobjects.Contains(e))
        {
            return true;
        }

        if (!e.StartsWith('&'))
        {
            return false;
        }

        var inner = StripParens(e[1..]);
        if (inner.EndsWith("->kobj", StringComparison.Ordinal))
        {
            var dev = inner[..^"->kobj".Length];
            return devices.Contains(dev);
        }

        if (inner.EndsWith(".kobj", StringComparison.Ordinal))
        {
            var dev = inner[..^".kobj".Length]; // pdev->dev
            return dev.EndsWith("->dev", StringComparison.Ordinal) && IsHolder(dev[..^"->dev".Length]);
        }

        return false;
    }

    /// <summary>Adds parameter <paramref name="index"/> of <paramref name="function"/> as the device or its holder.</summary>
    private void AddParameter(FunctionNode function, int index, bool? asDevice)
    {
        var name = NameOf(function, index);
        if (name.Length == 0)
        {
            return;
        }

        var isDevice = asDevice ?? IsStructDevicePointer(function.Parameters[index]);
        (isDevice ? devices : holders).Add(name);
    }

    private static string NameOf(FunctionNode function, int index) =>
        index < function.ParameterNames.Count ? function.ParameterNames[index] : string.Empty;

    /// <summary>Follows "x = &amp;pdev->dev", "struct kobject *k = &amp;dev->kobj" in a function until nothing changes.</summary>
    private void CloseOver(CallGraph graph, string function, string file)
    {
        var assignments = graph.Assignments
            .Where(a => a.LineKind != DiffLineKind.Removed
                && string.Equals(a.Function, function, StringComparison.Ordinal)
                && string.Equals(a.File, file, StringComparison.Ordinal)
                && a.Operator == "=")
            .ToList();
        bool changed;
        do
        {
            changed = false;
            foreach (var a in assignments)
            {
                var target = TargetName(a.Target);
                if (target.Length == 0)
                {
                    continue;
                }

                var value = Normalize(a.Value);
                if (IsDevice(value))
                {
                    changed |= devices.Add(target);
                }
                else if (IsKobject(value))
                {
                    changed |= kobjects.Add(target);
                }
            }
        }
        while (changed);
    }

    private static bool IsStructDevicePointer(string declaration)
    {
        var d = Normalize(declaration);
        return d.Contains("structdevice*", StringComparison.Ordinal);
    }

    /// <summary>The declared name: the last identifier ("struct device *dev" gives "dev").</summary>
    private static string DeclaredName(string declaration)
    {
        var span = declaration.AsSpan().Trim();
        var bracket = span.IndexOf('[');
        if (bracket >= 0)
        {
            span = span[..bracket].TrimEnd();
        }

        var end = span.Length;
        var start = end;
        while (start > 0 && IsIdentifierChar(span[start - 1]))
        {
            start--;
        }

        return span[start..end].ToString();
    }

    /// <summary>"dev" for "struct device *dev"; "dw->dev" for a member target.</summary>
    private static string TargetName(string target)
    {
        var t = Normalize(target);
        if (t.Contains("->", StringComparison.Ordinal) || t.Contains('.', StringComparison.Ordinal))
        {
            return t.TrimStart('*');
        }

        return DeclaredName(target);
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>Whitespace removed, wrapping parentheses removed.</summary>
    internal static string Normalize(string expression)
    {
        var s = string.Concat(expression.Where(c => !char.IsWhiteSpace(c)));
        return StripParens(s);
    }

    private static string StripParens(string s)
    {
        while (s.Length >= 2 && s[0] == '(' && s[^1] == ')' && Balanced(s.AsSpan(1, s.Length - 2)))
        {
            s = s[1..^1];
        }

        return s;
    }

    private static bool Balanced(ReadOnlySpan<char> s)
    {
        var depth = 0;
        foreach (var c in s)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth < 0)
            {
                return false;
            }
        }

        return depth == 0;
    }
}
