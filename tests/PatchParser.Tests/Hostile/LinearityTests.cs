using System.Text;
using PatchBot.PatchParser.C;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules;
using PatchBot.Rules.Model;
using static PatchBot.PatchParser.Tests.Mail.MailTestKit;

namespace PatchBot.PatchParser.Tests.Hostile;

/// <summary>Timing tests run alone, not beside the other test classes.</summary>
[CollectionDefinition(nameof(TimingTests), DisableParallelization = true)]
public sealed class TimingTests;

/// <summary>Every parser is linear in its input: the same shape at x1, x10 and x100 (see <see cref="Scaling"/>).</summary>
[Collection(nameof(TimingTests))]
public class LinearityTests
{
    private static string Repeat(int count, Func<int, string> piece)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Append(piece(i));
        }

        return sb.ToString();
    }

    private static string FileDiff(int i, int hunks, int linesPerHunk) =>
        $"diff --git a/drivers/pci/f{i}.c b/drivers/pci/f{i}.c\nindex 1111111..2222222 100644\n--- a/drivers/pci/f{i}.c\n+++ b/drivers/pci/f{i}.c\n"
        + Repeat(hunks, h => $"@@ -{(h * 100) + 1},{linesPerHunk + 1} +{(h * 100) + 1},{linesPerHunk + 1} @@ static int f{h}(void)\n context {h}\n"
            + Repeat(linesPerHunk, l => l % 2 == 0 ? $"+\tfoo_{l}(dev, {h});\n" : $"-\tbar_{l}(dev, {h});\n"));

    private static long Lines(ParsedDiff diff) => diff.Files.Sum(f => f.Hunks.Sum(h => (long)h.Lines.Count));

    private static long Size(string s) => s.Length;

    private static long Size(byte[] b) => b.Length;

    private static long ReadMail(byte[] bytes, MailOptions? options = null)
    {
        using var stream = new MemoryStream(bytes);
        long work = 0;
        foreach (var item in MailReader.Read(stream, "scale", options))
        {
            work += 1 + item.Patches.Sum(p => p.Diff.Files.Sum(f => f.Hunks.Sum(h => (long)h.Lines.Count)) + p.Trailers.Count + p.CommitMessage.Length);
        }

        return work;
    }

    [Fact]
    public void Diff_reader_is_linear_in_files() =>
        Scaling.AssertLinear(s => Repeat(20 * s, i => FileDiff(i, 1, 4)), Size, t => Lines(DiffReader.Read(t)));

    [Fact]
    public void Diff_reader_is_linear_in_hunks() =>
        Scaling.AssertLinear(s => FileDiff(0, 40 * s, 3), Size, t => Lines(DiffReader.Read(t, new DiffReaderOptions { MaxHunksPerFile = int.MaxValue })));

    [Fact]
    public void Diff_reader_is_linear_in_hunk_lines() =>
        Scaling.AssertLinear(s => FileDiff(0, 1, 200 * s), Size, t => Lines(DiffReader.Read(t)));

    [Fact]
    public void Diff_reader_is_linear_in_line_length() =>
        Scaling.AssertLinear(s => $"--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+{new string('x', 20_000 * s)}\n",
            Size, t => DiffReader.Read(t, new DiffReaderOptions { MaxLineLength = int.MaxValue }).Files[0].Hunks[0].Lines[1].Text.Length);

    [Fact]
    public void Diff_start_search_is_linear() =>
        Scaling.AssertLinear(s => Repeat(500 * s, i => i % 3 == 0 ? "--- not a header\n" : $"diff line {i}\n") + FileDiff(0, 1, 1),
            Size, t => DiffReader.FindDiffStart(t));

    [Fact]
    public void Mbox_is_linear_in_messages() =>
        Scaling.AssertLinear(
            s => Encoding.UTF8.GetBytes(Repeat(10 * s, i => $"From jane@example.org Mon Nov 21 17:40:37 2022\n"
                + Message($"[PATCH] PCI: part {i}", Body).Replace("<1@example.org>", $"<{i}@example.org>", StringComparison.Ordinal) + "\n")),
            Size, b => ReadMail(b));

    [Fact]
    public void Message_is_linear_in_body_lines() =>
        Scaling.AssertLinear(
            s => Encoding.UTF8.GetBytes(Message("[PATCH] PCI: long", Repeat(300 * s, i => $"Line {i} of a long commit message.\n")
                + Repeat(50 * s, i => $"Reviewed-by: Person {i} <p{i}@example.org>\n") + "---\n" + FileDiff(0, 1, 100 * s))),
            Size, b => ReadMail(b));

    [Fact]
    public void Message_is_linear_in_one_long_line() =>
        Scaling.AssertLinear(
            s => Encoding.UTF8.GetBytes(Message("[PATCH] PCI: long line", new string('y', 50_000 * s) + "\n\nSigned-off-by: A <a@b.c>\n---\n" + QuirkDiff)),
            Size, b => ReadMail(b));

    [Fact]
    public void Message_is_linear_in_mime_parts()
    {
        var options = new MailOptions { MaxMimeParts = int.MaxValue };
        Scaling.AssertLinear(
            s => Encoding.UTF8.GetBytes(Message("[PATCH] PCI: parts",
                Repeat(10 * s, i => $"--b\nContent-Type: text/x-patch; name=\"p{i}.patch\"\nContent-Disposition: attachment; filename=\"p{i}.patch\"\n\n{FileDiff(i, 1, 2)}\n")
                + "--b--\n", contentType: "multipart/mixed; boundary=\"b\"")),
            Size, b => ReadMail(b, options with { MaxPatchesPerMessage = int.MaxValue }));
    }

    [Fact]
    public void Message_is_linear_in_mime_nesting() =>
        Scaling.AssertLinear(
            s => Encoding.UTF8.GetBytes(Message("[PATCH] PCI: deep",
                Repeat(20 * s, i => $"--b{i}\nContent-Type: multipart/mixed; boundary=\"b{i + 1}\"\n\n") + $"--b{20 * s}\nContent-Type: text/plain\n\n{Body}\n",
                contentType: "multipart/mixed; boundary=\"b0\"")),
            Size, b => ReadMail(b) + b.Length);

    [Fact]
    public void Subject_parser_is_linear() =>
        Scaling.AssertLinear(s => Repeat(100 * s, i => $"[PATCH v{i + 1} {i % 7}/9] ") + "PCI: x", Size, t => SubjectParser.Parse(t).Title.Length + t.Length);

    [Fact]
    public void Tokenizer_is_linear()
    {
        static long Count(string text)
        {
            var reader = new CTokenizer(text);
            long n = 0;
            while (reader.Read())
            {
                n++;
            }

            return n;
        }

        Scaling.AssertLinear(s => Repeat(100 * s, i => $"static int f{i}(struct pci_dev *pdev)\n{{\n\t/* c */ return g{i}(pdev, \"s\\n\", 'c', 0x{i:x}) + 1.5e3;\n}}\n#define M{i}(x) \\\n\t(x)\n"),
            Size, Count);
    }

    private static readonly Func<string, long> Graph = text =>
    {
        var file = new FilePatch(null, "drivers/pci/scale.c", FileChangeKind.Added,
            [new Hunk(0, 0, 1, 0, string.Empty, text.Split('\n').Select((l, i) => new DiffLine(DiffLineKind.Added, l, 0, i + 1, i + 1)).ToList(), 1)], 1);
        GraphInput[] inputs = [new GraphInput("scale", [file])];
        var graph = CallGraphBuilder.Build(inputs, IdiomModel.Default.Table);
        var result = Analyzer.Analyze(graph, inputs);
        return graph.Functions.Count + graph.Calls.Count + graph.Registrations.Count + result.Findings.Count + result.Notes.Count;
    };

    [Fact]
    public void Graph_and_replay_are_linear_in_call_chains() =>
        Scaling.AssertLinear(s => Repeat(50 * s, i => $"static void helper{i}(struct pci_dev *pdev)\n{{\n\tpci_add_dma_alias(pdev, PCI_DEVFN(0, 1), 1);\n}}\n"
            + $"static int probe{i}(struct pci_dev *pdev, const struct pci_device_id *id)\n{{\n\thelper{i}(pdev);\n\treturn 0;\n}}\n"),
            Size, Graph);

    [Fact]
    public void Graph_is_linear_in_notifier_blocks() =>
        Scaling.AssertLinear(s => Repeat(50 * s, i => $"static int n{i}(struct notifier_block *nb, unsigned long action, void *data)\n{{\n\treturn 0;\n}}\n"
            + $"static struct notifier_block nb{i} = {{\n\t.notifier_call = n{i},\n}};\n"
            + $"static int __init init{i}(void)\n{{\n\treturn bus_register_notifier(&pci_bus_type, &nb{i});\n}}\n"),
            Size, Graph);

    [Fact]
    public void Graph_is_linear_in_driver_structs() =>
        Scaling.AssertLinear(s => Repeat(50 * s, i => $"static int p{i}(struct pci_dev *pdev, const struct pci_device_id *id)\n{{\n\tpci_add_dma_alias(pdev, 0, 1);\n\treturn 0;\n}}\n"
            + $"static struct pci_driver d{i} = {{\n\t.name = \"d{i}\",\n\t.probe = p{i},\n}};\n"),
            Size, Graph);

    /// <summary><c>a0 = a1 = ... = 0;</c>: every '=' used to scan the statement from its start for the declarator and
    /// to its end for the value (a 20,000-long chain took 24 s); each now continues where the previous '=' stopped.</summary>
    [Fact]
    public void Graph_and_replay_are_linear_in_assignment_chains()
    {
        var measures = Scaling.AssertLinear(
            s => "static int f(struct pci_dev *pdev)\n{\n\t" + string.Join(" = ", Enumerable.Range(0, 500 * s).Select(i => $"a{i}")) + " = 0;\n\treturn 0;\n}\n",
            Size, t =>
            {
                // The walker alone, on chains long enough (5,000 and 50,000) that a quadratic scan shows above the linear
                // cost of the texts: the replay's linear cost would hide it.
                var file = new FilePatch(null, "drivers/pci/chain.c", FileChangeKind.Added,
                    [new Hunk(0, 0, 1, 0, string.Empty, t.Split('\n').Select((l, i) => new DiffLine(DiffLineKind.Added, l, 0, i + 1, i + 1)).ToList(), 1)], 1);
                return CallGraphBuilder.Build([new GraphInput("chain", [file])], IdiomModel.Default.Table).Assignments.Count;
            });
        Assert.Equal(3, measures.Count);
    }

    [Fact]
    public void Assignment_chain_records_each_link_with_its_neighbours()
    {
        var graph = CallGraphBuilder.Build([new GraphInput("chain", [new FilePatch(null, "drivers/pci/chain.c", FileChangeKind.Added,
            [new Hunk(0, 0, 1, 4, string.Empty, [
                new DiffLine(DiffLineKind.Added, "static void f(int *p)", 0, 1, 1),
                new DiffLine(DiffLineKind.Added, "{ int x = y = p[i = 1] = z, w = v = 2;", 0, 2, 2),
                new DiffLine(DiffLineKind.Added, "  a = f(b, c) = g[1, 2] = h += k(l = m, n) = o; }", 0, 3, 3),
            ], 1)], 1)])], IdiomModel.Default.Table);

        // Exactly what the scans found before they resumed along a chain (checked against the earlier walker): each '='
        // with its target and value, across brackets, a comma between declarators, a compound operator.
        Assert.Equal(
            "[x] = [y = p[i = 1] = z] | [y] = [p[i = 1] = z] | [i] = [1] = z] | [p] = [z] | [w] = [v = 2] | [v] = [2]"
            + " | [a] = [f(b, c) = g[1, 2] = h += k(l = m, n) = o] | [a = f(b, c)] = [g[1, 2] = h += k(l = m, n) = o]"
            + " | [a = f(b, c) = g[1, 2]] = [h += k(l = m, n) = o] | [a = f(b, c) = g[1, 2] = h] += [k(l = m, n) = o]"
            + " | [a = f(b, c) = g[1, 2] = h += k(l = m, n)] = [o]",
            string.Join(" | ", graph.Assignments.Select(a => $"[{a.Target}] {a.Operator} [{a.Value}]")));
    }

    [Fact]
    public void Graph_is_linear_in_nested_initialisers() =>
        Scaling.AssertLinear(s => "static struct pci_driver d = " + new string('{', 1000 * s) + ".probe = p" + new string('}', 1000 * s) + ";\n",
            Size, t => Graph(t) + t.Length);

    [Fact]
    public void Series_assembler_is_linear_in_parts()
    {
        var template = ReadOne(Message("[PATCH 1/2] PCI: x", Body));
        Scaling.AssertLinear(
            s => Enumerable.Range(0, 100 * s).Select(i => template with
            {
                MessageId = $"{i}@x",
                InReplyTo = i == 0 ? null : "0@x",
                PatchSubject = template.PatchSubject with { Index = (i % 2) + 1, Total = 2, Version = (i / 2) + 1 },
            }).ToList(),
            l => l.Count, l => new SeriesAssembler().Assemble(l).Count);
    }
}
