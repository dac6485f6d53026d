using System.Text;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Mail;

namespace PatchBot.Fuzz;

/// <summary>
/// Builds the seed corpora from the labelled corpus: every case message (mail), the diff text of each (diff), and
/// for each C file of each patch its post-image and its hunks with their ' '/'+'/'-' markers (c); every case message
/// and, on the smallest patch, the shapes serve's intake filters and reply addressing decide on (reply).
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
        string replyDir = Directory.CreateDirectory(Path.Combine(outDir, "reply")).FullName;
        int count = 0;
        byte[]? smallestPatch = null;
        foreach (string eml in Directory.EnumerateFiles(casesDir, "*.eml").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(eml);
            byte[] bytes = File.ReadAllBytes(eml);
            count += Save(mailDir, name, bytes);
            count += Save(replyDir, name, bytes);

            string text = Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal);
            int start = DiffReader.FindDiffStart(text);
            if (start >= 0)
            {
                if (smallestPatch is null || bytes.Length < smallestPatch.Length)
                {
                    smallestPatch = bytes;
                }

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

        if (smallestPatch is not null)
        {
            foreach (var (name, headers) in IntakeShapes())
            {
                count += Save(replyDir, "intake-" + name, [.. Encoding.UTF8.GetBytes(headers), .. smallestPatch]);
            }
        }

        return count;
    }

    /// <summary>Headers put in front of a patch's own: each a case the never-answer filters or the reply's addressing
    /// decide on (MIME keeps the first From, Reply-To, Cc of a message, so these win over the patch's).</summary>
    private static IEnumerable<(string Name, string Headers)> IntakeShapes()
    {
        static string Many(string prefix, int n) => string.Join(", ", Enumerable.Range(1, n).Select(i => $"{prefix}{i}@example.org"));
        yield return ("bounce", "From: MAILER-DAEMON@mail.example.org\nReturn-Path: <>\n");
        yield return ("list-owner", "From: linux-pci-owner@vger.kernel.org\n");
        yield return ("verp-bounces", "From: linux-pci-bounces+dev=example.org@vger.kernel.org\n");
        yield return ("precedence-bulk", "Precedence: bulk\n");
        yield return ("precedence-list-with-list-id", "Precedence: list\nList-Id: <linux-pci.vger.kernel.org>\n");
        yield return ("list-itself", "From: linux-pci@vger.kernel.org\nList-Id: <linux-pci.vger.kernel.org>\n");
        yield return ("auto-submitted", "Auto-Submitted: auto-generated\n");
        yield return ("own-mail", "From: PatchBot <patchbot@example.org>\nX-PatchBot: 0.1.0\n");
        yield return ("robot", "From: kernel test robot <lkp@intel.com>\n");
        yield return ("reply-to-one", "Reply-To: Dev <dev@example.org>\nTo: linux-pci@vger.kernel.org\n");
        yield return ("reply-to-many", $"Reply-To: {Many("r", 40)}\nTo: linux-pci@vger.kernel.org\n");
        yield return ("cc-many", $"To: linux-pci@vger.kernel.org\nCc: {Many("c", 40)}, MAILER-DAEMON@example.org, x-request@example.org\n");
        yield return ("references-many", $"To: linux-pci@vger.kernel.org\nReferences: {string.Join(' ', Enumerable.Range(1, 60).Select(i => $"<r{i}@example.org>"))}\n");
        yield return ("list-id-forged", "To: someone@example.org\nList-Id: <linux-pci.vger.kernel.org>\n");
        yield return ("subject-control", "Subject: [PATCH] x\u001b[31m\r\nBcc: victim@example.org\n");
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
