using System.Text;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Mail;

namespace PatchBot.Fuzz;

/// <summary>
/// Builds the seed corpora from the labelled corpus: every case message (mail), the diff text of each (diff), and
/// for each C file of each patch its post-image and its hunks with their ' '/'+'/'-' markers (c).
/// Seeds over 64 KB are left out (AFL works best on small inputs).
/// </summary>
internal static class Seeds
{
    private const int MaxSeed = 64 * 1024;

    public static int Write(string casesDir, string outDir)
    {
        string mailDir = Directory.CreateDirectory(Path.Combine(outDir, "mail")).FullName;
        string diffDir = Directory.CreateDirectory(Path.Combine(outDir, "diff")).FullName;
        string cDir = Directory.CreateDirectory(Path.Combine(outDir, "c")).FullName;
        int count = 0;
        foreach (string eml in Directory.EnumerateFiles(casesDir, "*.eml").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(eml);
            byte[] bytes = File.ReadAllBytes(eml);
            count += Save(mailDir, name, bytes);

            string text = Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal);
            int start = DiffReader.FindDiffStart(text);
            if (start >= 0)
            {
                count += Save(diffDir, name, Encoding.UTF8.GetBytes(text[start..]));
            }

            using var stream = new MemoryStream(bytes);
            int file = 0;
            foreach (var item in MailReader.Read(stream, eml))
            {
                foreach (var patch in item.Patches)
                {
                    foreach (var f in patch.Diff.Files.Where(f => f.Path.EndsWith(".c", StringComparison.Ordinal) || f.Path.EndsWith(".h", StringComparison.Ordinal)))
                    {
                        file++;
                        var post = new StringBuilder();
                        var hunks = new StringBuilder();
                        foreach (var line in f.Hunks.SelectMany(h => h.Lines))
                        {
                            if (line.Kind != DiffLineKind.Removed)
                            {
                                post.Append(line.Text).Append('\n');
                            }

                            hunks.Append(line.Kind switch { DiffLineKind.Added => '+', DiffLineKind.Removed => '-', _ => ' ' })
                                .Append(line.Text).Append('\n');
                        }

                        count += Save(cDir, $"{name}-{file}-post", Encoding.UTF8.GetBytes(post.ToString()));
                        count += Save(cDir, $"{name}-{file}-hunks", Encoding.UTF8.GetBytes(hunks.ToString()));
                    }
                }
            }
        }

        return count;
    }

    private static int Save(string dir, string name, byte[] bytes)
    {
        if (bytes.Length == 0 || bytes.Length > MaxSeed)
        {
            return 0;
        }

        File.WriteAllBytes(Path.Combine(dir, name), bytes);
        return 1;
    }
}
