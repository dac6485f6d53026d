using System.Globalization;
using System.Text;

namespace PatchBot.PatchParser.Diff;

/// <summary>Options for <see cref="DiffReader"/>.</summary>
public sealed record DiffReaderOptions
{
    public static DiffReaderOptions Default { get; } = new();

    /// <summary>Files per patch before the rest is skipped with a problem.</summary>
    public int MaxFiles { get; init; } = 2_000;

    /// <summary>Hunks per file before the rest of the file is skipped with a problem.</summary>
    public int MaxHunksPerFile { get; init; } = 5_000;

    /// <summary>Characters per line kept; longer lines are cut with a problem.</summary>
    public int MaxLineLength { get; init; } = 64 * 1024;
}

/// <summary>
/// Reads a unified diff (git or plain) from text. Forward-only, one pass, never throws on bad input:
/// malformed parts become <see cref="Problem"/>s and reading carries on with the next hunk or file.
/// Text before the first file header (a commit message, a diffstat) and after the last hunk (a mail
/// signature, base-commit lines) is ignored.
/// </summary>
public static class DiffReader
{
    /// <summary>Reads every file diff in <paramref name="text"/>.</summary>
    public static ParsedDiff Read(string text, DiffReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new Reader(text, options ?? DiffReaderOptions.Default);
        return reader.ReadAll();
    }

    /// <summary>
    /// The offset where the diff part of a patch mail body starts (a "diff --git" line, or a
    /// "--- " line followed by "+++ " and "@@", with a preceding "diff ..." line if any), or -1.
    /// </summary>
    public static int FindDiffStart(ReadOnlySpan<char> text)
    {
        var lines = new LineCursor(text);
        int previousStart = -1;
        bool previousIsDiff = false;
        while (lines.Next(out var line, out int start))
        {
            if (line.StartsWith("diff --git ", StringComparison.Ordinal))
            {
                return start;
            }

            if (line.StartsWith("--- ", StringComparison.Ordinal) && IsPlainHeaderAt(text, lines.Position))
            {
                return previousIsDiff ? previousStart : start;
            }

            previousIsDiff = line.StartsWith("diff ", StringComparison.Ordinal);
            previousStart = start;
        }

        return -1;
    }

    /// <summary>True when the text at <paramref name="offset"/> is "+++ ..." followed by "@@ -".</summary>
    private static bool IsPlainHeaderAt(ReadOnlySpan<char> text, int offset)
    {
        var lines = new LineCursor(text[offset..]);
        return lines.Next(out var plus, out _) && plus.StartsWith("+++ ", StringComparison.Ordinal)
            && lines.Next(out var at, out _) && at.StartsWith("@@ -", StringComparison.Ordinal);
    }

    /// <summary>Walks lines of a span; strips "\n" and a "\r" before it.</summary>
    private ref struct LineCursor(ReadOnlySpan<char> text)
    {
        private readonly ReadOnlySpan<char> _text = text;

        public int Position { get; private set; }

        public bool Next(out ReadOnlySpan<char> line, out int start)
        {
            start = Position;
            if (Position >= _text.Length)
            {
                line = default;
                return false;
            }

            var rest = _text[Position..];
            int nl = rest.IndexOf('\n');
            if (nl < 0)
            {
                line = rest;
                Position = _text.Length;
            }
            else
            {
                line = rest[..nl];
                Position += nl + 1;
            }

            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            return true;
        }
    }

    private sealed class Reader(string text, DiffReaderOptions options)
    {
        private readonly string _text = text;
        private readonly DiffReaderOptions _options = options;
        private readonly List<FilePatch> _files = [];
        private readonly List<Problem> _problems = [];
        private int _position;
        private int _lineNumber;

        // A line read but not consumed: the reader looks one line ahead.
        private bool _hasPending;
        private int _pendingStart;
        private int _pendingLength;

        private ReadOnlySpan<char> Pending => _text.AsSpan(_pendingStart, _pendingLength);

        public ParsedDiff ReadAll()
        {
            while (Peek(out var line))
            {
                if (line.StartsWith("diff --git ", StringComparison.Ordinal))
                {
                    if (!RoomForFile())
                    {
                        break;
                    }

                    ReadGitFile();
                }
                else if (line.StartsWith("--- ", StringComparison.Ordinal) && IsPlainHeaderAt(_text, _position))
                {
                    if (!RoomForFile())
                    {
                        break;
                    }

                    ReadPlainFile();
                }
                else
                {
                    if (line.StartsWith("@@ -", StringComparison.Ordinal))
                    {
                        _problems.Add(new Problem("hunk without a file header", null, _lineNumber));
                    }

                    Consume();
                }
            }

            return new ParsedDiff(_files, _problems);
        }

        private bool RoomForFile()
        {
            if (_files.Count < _options.MaxFiles)
            {
                return true;
            }

            _problems.Add(new Problem($"more than {_options.MaxFiles} files in one patch; the rest is not read", null, _lineNumber) { Skipped = true });
            return false;
        }

        /// <summary>Looks at the next line without consuming it.</summary>
        private bool Peek(out ReadOnlySpan<char> line)
        {
            if (!_hasPending)
            {
                if (_position >= _text.Length)
                {
                    line = default;
                    return false;
                }

                int nl = _text.IndexOf('\n', _position);
                int end = nl < 0 ? _text.Length : nl;
                int length = end - _position;
                if (length > 0 && _text[end - 1] == '\r')
                {
                    length--;
                }

                _pendingStart = _position;
                _pendingLength = length;
                _position = nl < 0 ? _text.Length : nl + 1;
                _lineNumber++;
                _hasPending = true;
            }

            line = Pending;
            return true;
        }

        private void Consume() => _hasPending = false;

        private void ReadGitFile()
        {
            Peek(out var header);
            int fileLine = _lineNumber;
            var (gitOld, gitNew) = ParseGitHeaderPaths(header["diff --git ".Length..]);
            Consume();

            string? oldPath = gitOld, newPath = gitNew, oldMode = null, newMode = null, indexOld = null, indexNew = null;
            int? similarity = null, dissimilarity = null;
            var change = FileChangeKind.Modified;
            bool binary = false;

            while (Peek(out var line))
            {
                if (TryAfter(line, "old mode ", out var v)) { oldMode = v.ToString(); }
                else if (TryAfter(line, "new mode ", out v)) { newMode = v.ToString(); }
                else if (TryAfter(line, "deleted file mode ", out v)) { oldMode = v.ToString(); change = FileChangeKind.Deleted; }
                else if (TryAfter(line, "new file mode ", out v)) { newMode = v.ToString(); change = FileChangeKind.Added; }
                else if (TryAfter(line, "rename from ", out v)) { oldPath = Unquote(v); change = FileChangeKind.Renamed; }
                else if (TryAfter(line, "rename to ", out v)) { newPath = Unquote(v); change = FileChangeKind.Renamed; }
                else if (TryAfter(line, "copy from ", out v)) { oldPath = Unquote(v); change = FileChangeKind.Copied; }
                else if (TryAfter(line, "copy to ", out v)) { newPath = Unquote(v); change = FileChangeKind.Copied; }
                else if (TryAfter(line, "similarity index ", out v)) { similarity = ParsePercent(v); }
                else if (TryAfter(line, "dissimilarity index ", out v)) { dissimilarity = ParsePercent(v); }
                else if (TryAfter(line, "index ", out v)) { (indexOld, indexNew, var mode) = ParseIndex(v); newMode ??= mode; oldMode ??= mode; }
                else if (line.StartsWith("Binary files ", StringComparison.Ordinal) || line.SequenceEqual("GIT binary patch"))
                {
                    binary = true;
                    Consume();
                    SkipBinaryData();
                    break;
                }
                else if (line.StartsWith("--- ", StringComparison.Ordinal))
                {
                    var minus = ParseHeaderPath(line[4..], strip: true);
                    Consume();
                    if (Peek(out var plus) && plus.StartsWith("+++ ", StringComparison.Ordinal))
                    {
                        var plusPath = ParseHeaderPath(plus[4..], strip: true);
                        Consume();
                        oldPath = minus;
                        newPath = plusPath;
                    }
                    else
                    {
                        _problems.Add(new Problem("'---' line without a '+++' line", newPath ?? oldPath, _lineNumber));
                    }

                    break;
                }
                else
                {
                    break;
                }

                Consume();
            }

            if (change == FileChangeKind.Added) { oldPath = null; }
            if (change == FileChangeKind.Deleted) { newPath = null; }

            var hunks = binary ? [] : ReadHunks(newPath ?? oldPath);
            _files.Add(new FilePatch(oldPath, newPath, change, hunks, fileLine, binary, oldMode, newMode,
                similarity, dissimilarity, indexOld, indexNew));
        }

        private void ReadPlainFile()
        {
            Peek(out var minus);
            int fileLine = _lineNumber;
            var oldPath = ParseHeaderPath(minus[4..], strip: true);
            Consume();
            Peek(out var plus);
            var newPath = ParseHeaderPath(plus[4..], strip: true);
            Consume();
            var change = oldPath is null ? FileChangeKind.Added : newPath is null ? FileChangeKind.Deleted : FileChangeKind.Modified;
            var hunks = ReadHunks(newPath ?? oldPath);
            _files.Add(new FilePatch(oldPath, newPath, change, hunks, fileLine));
        }

        /// <summary>Skips a "GIT binary patch" body: everything up to the next file header.</summary>
        private void SkipBinaryData()
        {
            while (Peek(out var line) && !line.StartsWith("diff ", StringComparison.Ordinal))
            {
                Consume();
            }
        }

        private List<Hunk> ReadHunks(string? path)
        {
            var hunks = new List<Hunk>();
            while (Peek(out var line))
            {
                if (line.StartsWith("@@@", StringComparison.Ordinal))
                {
                    _problems.Add(new Problem("combined diff (merge) hunks are not supported", path, _lineNumber) { Skipped = true });
                    Consume();
                    continue;
                }

                if (!line.StartsWith("@@ ", StringComparison.Ordinal))
                {
                    break;
                }

                if (hunks.Count >= _options.MaxHunksPerFile)
                {
                    _problems.Add(new Problem($"more than {_options.MaxHunksPerFile} hunks in one file; the rest is not read", path, _lineNumber) { Skipped = true });
                    SkipToNextFile();
                    break;
                }

                if (!TryParseHunkHeader(line, out int oldStart, out int oldCount, out int newStart, out int newCount, out string section))
                {
                    _problems.Add(new Problem("malformed hunk header", path, _lineNumber));
                    Consume();
                    continue;
                }

                int headerLine = _lineNumber;
                Consume();
                var lines = ReadHunkBody(path, oldStart, oldCount, newStart, newCount, out bool broken);
                hunks.Add(new Hunk(oldStart, oldCount, newStart, newCount, section, lines, headerLine));
                if (broken)
                {
                    // Resynchronise on the next hunk of this file, or the next file.
                    SkipUntil(static l => l.StartsWith("@@", StringComparison.Ordinal));
                }
                else if (Peek(out var next) && LooksLikeStrayHunkLine(next))
                {
                    _problems.Add(new Problem("hunk count mismatch: more lines than the header says", path, _lineNumber));
                }
            }

            return hunks;
        }

        /// <summary>A '+' or '-' line right after a complete hunk, that is not a header or a mail signature.</summary>
        private static bool LooksLikeStrayHunkLine(ReadOnlySpan<char> line) =>
            line.Length > 0
            && (line[0] == '+' && !line.StartsWith("+++ ", StringComparison.Ordinal)
                || line[0] == '-' && !line.StartsWith("--- ", StringComparison.Ordinal) && !line.SequenceEqual("-- ")
                    && !line.SequenceEqual("---") && !line.SequenceEqual("--"));

        private void SkipToNextFile() => SkipUntil(static _ => false);

        private delegate bool LinePredicate(ReadOnlySpan<char> line);

        /// <summary>Consumes lines until one matches <paramref name="stop"/> or starts a new file.</summary>
        private void SkipUntil(LinePredicate stop)
        {
            while (Peek(out var line) && !stop(line) && !line.StartsWith("diff ", StringComparison.Ordinal)
                && !(line.StartsWith("--- ", StringComparison.Ordinal) && IsPlainHeaderAt(_text, _position)))
            {
                Consume();
            }
        }

        private List<DiffLine> ReadHunkBody(string? path, int oldStart, int oldCount, int newStart, int newCount, out bool broken)
        {
            broken = false;
            var lines = new List<DiffLine>(Math.Min(oldCount + newCount, 4096));
            int oldLeft = oldCount, newLeft = newCount;
            int oldLine = oldStart, newLine = newStart;
            while (oldLeft > 0 || newLeft > 0)
            {
                if (!Peek(out var line))
                {
                    _problems.Add(new Problem(
                        $"truncated hunk: {oldLeft} old and {newLeft} new lines missing at end of input", path, _lineNumber));
                    return lines;
                }

                char marker = line.Length == 0 ? ' ' : line[0];
                var body = line.Length == 0 ? ReadOnlySpan<char>.Empty : line[1..];
                if (body.Length > _options.MaxLineLength)
                {
                    _problems.Add(new Problem($"line longer than {_options.MaxLineLength} characters cut", path, _lineNumber));
                    body = body[.._options.MaxLineLength];
                }

                switch (marker)
                {
                    case ' ' when oldLeft > 0 && newLeft > 0:
                        lines.Add(new DiffLine(DiffLineKind.Context, body.ToString(), oldLine++, newLine++, _lineNumber));
                        oldLeft--;
                        newLeft--;
                        break;
                    case '-' when oldLeft > 0:
                        lines.Add(new DiffLine(DiffLineKind.Removed, body.ToString(), oldLine++, 0, _lineNumber));
                        oldLeft--;
                        break;
                    case '+' when newLeft > 0:
                        lines.Add(new DiffLine(DiffLineKind.Added, body.ToString(), 0, newLine++, _lineNumber));
                        newLeft--;
                        break;
                    case '\\':
                        MarkNoNewline(lines);
                        break;
                    default:
                        ReportBadHunkLine(path, line, marker, oldLeft, newLeft);
                        broken = true;
                        return lines;
                }

                Consume();
            }

            // "\ No newline at end of file" may follow the last line.
            if (Peek(out var after) && after.Length > 0 && after[0] == '\\')
            {
                MarkNoNewline(lines);
                Consume();
            }

            return lines;
        }

        private void ReportBadHunkLine(string? path, ReadOnlySpan<char> line, char marker, int oldLeft, int newLeft)
        {
            bool nextSection = line.StartsWith("@@", StringComparison.Ordinal)
                || line.StartsWith("diff ", StringComparison.Ordinal)
                || line.StartsWith("-- ", StringComparison.Ordinal) && line.Length == 3;
            string message = nextSection
                ? $"hunk count mismatch: {oldLeft} old and {newLeft} new lines missing"
                : marker is ' ' or '-' or '+'
                    ? $"hunk count mismatch: more lines than the header says ({oldLeft} old and {newLeft} new left)"
                    : "malformed hunk line (whitespace-damaged patch?): lines must start with ' ', '+' or '-'";
            _problems.Add(new Problem(message, path, _lineNumber));
        }

        private static void MarkNoNewline(List<DiffLine> lines)
        {
            if (lines.Count > 0)
            {
                lines[^1] = lines[^1] with { NoNewlineAtEnd = true };
            }
        }
    }

    private static bool TryAfter(ReadOnlySpan<char> line, string prefix, out ReadOnlySpan<char> value)
    {
        if (line.StartsWith(prefix, StringComparison.Ordinal))
        {
            value = line[prefix.Length..].Trim();
            return true;
        }

        value = default;
        return false;
    }

    private static int? ParsePercent(ReadOnlySpan<char> value) =>
        int.TryParse(value.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;

    /// <summary>"abc123..def456 100644" -> (abc123, def456, 100644).</summary>
    private static (string? Old, string? New, string? Mode) ParseIndex(ReadOnlySpan<char> value)
    {
        int dots = value.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0)
        {
            return (null, null, null);
        }

        var old = value[..dots];
        var rest = value[(dots + 2)..];
        int space = rest.IndexOf(' ');
        var @new = space < 0 ? rest : rest[..space];
        string? mode = space < 0 ? null : rest[(space + 1)..].Trim().ToString();
        return (old.ToString(), @new.ToString(), mode);
    }

    /// <summary>Parses "@@ -a[,b] +c[,d] @@[ section]".</summary>
    internal static bool TryParseHunkHeader(ReadOnlySpan<char> line, out int oldStart, out int oldCount,
        out int newStart, out int newCount, out string section)
    {
        oldStart = oldCount = newStart = newCount = 0;
        section = string.Empty;
        var rest = line[3..];
        if (rest.IsEmpty || rest[0] != '-' || !TryRange(ref rest, out oldStart, out oldCount))
        {
            return false;
        }

        rest = rest.TrimStart(' ');
        if (rest.IsEmpty || rest[0] != '+' || !TryRange(ref rest, out newStart, out newCount))
        {
            return false;
        }

        rest = rest.TrimStart(' ');
        if (!rest.StartsWith("@@", StringComparison.Ordinal))
        {
            return false;
        }

        section = rest[2..].Trim().ToString();
        return true;
    }

    private static bool TryRange(ref ReadOnlySpan<char> rest, out int start, out int count)
    {
        rest = rest[1..];
        count = 1;
        if (!TryNumber(ref rest, out start))
        {
            return false;
        }

        if (!rest.IsEmpty && rest[0] == ',')
        {
            rest = rest[1..];
            return TryNumber(ref rest, out count);
        }

        return true;
    }

    private static bool TryNumber(ref ReadOnlySpan<char> rest, out int value)
    {
        int i = 0;
        while (i < rest.Length && char.IsAsciiDigit(rest[i]))
        {
            i++;
        }

        value = 0;
        if (i == 0 || i > 9 || !int.TryParse(rest[..i], NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        rest = rest[i..];
        return true;
    }

    /// <summary>The two paths of "diff --git a/x b/y", quoted or not; null when they cannot be told apart.</summary>
    internal static (string? Old, string? New) ParseGitHeaderPaths(ReadOnlySpan<char> value)
    {
        if (!value.IsEmpty && value[0] == '"')
        {
            int end = QuotedEnd(value);
            if (end < 0)
            {
                return (null, null);
            }

            var first = Unquote(value[..(end + 1)]);
            var second = value[(end + 1)..].TrimStart(' ');
            return (StripPrefix(first), StripPrefix(Unquote(second)));
        }

        // Unquoted: "a/X b/Y". The common case has X == Y; find the split where both halves match.
        int half = (value.Length - 1) / 2;
        if (value.Length % 2 == 1 && half >= 2 && value[half] == ' ' && value[..half][2..].SequenceEqual(value[(half + 1)..][2..]))
        {
            return (StripPrefix(value[..half].ToString()), StripPrefix(value[(half + 1)..].ToString()));
        }

        int split = value.LastIndexOf(" b/", StringComparison.Ordinal);
        if (split < 0)
        {
            int quote = value.IndexOf(" \"", StringComparison.Ordinal);
            return quote < 0
                ? (null, null)
                : (StripPrefix(value[..quote].ToString()), StripPrefix(Unquote(value[(quote + 1)..])));
        }

        return (StripPrefix(value[..split].ToString()), StripPrefix(value[(split + 1)..].ToString()));
    }

    /// <summary>The path of a "--- " or "+++ " line: unquoted, timestamp dropped, one leading component stripped; null for /dev/null.</summary>
    internal static string? ParseHeaderPath(ReadOnlySpan<char> value, bool strip)
    {
        string path;
        if (!value.IsEmpty && value[0] == '"')
        {
            int end = QuotedEnd(value);
            path = end < 0 ? value.ToString() : Unquote(value[..(end + 1)]) ?? string.Empty;
        }
        else
        {
            int tab = value.IndexOf('\t');
            var raw = tab < 0 ? value : value[..tab];
            path = raw.TrimEnd(' ').ToString();
        }

        if (path == "/dev/null")
        {
            return null;
        }

        return strip ? StripPrefix(path) : path;
    }

    /// <summary>Strips one leading component ("a/", "b/", "linux.orig/"), as patch -p1 does.</summary>
    private static string? StripPrefix(string? path)
    {
        if (path is null || path == "/dev/null")
        {
            return null;
        }

        int slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? path : path[(slash + 1)..];
    }

    private static int QuotedEnd(ReadOnlySpan<char> value)
    {
        for (int i = 1; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                i++;
            }
            else if (value[i] == '"')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Decodes a C-style quoted path as git writes it (\t \n \" \\ and octal bytes in UTF-8).</summary>
    internal static string? Unquote(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value.ToString();
        }

        var bytes = new List<byte>(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 1; i < value.Length - 1; i++)
        {
            char c = value[i];
            if (c != '\\' || i + 1 >= value.Length - 1)
            {
                int n = Encoding.UTF8.GetBytes([c], utf8);
                for (int k = 0; k < n; k++)
                {
                    bytes.Add(utf8[k]);
                }

                continue;
            }

            char e = value[++i];
            if (e is >= '0' and <= '7')
            {
                int v = 0, digits = 0;
                while (digits < 3 && i < value.Length - 1 && value[i] is >= '0' and <= '7')
                {
                    v = (v * 8) + (value[i] - '0');
                    i++;
                    digits++;
                }

                i--;
                bytes.Add((byte)v);
                continue;
            }

            bytes.Add(e switch
            {
                'a' => 7,
                'b' => 8,
                't' => 9,
                'n' => 10,
                'v' => 11,
                'f' => 12,
                'r' => 13,
                _ => (byte)e,
            });
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
