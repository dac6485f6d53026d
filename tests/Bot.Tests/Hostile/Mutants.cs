using System.Text;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary>One hostile input: a corpus message changed by one or more mutations, with a name that says how.</summary>
internal sealed record Mutant(string Name, byte[] Bytes, bool Huge = false);

/// <summary>
/// Makes mutants of the corpus messages, deterministically (fixed seed): truncations, bit flips, duplicated and missing
/// headers, broken MIME boundaries, NUL bytes, invalid UTF-8, wrong charsets and transfer encodings, garbled hunk
/// headers, dropped and repeated lines; plus a few huge ones (10 MB lines, 10,000-deep MIME and C nesting).
/// </summary>
internal static class Mutants
{
    private static readonly string[] Charsets = ["utf-16", "utf-32", "x-no-such-charset", "iso-2022-jp", "shift_jis", "utf-7", "", "\"", "us-ascii; charset=koi8-r"];

    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xF0, 0x28, 0x8C, 0xBC], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xEF, 0xBB, 0xBF],
    ];

    private delegate byte[] Mutation(byte[] input, Random random);

    private static readonly (string Name, Mutation Apply)[] Mutations =
    [
        ("truncate", (b, r) => b[..r.Next(b.Length)]),
        ("bitflip", BitFlips),
        ("dup-header", DuplicateHeader),
        ("drop-header", DropHeader),
        ("boundary", BreakBoundary),
        ("nul", (b, r) => InsertAt(b, r, [0], r.Next(1, 20))),
        ("bad-utf8", (b, r) => InsertAt(b, r, BadUtf8[r.Next(BadUtf8.Length)], r.Next(1, 20))),
        ("charset", WrongCharset),
        ("encoding", WrongEncoding),
        ("hunk-numbers", GarbleHunkHeaders),
        ("drop-lines", DropLines),
        ("repeat-lines", RepeatLines),
        ("crlf-mix", (b, r) => Lines(b, lines => lines.Select(l => r.Next(3) == 0 ? l + "\r" : r.Next(20) == 0 ? l + "\r\r" : l).ToList())),
        ("from-lines", (b, r) => Lines(b, lines => { lines.Insert(r.Next(lines.Count), "From nobody Mon Jan  1 00:00:00 2024"); return lines; })),
    ];

    /// <summary><paramref name="perCase"/> mutants of each corpus message, one or two mutations each.</summary>
    public static IEnumerable<Mutant> Of(IReadOnlyList<(string Name, byte[] Bytes)> cases, int perCase, int seed = 8)
    {
        var random = new Random(seed);
        foreach (var (name, bytes) in cases)
        {
            for (int i = 0; i < perCase; i++)
            {
                var first = Mutations[i % Mutations.Length];
                byte[] mutated = first.Apply(bytes, random);
                string label = first.Name;
                if (i >= Mutations.Length && random.Next(2) == 0)
                {
                    var second = Mutations[random.Next(Mutations.Length)];
                    mutated = second.Apply(mutated, random);
                    label += "+" + second.Name;
                }

                yield return new Mutant($"{name}#{i}:{label}", mutated);
            }
        }
    }

    /// <summary>The huge ones: 10 MB lines in the body, a hunk and a header; 10,000-deep MIME; 10,000-deep C braces and parentheses.</summary>
    public static IEnumerable<Mutant> Huge(byte[] patchMail)
    {
        string text = Encoding.Latin1.GetString(patchMail);
        string tenMb = new('x', 10 * 1024 * 1024);
        int hunk = text.IndexOf("\n+", StringComparison.Ordinal);
        int body = text.IndexOf("\n\n", StringComparison.Ordinal);
        yield return new Mutant("huge:10MB-body-line", Latin1(text.Insert(body + 2, tenMb + "\n")), Huge: true);
        yield return new Mutant("huge:10MB-hunk-line", Latin1(text.Insert(hunk + 2, tenMb)), Huge: true);
        yield return new Mutant("huge:10MB-header", Latin1("X-Long: " + tenMb + "\n" + text), Huge: true);
        yield return new Mutant("huge:10MB-no-newline", Latin1(text + tenMb), Huge: true);

        var mime = new StringBuilder("From: a@b.c\nSubject: [PATCH] deep\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n");
        for (int i = 0; i < 10_000; i++)
        {
            mime.Append($"--b{i}\nContent-Type: multipart/mixed; boundary=\"b{i + 1}\"\n\n");
        }

        mime.Append("--b10000\nContent-Type: text/plain\n\n").Append(text[(body + 2)..]);
        yield return new Mutant("huge:mime-10000-deep", Latin1(mime.ToString()), Huge: true);

        yield return new Mutant("huge:c-braces-10000-deep", Latin1(text.Insert(hunk + 2, new string('{', 10_000) + "pci_add_dma_alias(dev, 0, 1);" + new string('}', 10_000))), Huge: true);
        yield return new Mutant("huge:c-initialiser-10000-deep", Latin1(text.Insert(hunk + 2, "static struct pci_driver d = " + new string('{', 10_000))), Huge: true);
        yield return new Mutant("huge:c-parens-10000-deep", Latin1(text.Insert(hunk + 2, new string('(', 10_000))), Huge: true);
        string manyHunks = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"@@ -{i} +{i} @@\n+a{i}();\n"));
        yield return new Mutant("huge:20000-hunks", Latin1(text.Insert(hunk + 1, manyHunks)), Huge: true);
    }

    private static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    private static byte[] BitFlips(byte[] b, Random r)
    {
        var copy = (byte[])b.Clone();
        for (int i = r.Next(1, 9); i > 0 && copy.Length > 0; i--)
        {
            copy[r.Next(copy.Length)] ^= (byte)(1 << r.Next(8));
        }

        return copy;
    }

    private static byte[] InsertAt(byte[] b, Random r, byte[] what, int times)
    {
        var list = new List<byte>(b);
        for (int i = 0; i < times; i++)
        {
            list.InsertRange(r.Next(list.Count + 1), what);
        }

        return [.. list];
    }

    /// <summary>Works on lines as Latin-1 text, so every byte survives the round trip.</summary>
    private static byte[] Lines(byte[] b, Func<List<string>, List<string>> change) =>
        Latin1(string.Join('\n', change(Encoding.Latin1.GetString(b).Split('\n').ToList())));

    private static int HeaderEnd(List<string> lines)
    {
        int end = lines.FindIndex(l => l.Length == 0 || l == "\r");
        return end < 0 ? lines.Count : end;
    }

    private static byte[] DuplicateHeader(byte[] b, Random r) => Lines(b, lines =>
    {
        int end = HeaderEnd(lines);
        if (end == 0)
        {
            return lines;
        }

        int at = r.Next(end);
        int times = r.Next(1, 50);
        lines.InsertRange(at, Enumerable.Repeat(lines[at], times));
        return lines;
    });

    private static byte[] DropHeader(byte[] b, Random r) => Lines(b, lines =>
    {
        int end = HeaderEnd(lines);
        if (end > 0)
        {
            string[] keys = ["Subject:", "From:", "Message-ID:", "Content-Type:", "Date:", "MIME-Version:"];
            string key = keys[r.Next(keys.Length)];
            int at = lines.FindIndex(0, end, l => l.StartsWith(key, StringComparison.OrdinalIgnoreCase));
            lines.RemoveAt(at >= 0 ? at : r.Next(end));
        }

        return lines;
    });

    private static byte[] BreakBoundary(byte[] b, Random r) => Lines(b, lines =>
    {
        int end = HeaderEnd(lines);
        int ct = lines.FindIndex(0, end, l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase));
        string boundary = r.Next(3) switch { 0 => "", 1 => "zz", _ => new string('-', r.Next(1, 200)) };
        string header = $"Content-Type: multipart/mixed; boundary=\"{boundary}\"";
        if (ct >= 0)
        {
            lines[ct] = header;
        }
        else
        {
            lines.Insert(Math.Min(end, lines.Count), header);
        }

        for (int i = r.Next(0, 6); i > 0; i--)
        {
            lines.Insert(r.Next(end, lines.Count + 1), r.Next(2) == 0 ? $"--{boundary}" : $"--{boundary}--");
        }

        return lines;
    });

    private static byte[] WrongCharset(byte[] b, Random r) => Lines(b, lines =>
    {
        int end = HeaderEnd(lines);
        lines.RemoveAll(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase));
        lines.Insert(Math.Min(end, lines.Count) > 0 ? 1 : 0, $"Content-Type: text/plain; charset={Charsets[r.Next(Charsets.Length)]}");
        return lines;
    });

    private static byte[] WrongEncoding(byte[] b, Random r) => Lines(b, lines =>
    {
        lines.RemoveAll(l => l.StartsWith("Content-Transfer-Encoding:", StringComparison.OrdinalIgnoreCase));
        string[] encodings = ["base64", "quoted-printable", "x-uuencode", "8bit", "binary", "bogus"];
        lines.Insert(lines.Count > 0 ? 1 : 0, $"Content-Transfer-Encoding: {encodings[r.Next(encodings.Length)]}");
        return lines;
    });

    private static byte[] GarbleHunkHeaders(byte[] b, Random r) => Lines(b, lines =>
    {
        string[] numbers = ["0", "-1", "99999999999", "2147483647", "2147483648", "", "1,", ",1", "1,-5"];
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].StartsWith("@@", StringComparison.Ordinal) && r.Next(2) == 0)
            {
                lines[i] = $"@@ -{numbers[r.Next(numbers.Length)]},{numbers[r.Next(numbers.Length)]} +{numbers[r.Next(numbers.Length)]},{numbers[r.Next(numbers.Length)]} @@";
            }
        }

        return lines;
    });

    private static byte[] DropLines(byte[] b, Random r) => Lines(b, lines =>
    {
        int at = r.Next(lines.Count);
        lines.RemoveRange(at, Math.Min(lines.Count - at, r.Next(1, 30)));
        return lines;
    });

    private static byte[] RepeatLines(byte[] b, Random r) => Lines(b, lines =>
    {
        int at = r.Next(lines.Count);
        var range = lines.GetRange(at, Math.Min(lines.Count - at, r.Next(1, 30)));
        for (int i = r.Next(1, 20); i > 0; i--)
        {
            lines.InsertRange(at, range);
        }

        return lines;
    });
}
