using System.Text;
using PatchBot.PatchParser.C;

namespace PatchBot.PatchParser.Tests.C;

public class CTokenizerTests
{
    private static List<(CTokenKind Kind, string Text, int Line)> Lex(string text)
    {
        var result = new List<(CTokenKind, string, int)>();
        var reader = new CTokenizer(text);
        while (reader.Read())
        {
            CToken t = reader.Current;
            result.Add((t.Kind, text.Substring(t.Start, t.Length), t.Line));
        }

        return result;
    }

    /// <summary>Tokens plus the text between them must give back the input, and trivia must be only whitespace.</summary>
    internal static void AssertRoundTrip(string text)
    {
        var sb = new StringBuilder();
        var reader = new CTokenizer(text);
        int pos = 0;
        while (reader.Read())
        {
            CToken t = reader.Current;
            Assert.True(t.Start >= pos, $"token at {t.Start} overlaps the previous one ending at {pos}");
            string trivia = text[pos..t.Start];
            Assert.True(trivia.All(c => char.IsWhiteSpace(c) || c == '\\'), $"non-trivia skipped: '{trivia}'");
            sb.Append(trivia).Append(text, t.Start, t.Length);
            pos = t.End;
        }

        Assert.False(reader.LimitExceeded);
        sb.Append(text, pos, text.Length - pos);
        Assert.True(text[pos..].All(c => char.IsWhiteSpace(c) || c == '\\'));
        Assert.Equal(text, sb.ToString());
    }

    [Fact]
    public void Identifiers_keywords_and_numbers()
    {
        var tokens = Lex("static int x = 0x1fUL + 017 + 0b101 + 1.5e-3f + .5 + 10ull;");
        Assert.Equal(
            [
                (CTokenKind.Keyword, "static", 1), (CTokenKind.Keyword, "int", 1), (CTokenKind.Identifier, "x", 1),
                (CTokenKind.Punctuator, "=", 1), (CTokenKind.Number, "0x1fUL", 1), (CTokenKind.Punctuator, "+", 1),
                (CTokenKind.Number, "017", 1), (CTokenKind.Punctuator, "+", 1), (CTokenKind.Number, "0b101", 1),
                (CTokenKind.Punctuator, "+", 1), (CTokenKind.Number, "1.5e-3f", 1), (CTokenKind.Punctuator, "+", 1),
                (CTokenKind.Number, ".5", 1), (CTokenKind.Punctuator, "+", 1), (CTokenKind.Number, "10ull", 1),
                (CTokenKind.Punctuator, ";", 1),
            ],
            tokens);
    }

    [Fact]
    public void Punctuators_take_the_longest_match()
    {
        var tokens = Lex("a<<=b>>=c...d->e++##f--g&&h||i!=j<=k>=l==m+=n%:o");
        string[] puncts = tokens.Where(t => t.Kind == CTokenKind.Punctuator).Select(t => t.Text).ToArray();
        Assert.Equal(["<<=", ">>=", "...", "->", "++", "##", "--", "&&", "||", "!=", "<=", ">=", "==", "+=", "%:"], puncts);
    }

    [Fact]
    public void Strings_and_chars_with_prefixes_and_escapes()
    {
        var tokens = Lex("L\"a\\\"b\" u8\"x\" U'c' u'\\'' '\\n' \"tab\\\\\"");
        Assert.Equal(
            [
                (CTokenKind.StringLiteral, "L\"a\\\"b\"", 1), (CTokenKind.StringLiteral, "u8\"x\"", 1),
                (CTokenKind.CharLiteral, "U'c'", 1), (CTokenKind.CharLiteral, "u'\\''", 1),
                (CTokenKind.CharLiteral, "'\\n'", 1), (CTokenKind.StringLiteral, "\"tab\\\\\"", 1),
            ],
            tokens);
    }

    [Fact]
    public void Comments_and_unterminated_comment()
    {
        var tokens = Lex("a // one\n/* two\n three */ b /* open\n end");
        Assert.Equal(
            [
                (CTokenKind.Identifier, "a", 1), (CTokenKind.Comment, "// one", 1),
                (CTokenKind.Comment, "/* two\n three */", 2), (CTokenKind.Identifier, "b", 3),
                (CTokenKind.Error, "/* open\n end", 3),
            ],
            tokens);
    }

    [Fact]
    public void Garbage_gives_error_tokens_and_reading_goes_on()
    {
        var tokens = Lex("a @ `b` \\ \"open\nc 'x\nd \u00e9");
        Assert.Equal(
            [
                (CTokenKind.Identifier, "a", 1), (CTokenKind.Error, "@", 1), (CTokenKind.Error, "`", 1),
                (CTokenKind.Identifier, "b", 1), (CTokenKind.Error, "`", 1), (CTokenKind.Error, "\\", 1),
                (CTokenKind.Error, "\"open", 1), (CTokenKind.Identifier, "c", 2), (CTokenKind.Error, "'x", 2),
                (CTokenKind.Identifier, "d", 3), (CTokenKind.Error, "\u00e9", 3),
            ],
            tokens);
    }

    [Fact]
    public void Preprocessor_lines_with_continuations_are_marked()
    {
        string text = "#define SWITCHTEC_QUIRK(vid) \\\n\tDECLARE_PCI_FIXUP_FINAL(0x11f8, vid, \\\n\t\tquirk)\nint x;\n  # include <linux/pci.h>\r\n";
        var reader = new CTokenizer(text);
        var seen = new List<(CTokenKind, string, int, bool)>();
        while (reader.Read())
        {
            CToken t = reader.Current;
            seen.Add((t.Kind, text.Substring(t.Start, t.Length), t.Line, (t.Traits & CTokenTraits.InPreprocessor) != 0));
        }

        Assert.Equal((CTokenKind.PreprocessorStart, "#", 1, true), seen[0]);
        Assert.Equal((CTokenKind.Identifier, "DECLARE_PCI_FIXUP_FINAL", 2, true), seen[6]);
        int end = seen.FindIndex(s => s.Item1 == CTokenKind.PreprocessorEnd);
        Assert.Equal((CTokenKind.Punctuator, ")", 3, true), seen[end - 1]);
        Assert.Equal((CTokenKind.Keyword, "int", 4, false), seen[end + 1]);
        Assert.Equal((CTokenKind.PreprocessorStart, "#", 5, true), seen[end + 4]);
        Assert.Equal(CTokenKind.PreprocessorEnd, seen[^1].Item1);
        AssertRoundTrip(text);
    }

    [Fact]
    public void Hash_inside_a_line_is_a_punctuator()
    {
        var tokens = Lex("a # b ## c");
        Assert.All(tokens.Where(t => t.Text.StartsWith('#')), t => Assert.Equal(CTokenKind.Punctuator, t.Kind));
    }

    [Fact]
    public void Gcc_extensions_tokenize()
    {
        string text = "int __attribute__((weak)) f(void) { asm volatile(\"nop\" ::: \"memory\"); typeof(x) y = ({ int z = 1; z; }); }";
        var tokens = Lex(text);
        Assert.Contains((CTokenKind.Keyword, "__attribute__", 1), tokens);
        Assert.Contains((CTokenKind.Keyword, "asm", 1), tokens);
        Assert.Contains((CTokenKind.Keyword, "typeof", 1), tokens);
        Assert.DoesNotContain(tokens, t => t.Kind == CTokenKind.Error);
        AssertRoundTrip(text);
    }

    [Fact]
    public void Token_limit_stops_reading()
    {
        var reader = new CTokenizer("a b c d e", new CTokenizerOptions { MaxTokens = 3 });
        int n = 0;
        while (reader.Read())
        {
            n++;
        }

        Assert.Equal(3, n);
        Assert.True(reader.LimitExceeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"")]
    [InlineData("'")]
    [InlineData("/*")]
    [InlineData("#")]
    [InlineData("#define X \\")]
    [InlineData("a\\\r\nb\r\n#if 1\r\n#endif\r\n")]
    [InlineData("0x1p+3 1e+ 1.. u8 u8'")]
    [InlineData("// comment \\\ncontinued\nx")]
    public void Round_trip_on_edge_cases(string text) => AssertRoundTrip(text);

    [Fact]
    public void Round_trip_on_kernel_like_file_in_lf_and_crlf()
    {
        string text = KernelLikeFile;
        AssertRoundTrip(text);
        string crlf = text.Replace("\n", "\r\n", StringComparison.Ordinal);
        AssertRoundTrip(crlf);

        // The same tokens (by kind and line) either way.
        var a = Lex(text).Select(t => (t.Kind, t.Line)).ToList();
        var b = Lex(crlf).Select(t => (t.Kind, t.Line)).ToList();
        Assert.Equal(a, b);
        Assert.DoesNotContain(a, t => t.Kind == CTokenKind.Error);
    }

    internal const string KernelLikeFile = """
        // SPDX-License-Identifier: GPL-2.0
        /*
         * Kernel-like sample.
         */
        #include <linux/pci.h>
        #include "quirks.h"

        #define SWITCHTEC_QUIRK(vid) \
        	DECLARE_PCI_FIXUP_CLASS_FINAL(PCI_VENDOR_ID_MICROSEMI, vid, \
        		PCI_CLASS_BRIDGE_OTHER, 8, quirk_switchtec_ntb_dma_alias)

        static const char *names[] = { "a", L"b", u8"c" };

        static int __init foo_init(void)
        {
        	u32 v = 0x1fUL, w = 'x';
        	struct device *dev = &pdev->dev;

        	if (v >>= 2)
        		pr_info("%s: %d\n", __func__, v);
        	asm volatile("" ::: "memory");
        	return ({ int z = sizeof(v); z; });
        }
        late_initcall(foo_init);
        SWITCHTEC_QUIRK(0x8531);  /* PFX 24xG3 */
        """;
}

public class CTokenizerScaleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static int Count(string text)
    {
        var reader = new CTokenizer(text);
        int n = 0;
        while (reader.Read())
        {
            n++;
        }

        return n;
    }

    [Fact]
    public void Repeated_input_gives_proportional_tokens_in_linear_time()
    {
        string one = CTokenizerTests.KernelLikeFile + "\n";
        int single = Count(one);
        string big = string.Concat(Enumerable.Repeat(one, 5000));
        Count(big); // warm up (tiered JIT)
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int total = Count(big);
        sw.Stop();
        Assert.Equal(single * 5000, total);
        output.WriteLine($"{total} tokens, {big.Length} chars in {sw.ElapsedMilliseconds} ms ({total / Math.Max(1e-6, sw.Elapsed.TotalSeconds):N0} tokens/s)");
    }
}
