using System.Globalization;
using System.Text;

namespace PatchBot.Bot.Output;

/// <summary>
/// Makes text from a patch safe to print on one line of human-readable output: a file name from a quoted diff
/// path can hold a newline (which would forge a finding line that b4 or a reader takes as real), an escape sequence
/// (colours, cursor movement, a terminal title) or a bidirectional override. Each such character is shown as
/// <c>\xNN</c> or <c>\u{NNNN}</c>; tabs stay, as source lines have them.
/// </summary>
internal static class Printable
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        int first = 0;
        while (first < text.Length && !Unsafe(text[first]))
        {
            first++;
        }

        if (first == text.Length)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!Unsafe(c))
            {
                sb.Append(c);
            }
            else if (c <= '\u00ff')
            {
                sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\u{").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('}');
            }
        }

        return sb.ToString();
    }

    /// <summary>C0 controls but tab, DEL, C1 controls, line and paragraph separators, bidirectional controls.</summary>
    private static bool Unsafe(char c) =>
        (c < ' ' && c != '\t') || (c >= '\u007f' && c <= '\u009f') || c is '\u2028' or '\u2029'
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c is '\u200e' or '\u200f' or '\u061c';

    /// <summary>Writes one line of output, escaped.</summary>
    public static void WriteLine(TextWriter output, string line) => output.WriteLine(Escape(line));
}
