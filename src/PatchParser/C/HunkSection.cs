using System.Runtime.InteropServices;
using System.Text;

namespace PatchBot.PatchParser.C;

/// <summary>What the @@ function context of a hunk says the hunk starts inside.</summary>
internal enum SectionKind
{
    None,
    Function,
    Initializer,
}

/// <summary>
/// The @@ function context git prints after a hunk header ("static int foo(struct pci_dev *pdev)",
/// "static struct pci_driver foo_driver = {"), read as far as it goes: git cuts it at 80 columns.
/// </summary>
internal sealed record HunkSection(
    SectionKind Kind,
    string? Name,
    bool IsStatic,
    IReadOnlyList<string> Parameters,
    IReadOnlyList<string> ParameterNames,
    string ReturnType,
    string StructType,
    string Variable)
{
    public static readonly HunkSection None = new(SectionKind.None, null, false, [], [], string.Empty, string.Empty, string.Empty);

    /// <summary>Most tokens read from one @@ context line.</summary>
    private const int MaxTokens = 512;

    public static HunkSection Parse(string section, KernelIdioms idioms)
    {
        if (string.IsNullOrWhiteSpace(section))
        {
            return None;
        }

        var tokens = new List<CToken>();
        var reader = new CTokenizer(section, new CTokenizerOptions { MaxTokens = MaxTokens });
        while (reader.Read())
        {
            if (reader.Current.Kind is not (CTokenKind.Comment or CTokenKind.Error or CTokenKind.PreprocessorEnd))
            {
                tokens.Add(reader.Current);
            }
        }

        if (tokens.Count == 0 || tokens[0].Kind == CTokenKind.PreprocessorStart)
        {
            return None;
        }

        var b = new TokenBuffer(section, tokens);
        string type = string.Empty, variable = string.Empty;
        for (int k = 0; k < b.Count; k++)
        {
            if (b.IsWord(k, "struct") && b.IsIdentifier(k + 1) && type.Length == 0)
            {
                type = b.Str(k + 1);
            }

            if (b.IsP(k, '='))
            {
                for (int v = k - 1; v >= 0; v--)
                {
                    if (b.IsIdentifier(v))
                    {
                        variable = b.Str(v);
                        break;
                    }
                }

                return new HunkSection(SectionKind.Initializer, null, false, [], [], string.Empty, type, variable);
            }

            if (b.IsP(k, '(') && k > 0 && b.IsIdentifier(k - 1))
            {
                if (idioms.IsFileScopeMacro(b.Str(k - 1)))
                {
                    return None;
                }

                var ret = new StringBuilder();
                for (int r = 0; r < k - 1; r++)
                {
                    ReadOnlySpan<char> rw = b[r].Span(section);
                    if (!FunctionHeader.IsStorageWord(rw))
                    {
                        ret.Append(ret.Length > 0 ? " " : string.Empty).Append(rw);
                    }
                }

                (List<string> parameters, List<string> names) = FunctionHeader.Parameters(b, k, b.CloseOf(k));
                if (b.Match[k] < 0)
                {
                    parameters.Add("..."); // cut by git: the parameter list is not complete
                    names.Add(string.Empty);
                }

                bool isStatic = FunctionHeader.IsStatic(section, CollectionsMarshal.AsSpan(tokens), 0, k - 1);
                return new HunkSection(SectionKind.Function, b.Str(k - 1), isStatic, parameters, names, ret.ToString(), type, variable);
            }
        }

        return None;
    }
}
