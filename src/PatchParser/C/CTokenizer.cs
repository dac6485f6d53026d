using System.Collections.Frozen;

namespace PatchBot.PatchParser.C;

/// <summary>Options for <see cref="CTokenizer"/>.</summary>
public sealed record CTokenizerOptions
{
    public static CTokenizerOptions Default { get; } = new();

    /// <summary>Tokens read before the tokenizer stops with <see cref="CTokenizer.LimitExceeded"/>.</summary>
    public int MaxTokens { get; init; } = 4_000_000;
}

/// <summary>
/// A forward-only C tokenizer over a span, in the style of Utf8JsonReader: <see cref="Read"/> moves to the
/// next token and <see cref="Current"/> describes it as (kind, start, length, line). Linear time, no allocation,
/// never throws: what is not C becomes an <see cref="CTokenKind.Error"/> token and reading carries on.
/// Trivia (whitespace, newlines, backslash-newline continuations) lies between tokens, so the tokens and the
/// text between them give back the input exactly.
/// </summary>
public ref struct CTokenizer
{
    private readonly ReadOnlySpan<char> _text;
    private readonly int _maxTokens;
    private int _pos;
    private int _line;
    private int _count;
    private bool _inDirective;
    private bool _atLineStart;

    public CTokenizer(ReadOnlySpan<char> text, CTokenizerOptions? options = null)
    {
        _text = text;
        _maxTokens = (options ?? CTokenizerOptions.Default).MaxTokens;
        _pos = 0;
        _line = 1;
        _count = 0;
        _inDirective = false;
        _atLineStart = true;
        Current = default;
        LimitExceeded = false;
    }

    /// <summary>The token <see cref="Read"/> last moved to.</summary>
    public CToken Current { get; private set; }

    /// <summary>Reading stopped because <see cref="CTokenizerOptions.MaxTokens"/> was reached.</summary>
    public bool LimitExceeded { get; private set; }

    /// <summary>Tokens read so far.</summary>
    public readonly int TokenCount => _count;

    /// <summary>Offset where reading continues.</summary>
    public readonly int Position => _pos;

    /// <summary>Moves to the next token; false at the end of the input or when the token limit is hit.</summary>
    public bool Read()
    {
        if (_count >= _maxTokens)
        {
            LimitExceeded = _pos < _text.Length;
            return false;
        }

        ReadOnlySpan<char> text = _text;
        int pos = _pos;
        bool sawNewline = false;

        // Trivia.
        while (pos < text.Length)
        {
            char c = text[pos];
            if (c == '\n')
            {
                if (_inDirective)
                {
                    // The directive ends at this newline: a zero-length marker before it.
                    _inDirective = false;
                    _pos = pos;
                    return Emit(CTokenKind.PreprocessorEnd, pos, 0, CTokenTraits.InPreprocessor);
                }

                _line++;
                sawNewline = true;
                pos++;
            }
            else if (c is ' ' or '\t' or '\r' or '\v' or '\f')
            {
                pos++;
            }
            else if (c == '\\' && ContinuationLength(text, pos) is int n and > 0)
            {
                pos += n;
                _line++;
            }
            else
            {
                break;
            }
        }

        if (sawNewline)
        {
            _atLineStart = true;
        }

        if (pos >= text.Length)
        {
            _pos = pos;
            if (_inDirective)
            {
                _inDirective = false;
                return Emit(CTokenKind.PreprocessorEnd, pos, 0, CTokenTraits.InPreprocessor);
            }

            return false;
        }

        int start = pos;
        char ch = text[pos];
        CTokenTraits flags = _atLineStart ? CTokenTraits.AtLineStart : CTokenTraits.None;
        bool lineStart = _atLineStart;
        _atLineStart = false;
        if (_inDirective)
        {
            flags |= CTokenTraits.InPreprocessor;
        }

        int startLine = _line;
        CTokenKind kind;
        byte cls = ch < 256 ? CharClass[ch] : (byte)0;

        if ((cls & IdentStart) != 0)
        {
            pos++;
            while (pos < text.Length && text[pos] < 256 && (CharClass[text[pos]] & IdentPart) != 0)
            {
                pos++;
            }

            int len = pos - start;
            if (pos < text.Length && (text[pos] == '"' || text[pos] == '\'') && IsLiteralPrefix(text.Slice(start, len)))
            {
                char quote = text[pos];
                pos = ScanQuoted(text, pos + 1, quote, ref flags);
                kind = (flags & CTokenTraits.Unterminated) != 0 ? CTokenKind.Error : quote == '"' ? CTokenKind.StringLiteral : CTokenKind.CharLiteral;
            }
            else
            {
                kind = KeywordLookup.Contains(text.Slice(start, len)) ? CTokenKind.Keyword : CTokenKind.Identifier;
            }
        }
        else if ((cls & Digit) != 0 || (ch == '.' && pos + 1 < text.Length && IsDigit(text[pos + 1])))
        {
            pos = ScanNumber(text, pos);
            kind = CTokenKind.Number;
        }
        else if (ch == '"' || ch == '\'')
        {
            pos = ScanQuoted(text, pos + 1, ch, ref flags);
            kind = (flags & CTokenTraits.Unterminated) != 0 ? CTokenKind.Error : ch == '"' ? CTokenKind.StringLiteral : CTokenKind.CharLiteral;
        }
        else if (ch == '/' && pos + 1 < text.Length && text[pos + 1] == '/')
        {
            pos = ScanLineComment(text, pos + 2);
            kind = CTokenKind.Comment;
        }
        else if (ch == '/' && pos + 1 < text.Length && text[pos + 1] == '*')
        {
            int close = text.Slice(pos + 2).IndexOf("*/");
            if (close < 0)
            {
                pos = text.Length;
                flags |= CTokenTraits.Unterminated;
                kind = CTokenKind.Error;
            }
            else
            {
                pos += 2 + close + 2;
                kind = CTokenKind.Comment;
            }
        }
        else if (ch == '#' && lineStart && !_inDirective)
        {
            pos++;
            _inDirective = true;
            flags |= CTokenTraits.InPreprocessor;
            kind = CTokenKind.PreprocessorStart;
        }
        else if ((cls & Punct) != 0)
        {
            pos += PunctuatorLength(text, pos);
            kind = CTokenKind.Punctuator;
        }
        else
        {
            // A stray character ('@', '`', '\' not before a newline, a control or non-ASCII character).
            pos++;
            kind = CTokenKind.Error;
        }

        // Count the newlines inside the token (block comments, continued literals).
        int length = pos - start;
        if (kind is CTokenKind.Comment or CTokenKind.Error or CTokenKind.StringLiteral or CTokenKind.CharLiteral && length > 2)
        {
            _line += text.Slice(start, length).Count('\n');
        }

        _pos = pos;
        Current = new CToken(kind, start, length, startLine, flags);
        _count++;
        return true;
    }

    private bool Emit(CTokenKind kind, int start, int length, CTokenTraits flags)
    {
        Current = new CToken(kind, start, length, _line, flags);
        _count++;
        return true;
    }

    /// <summary>Length of a backslash-newline at <paramref name="pos"/> ("\\\n" or "\\\r\n"), else 0.</summary>
    private static int ContinuationLength(ReadOnlySpan<char> text, int pos)
    {
        if (pos + 1 < text.Length && text[pos + 1] == '\n')
        {
            return 2;
        }

        return pos + 2 < text.Length && text[pos + 1] == '\r' && text[pos + 2] == '\n' ? 3 : 0;
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsLiteralPrefix(ReadOnlySpan<char> s) =>
        s is "L" or "u" or "U" or "u8";

    private static int ScanQuoted(ReadOnlySpan<char> text, int pos, char quote, ref CTokenTraits flags)
    {
        while (pos < text.Length)
        {
            int i = text.Slice(pos).IndexOfAny(quote, '\\', '\n');
            if (i < 0)
            {
                break;
            }

            pos += i;
            char c = text[pos];
            if (c == quote)
            {
                return pos + 1;
            }

            if (c == '\n')
            {
                // Unterminated: the error token stops before the newline (and a CR before it).
                flags |= CTokenTraits.Unterminated;
                return pos > 0 && text[pos - 1] == '\r' ? pos - 1 : pos;
            }

            // Backslash: skip the escaped character (a CRLF counts as one).
            pos += pos + 2 < text.Length && text[pos + 1] == '\r' && text[pos + 2] == '\n' ? 3 : 2;
        }

        flags |= CTokenTraits.Unterminated;
        return text.Length;
    }

    private static int ScanLineComment(ReadOnlySpan<char> text, int pos)
    {
        while (true)
        {
            int i = text.Slice(pos).IndexOf('\n');
            if (i < 0)
            {
                return text.Length;
            }

            int nl = pos + i;
            int end = nl > 0 && text[nl - 1] == '\r' ? nl - 1 : nl;
            if (end > 0 && text[end - 1] == '\\')
            {
                // A backslash continues a // comment onto the next line.
                pos = nl + 1;
                continue;
            }

            return end;
        }
    }

    /// <summary>A preprocessing number: digits, letters, '_', '.', and a sign after e/E/p/P.</summary>
    private static int ScanNumber(ReadOnlySpan<char> text, int pos)
    {
        pos++;
        while (pos < text.Length)
        {
            char c = text[pos];
            if ((c is '+' or '-') && (text[pos - 1] | 0x20) is 'e' or 'p')
            {
                pos++;
            }
            else if (c == '.' || (c < 256 && (CharClass[c] & IdentPart) != 0))
            {
                pos++;
            }
            else
            {
                break;
            }
        }

        return pos;
    }

    private static int PunctuatorLength(ReadOnlySpan<char> text, int pos)
    {
        char c = text[pos];
        char n1 = pos + 1 < text.Length ? text[pos + 1] : '\0';
        char n2 = pos + 2 < text.Length ? text[pos + 2] : '\0';
        switch (c)
        {
            case '<':
                if (n1 == '<')
                {
                    return n2 == '=' ? 3 : 2;
                }

                return n1 is '=' or ':' or '%' ? 2 : 1;
            case '>':
                if (n1 == '>')
                {
                    return n2 == '=' ? 3 : 2;
                }

                return n1 == '=' ? 2 : 1;
            case '.':
                return n1 == '.' && n2 == '.' ? 3 : 1;
            case '-':
                return n1 is '>' or '-' or '=' ? 2 : 1;
            case '+':
                return n1 is '+' or '=' ? 2 : 1;
            case '&':
                return n1 is '&' or '=' ? 2 : 1;
            case '|':
                return n1 is '|' or '=' ? 2 : 1;
            case '#':
                return n1 == '#' ? 2 : 1;
            case '%':
                if (n1 == ':')
                {
                    return n2 == '%' && pos + 3 < text.Length && text[pos + 3] == ':' ? 4 : 2;
                }

                return n1 is '=' or '>' ? 2 : 1;
            case ':':
                return n1 == '>' ? 2 : 1;
            case '*' or '/' or '=' or '!' or '^':
                return n1 == '=' ? 2 : 1;
            default:
                return 1;
        }
    }

    private const byte IdentStart = 1;
    private const byte IdentPart = 2;
    private const byte Digit = 4;
    private const byte Punct = 8;

    /// <summary>The 256-entry character-class table.</summary>
    private static ReadOnlySpan<byte> CharClass => CharClassTable;

    private static readonly byte[] CharClassTable = BuildCharClass();

    private static byte[] BuildCharClass()
    {
        var t = new byte[256];
        for (int c = 'a'; c <= 'z'; c++)
        {
            t[c] = IdentStart | IdentPart;
            t[c - 32] = IdentStart | IdentPart;
        }

        t['_'] = IdentStart | IdentPart;
        t['$'] = IdentStart | IdentPart; // GCC accepts '$' in identifiers
        for (int c = '0'; c <= '9'; c++)
        {
            t[c] = Digit | IdentPart;
        }

        foreach (char c in "[](){}.&*+-~!/%<>^|?:;=,#")
        {
            t[c] = Punct;
        }

        return t;
    }

    private static readonly FrozenSet<string> Keywords = FrozenSet.Create(StringComparer.Ordinal,
    [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
        "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
        "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
        "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
        "_Static_assert", "_Thread_local", "alignas", "alignof", "bool", "true", "false", "nullptr", "static_assert",
        "thread_local", "constexpr", "typeof", "typeof_unqual",
        "asm", "__asm", "__asm__", "__attribute", "__attribute__", "__typeof", "__typeof__", "__volatile",
        "__volatile__", "__inline", "__inline__", "__restrict", "__restrict__", "__extension__", "__label__",
        "__auto_type", "__alignof__", "__const", "__const__", "__signed__", "__builtin_offsetof", "__builtin_va_arg",
    ]);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> KeywordLookup =
        Keywords.GetAlternateLookup<ReadOnlySpan<char>>();
}
