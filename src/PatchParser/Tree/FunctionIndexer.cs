using System.Runtime.InteropServices;
using PatchBot.PatchParser.C;

namespace PatchBot.PatchParser.Tree;

/// <summary>A function definition found in a tree file, with the functions (and, as <see cref="FunctionIndexer.MemberCallName"/>, the members) it calls by name.</summary>
public sealed record IndexedFunction(string Name, bool IsStatic, int Line, IReadOnlyList<string> Callees);

/// <summary>
/// The cheap pass over a whole tree file that tree mode's index needs: which functions it defines and
/// what each calls. A '{' at file scope opens a function when <see cref="FunctionHeader"/>, the recogniser the
/// fragment analysis uses too, says its header is a definition; inside a body every "name (" not after '.' or
/// '->' is a call, and every "x->name (" or "x.name (" a call through member name (<see cref="MemberCallName"/>), so
/// the callers of a driver's own ops table members can be found as well. That is enough to find the callers of a function across a kernel tree; the full analysis
/// then reads the few files that matter.
/// </summary>
public static class FunctionIndexer
{
    private const string MemberPrefix = "->";

    public static IReadOnlyList<IndexedFunction> Index(ReadOnlySpan<char> text, int maxTokens = 4_000_000) =>
        Index(text, null, maxTokens);

    /// <summary>Indexes <paramref name="text"/>, taking every name from <paramref name="names"/> (one string per name
    /// across files, and no allocation for a name seen before).</summary>
    public static IReadOnlyList<IndexedFunction> Index(ReadOnlySpan<char> text, NameInterner? names, int maxTokens = 4_000_000)
    {
        var functions = new List<IndexedFunction>();
        var reader = new CTokenizer(text, new CTokenizerOptions { MaxTokens = maxTokens });

        int braceDepth = 0, parenDepth = 0;
        var header = new List<CToken>(); // the file-scope declaration so far
        int[] match = new int[64];

        string? current = null;       // the function whose body we are in
        bool currentStatic = false;
        int currentLine = 0;
        HashSet<string>? callees = null;

        CToken previous = default, last = default; // last two significant tokens
        while (reader.Read())
        {
            var tok = reader.Current;
            if (tok.Kind is CTokenKind.Comment or CTokenKind.Error or CTokenKind.PreprocessorEnd
                || (tok.Traits & CTokenTraits.InPreprocessor) != 0 || tok.Kind == CTokenKind.PreprocessorStart)
            {
                continue;
            }

            bool fileScope = braceDepth == 0;
            if (tok.Kind == CTokenKind.Punctuator && tok.Length == 1)
            {
                char c = text[tok.Start];
                switch (c)
                {
                    case '(':
                        if (current is not null && last.Kind == CTokenKind.Identifier)
                        {
                            callees!.Add(IsMember(text, previous)
                                ? MemberName(names, text.Slice(last.Start, last.Length))
                                : Name(names, text.Slice(last.Start, last.Length)));
                        }

                        parenDepth++;
                        break;
                    case ')':
                        parenDepth = Math.Max(0, parenDepth - 1);
                        break;
                    case '{':
                        if (braceDepth == 0 && parenDepth == 0)
                        {
                            if (match.Length < header.Count)
                            {
                                match = new int[Math.Max(header.Count, match.Length * 2)];
                            }

                            var tokens = CollectionsMarshal.AsSpan(header);
                            Span<int> partners = match.AsSpan(0, header.Count);
                            TokenBuffer.MatchBrackets(text, tokens, partners);
                            int name = FunctionHeader.FindName(text, tokens, partners, 0, header.Count);
                            if (name >= 0)
                            {
                                current = Name(names, text.Slice(header[name].Start, header[name].Length));
                                currentStatic = FunctionHeader.IsStatic(text, tokens, 0, name);
                                currentLine = header[name].Line;
                                callees = new HashSet<string>(StringComparer.Ordinal);
                            }

                            header.Clear();
                        }

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

                            header.Clear();
                            fileScope = false;
                        }

                        break;
                    case ';':
                        if (braceDepth == 0 && parenDepth == 0)
                        {
                            header.Clear();
                            fileScope = false;
                        }

                        break;
                }
            }

            if (fileScope && braceDepth == 0)
            {
                header.Add(tok);
            }

            previous = last;
            last = tok;
        }

        return functions;
    }

    /// <summary>
    /// The callee name that stands for a call through member <paramref name="member"/> of a pointer or struct
    /// (<c>efx->type->probe(efx)</c> is a call of "->probe"): no function has such a name, so callers of a
    /// function and callers of a member never mix.
    /// </summary>
    public static string MemberCallName(string member) => MemberPrefix + member;

    private static string Name(NameInterner? names, ReadOnlySpan<char> name) => names is null ? name.ToString() : names.Intern(name);

    private static string MemberName(NameInterner? names, ReadOnlySpan<char> member)
    {
        Span<char> buffer = member.Length <= 256 ? stackalloc char[member.Length + MemberPrefix.Length] : new char[member.Length + MemberPrefix.Length];
        MemberPrefix.AsSpan().CopyTo(buffer);
        member.CopyTo(buffer[MemberPrefix.Length..]);
        return Name(names, buffer);
    }

    private static bool IsMember(ReadOnlySpan<char> text, CToken before) =>
        before.IsPunctuator(text, "->") || before.IsPunctuator(text, '.');
}

/// <summary>One string per distinct name, and an id for it (0, 1, ... in the order first seen): looked up by span, so a
/// name seen before costs no allocation. Safe to share between workers (a whole tree's names are held once).</summary>
public sealed class NameInterner
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _names = [];

    public NameInterner()
    {
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count
    {
        get
        {
            lock (_ids)
            {
                return _names.Count;
            }
        }
    }

    public string Intern(ReadOnlySpan<char> name)
    {
        lock (_ids)
        {
            if (!_lookup.TryGetValue(name, out int id))
            {
                id = _names.Count;
                string s = name.ToString();
                _ids[s] = id;
                _names.Add(s);
            }

            return _names[id];
        }
    }

    /// <summary>The id of <paramref name="name"/>, interned if it was not.</summary>
    public int IdOf(string name)
    {
        lock (_ids)
        {
            if (!_ids.TryGetValue(name, out int id))
            {
                id = _names.Count;
                _ids[name] = id;
                _names.Add(name);
            }

            return id;
        }
    }

    /// <summary>Every name so far, by id.</summary>
    public string[] ToArray()
    {
        lock (_ids)
        {
            return [.. _names];
        }
    }
}
