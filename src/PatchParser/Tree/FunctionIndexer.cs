using PatchBot.PatchParser.C;

namespace PatchBot.PatchParser.Tree;

/// <summary>A function definition found in a tree file, with the functions it calls by name.</summary>
public sealed record IndexedFunction(string Name, bool IsStatic, int Line, IReadOnlyList<string> Callees);

/// <summary>
/// The cheap pass over a whole tree file that tree mode's index needs: which functions it defines and
/// what each calls. It sees only shapes ("name ( ... ) {" at file scope, "name (" inside a body), which
/// is enough to find the callers of a function across a kernel tree; the full analysis then reads the
/// few files that matter.
/// </summary>
public static class FunctionIndexer
{
    public static IReadOnlyList<IndexedFunction> Index(ReadOnlySpan<char> text, int maxTokens = 4_000_000) =>
        Index(text, null, maxTokens);

    /// <summary>Indexes <paramref name="text"/>, taking every name from <paramref name="names"/> (one string per name
    /// across files, and no allocation for a name seen before).</summary>
    public static IReadOnlyList<IndexedFunction> Index(ReadOnlySpan<char> text, NameInterner? names, int maxTokens = 4_000_000)
    {
        var functions = new List<IndexedFunction>();
        var reader = new CTokenizer(text, new CTokenizerOptions { MaxTokens = maxTokens });

        int braceDepth = 0, parenDepth = 0;
        bool sawStatic = false;
        string? candidate = null;     // identifier just before a file-scope '('
        int candidateLine = 0;
        bool candidateClosed = false; // its ')' was seen and nothing but attributes since
        bool candidateStatic = false;

        string? current = null;       // the function whose body we are in
        bool currentStatic = false;
        int currentLine = 0;
        HashSet<string>? callees = null;

        CToken previous = default, last = default; // last two significant tokens
        while (reader.Read())
        {
            var tok = reader.Current;
            if (tok.Kind is CTokenKind.Comment or CTokenKind.PreprocessorEnd || (tok.Traits & CTokenTraits.InPreprocessor) != 0
                || tok.Kind == CTokenKind.PreprocessorStart)
            {
                continue;
            }

            if (tok.Kind == CTokenKind.Punctuator && tok.Length == 1)
            {
                char c = text[tok.Start];
                switch (c)
                {
                    case '(':
                        if (current is not null && last.Kind == CTokenKind.Identifier && !IsMember(text, previous))
                        {
                            callees!.Add(Name(names, text.Slice(last.Start, last.Length)));
                        }
                        else if (current is null && braceDepth == 0 && parenDepth == 0 && last.Kind == CTokenKind.Identifier)
                        {
                            candidate = Name(names, text.Slice(last.Start, last.Length));
                            candidateLine = last.Line;
                            candidateStatic = sawStatic;
                            candidateClosed = false;
                        }

                        parenDepth++;
                        break;
                    case ')':
                        parenDepth = Math.Max(0, parenDepth - 1);
                        if (parenDepth == 0 && braceDepth == 0 && candidate is not null)
                        {
                            candidateClosed = true;
                        }

                        break;
                    case '{':
                        if (braceDepth == 0 && parenDepth == 0 && candidateClosed && candidate is not null && last.IsPunctuator(text, ')'))
                        {
                            current = candidate;
                            currentStatic = candidateStatic;
                            currentLine = candidateLine;
                            callees = new HashSet<string>(StringComparer.Ordinal);
                        }

                        candidate = null;
                        candidateClosed = false;
                        braceDepth++;
                        break;
                    case '}':
                        braceDepth = Math.Max(0, braceDepth - 1);
                        if (braceDepth == 0)
                        {
                            if (current is not null)
                            {
                                functions.Add(new IndexedFunction(current, currentStatic, currentLine, [.. callees!]));
                                current = null;
                                callees = null;
                            }

                            sawStatic = false;
                        }

                        break;
                    case ';':
                        if (braceDepth == 0 && parenDepth == 0)
                        {
                            sawStatic = false;
                            candidate = null;
                            candidateClosed = false;
                        }

                        break;
                }
            }
            else if (tok.Kind == CTokenKind.Keyword && braceDepth == 0 && parenDepth == 0
                && text.Slice(tok.Start, tok.Length).SequenceEqual("static"))
            {
                sawStatic = true;
            }
            else if (candidateClosed && braceDepth == 0 && parenDepth == 0 && tok.Kind is CTokenKind.Identifier or CTokenKind.Keyword
                && !IsAttribute(text.Slice(tok.Start, tok.Length)))
            {
                // "int f(void) x" is not a definition (a declaration list or a macro); attributes may follow.
                candidateClosed = false;
                candidate = null;
            }

            previous = last;
            last = tok;
        }

        return functions;
    }

    private static string Name(NameInterner? names, ReadOnlySpan<char> name) => names is null ? name.ToString() : names.Intern(name);

    private static bool IsMember(ReadOnlySpan<char> text, CToken before) =>
        before.IsPunctuator(text, "->") || before.IsPunctuator(text, '.');

    private static bool IsAttribute(ReadOnlySpan<char> word) =>
        word.SequenceEqual("__attribute__") || word.StartsWith("__acquires") || word.StartsWith("__releases")
        || word.SequenceEqual("__must_hold") || word.SequenceEqual("__no_sanitize_address");
}

/// <summary>One string per distinct name: looked up by span, so a name seen before costs no allocation. Not thread-safe: one per worker.</summary>
public sealed class NameInterner
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public NameInterner()
    {
        _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _names.Count;

    public string Intern(ReadOnlySpan<char> name)
    {
        if (!_lookup.TryGetValue(name, out string? s))
        {
            s = name.ToString();
            _names[s] = s;
        }

        return s;
    }
}
