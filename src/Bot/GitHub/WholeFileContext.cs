using System.Globalization;
using System.Text;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// Widens a file's patch from the API (three lines of context) to the whole post-image file, as
/// <c>check --git</c> does with git format-patch -U: the registration of a probe() is rarely within three
/// lines of the change. Every context and added line of the patch must equal the file's line at that place;
/// otherwise the patch is kept as it came.
/// </summary>
internal static class WholeFileContext
{
    public static bool TryExpand(string patch, string postImage, out string expanded)
    {
        expanded = patch;
        var file = postImage.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int fileLines = file.Length > 0 && file[^1].Length == 0 ? file.Length - 1 : file.Length;
        var lines = patch.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        var body = new StringBuilder();
        int newLine = 1, oldLine = 1, oldCount = 0, newCount = 0;
        int i = 0;
        while (i < lines.Length)
        {
            if (!TryHeader(lines[i], out int oldStart, out int newStart))
            {
                return false;
            }

            // A hunk of a file emptied or created has start 0; the patch then holds the whole file already.
            // A hunk must start inside the file it is matched against (line fileLines + 1 is the end, where lines are added);
            // a hunk that starts further on belongs to another version of the file.
            if (oldStart == 0 || newStart == 0 || newStart < newLine || newStart - newLine != oldStart - oldLine || newStart > fileLines + 1)
            {
                return false;
            }

            for (; newLine < newStart; newLine++, oldLine++)
            {
                body.Append(' ').Append(file[newLine - 1]).Append('\n');
                oldCount++;
                newCount++;
            }

            for (i++; i < lines.Length && !lines[i].StartsWith("@@", StringComparison.Ordinal); i++)
            {
                string line = lines[i];
                char kind = line.Length == 0 ? ' ' : line[0];
                string text = line.Length == 0 ? string.Empty : line[1..];
                switch (kind)
                {
                    case ' ' or '+':
                        if (newLine > fileLines || !string.Equals(file[newLine - 1], text, StringComparison.Ordinal))
                        {
                            return false;
                        }

                        newLine++;
                        newCount++;
                        if (kind == ' ')
                        {
                            oldLine++;
                            oldCount++;
                        }

                        break;
                    case '-':
                        oldLine++;
                        oldCount++;
                        break;
                    case '\\':
                        break;
                    default:
                        return false;
                }

                body.Append(line.Length == 0 ? " " : line).Append('\n');
            }
        }

        for (; newLine <= fileLines; newLine++)
        {
            body.Append(' ').Append(file[newLine - 1]).Append('\n');
            oldCount++;
            newCount++;
        }

        expanded = string.Create(CultureInfo.InvariantCulture, $"@@ -1,{oldCount} +1,{newCount} @@\n") + body;
        return true;
    }

    /// <summary>"@@ -a[,b] +c[,d] @@ ..." -> a, c.</summary>
    private static bool TryHeader(string line, out int oldStart, out int newStart)
    {
        oldStart = newStart = 0;
        var span = line.AsSpan();
        if (!span.StartsWith("@@ -"))
        {
            return false;
        }

        span = span[4..];
        int end = span.IndexOfAny(',', ' ');
        if (end <= 0 || !int.TryParse(span[..end], NumberStyles.None, CultureInfo.InvariantCulture, out oldStart))
        {
            return false;
        }

        int plus = span.IndexOf('+');
        if (plus < 0)
        {
            return false;
        }

        span = span[(plus + 1)..];
        end = span.IndexOfAny(',', ' ');
        return end > 0 && int.TryParse(span[..end], NumberStyles.None, CultureInfo.InvariantCulture, out newStart);
    }
}
