namespace PatchBot.PatchParser.C;

/// <summary>What a C token is. Trivia (whitespace, newlines, backslash continuations) is not a token.</summary>
public enum CTokenKind : byte
{
    /// <summary>No token (default value).</summary>
    None,
    Identifier,
    /// <summary>A C keyword or a GCC spelling of one (__attribute__, __asm__, typeof, ...).</summary>
    Keyword,
    /// <summary>A preprocessing number: decimal, hex, octal, binary, float, exponents and suffixes.</summary>
    Number,
    /// <summary>A string literal, with its prefix (L, u, U, u8) and quotes.</summary>
    StringLiteral,
    /// <summary>A character literal, with its prefix and quotes.</summary>
    CharLiteral,
    Punctuator,
    /// <summary>A // or /* */ comment.</summary>
    Comment,
    /// <summary>The '#' that starts a preprocessor line; the tokens up to <see cref="PreprocessorEnd"/> belong to it.</summary>
    PreprocessorStart,
    /// <summary>Zero-length marker where a preprocessor line ends (at its newline or at the end of the input).</summary>
    PreprocessorEnd,
    /// <summary>Something that is not C: a stray byte, '@', a backtick, an unterminated literal or comment.</summary>
    Error,
}

/// <summary>Extra facts about a token.</summary>
[Flags]
public enum CTokenTraits : byte
{
    None = 0,
    /// <summary>The token is part of a preprocessor line (between PreprocessorStart and PreprocessorEnd).</summary>
    InPreprocessor = 1,
    /// <summary>A literal or comment that runs to the end of the line or input without its closing delimiter.</summary>
    Unterminated = 2,
    /// <summary>Trivia holding a newline (or the start of the input) precedes the token: it is the first on its line.</summary>
    AtLineStart = 4,
}

/// <summary>A token: a span of the input, no string allocated.</summary>
/// <param name="Start">Offset of the first character in the input.</param>
/// <param name="Length">Number of characters (0 only for <see cref="CTokenKind.PreprocessorEnd"/>).</param>
/// <param name="Line">1-based line of the first character.</param>
public readonly record struct CToken(CTokenKind Kind, int Start, int Length, int Line, CTokenTraits Traits = CTokenTraits.None)
{
    /// <summary>Offset just past the token.</summary>
    public int End => Start + Length;

    /// <summary>The token's characters in <paramref name="text"/>.</summary>
    public ReadOnlySpan<char> Span(ReadOnlySpan<char> text) => text.Slice(Start, Length);

    /// <summary>Whether the token is a punctuator spelled <paramref name="punctuator"/>.</summary>
    public bool IsPunctuator(ReadOnlySpan<char> text, string punctuator) =>
        Kind == CTokenKind.Punctuator && Length == punctuator.Length && text.Slice(Start, Length).SequenceEqual(punctuator);

    /// <summary>Whether the token is a one-character punctuator <paramref name="c"/>.</summary>
    public bool IsPunctuator(ReadOnlySpan<char> text, char c) =>
        Kind == CTokenKind.Punctuator && Length == 1 && text[Start] == c;
}
