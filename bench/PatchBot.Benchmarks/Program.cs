using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using MimeKit;
using PatchBot.PatchParser.C;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules;
using PatchBot.Rules.Model;
using PatchBot.Tests.Support;

namespace PatchBot.Benchmarks;

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>What the benchmarks read: the repository's corpus and the kernel tree (found from the binaries).</summary>
internal static class Inputs
{
    public static string Cases => RepoPaths.CorpusCases;

    /// <summary>drivers/pci/quirks.c of the kernel tree (PATCHBOT_KERNEL_TREE or .cache/linux-source-6.12), else the fixture's.</summary>
    public static string Quirks
    {
        get
        {
            string real = Path.Combine(RepoPaths.KernelTree, "drivers", "pci", "quirks.c");
            return File.Exists(real) ? real : Path.Combine(RepoPaths.Fixtures, "tree", "drivers", "pci", "quirks.c");
        }
    }
}

/// <summary>The diff reader on the diffs of the corpus mails (decoded bodies, from "diff --git" on).</summary>
[MemoryDiagnoser]
public class DiffReaderBenchmarks
{
    private string[] _diffs = [];

    [GlobalSetup]
    public void Setup()
    {
        _diffs = [.. Directory.GetFiles(Inputs.Cases, "*.eml").Order(StringComparer.Ordinal)
            .Select(f => MimeMessage.Load(f).TextBody ?? string.Empty)
            .Select(t => t.IndexOf("diff --git", StringComparison.Ordinal) is int i and >= 0 ? t[i..] : string.Empty)
            .Where(t => t.Length > 0)];
    }

    [Benchmark(Description = "DiffReader.Read, every corpus diff")]
    public int ReadAll()
    {
        int hunks = 0;
        foreach (string diff in _diffs)
        {
            hunks += DiffReader.Read(diff).HunkCount;
        }

        return hunks;
    }
}

/// <summary>The C tokenizer on drivers/pci/quirks.c: tokens/s is the file's token count over the mean time.</summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private string _text = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _text = File.ReadAllText(Inputs.Quirks);
        Console.WriteLine($"// quirks.c: {_text.Length} chars, {Tokenize()} tokens");
    }

    [Benchmark(Description = "CTokenizer over quirks.c")]
    public int Tokenize()
    {
        var reader = new CTokenizer(_text, new CTokenizerOptions { MaxTokens = int.MaxValue });
        int n = 0;
        while (reader.Read())
        {
            n++;
        }

        return n;
    }
}

/// <summary>The analysis of the first corpus case (in name order) in which the rules find something on the patch
/// alone: the call graph, then the rules' lifecycle replay over it.</summary>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    private List<GraphInput> _inputs = [];
    private CallGraph? _graph;

    [GlobalSetup]
    public void Setup()
    {
        foreach (string path in Directory.GetFiles(Inputs.Cases, "*.eml").Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(path);
            var item = MailReader.Read(stream, path).First();
            var files = item.Patches.SelectMany(p => p.Diff.Files).Where(f => !f.IsBinary && f.Path.EndsWith(".c", StringComparison.Ordinal)).ToList();
            _inputs = [new GraphInput(item.MessageId ?? "case", files)];
            _graph = CallGraphBuilder.Build(_inputs, IdiomModel.Default.Table);
            int findings = Analyzer.Analyze(_graph, _inputs).Findings.Count;
            if (findings > 0)
            {
                Console.WriteLine($"// {Path.GetFileName(path)}: {findings} findings");
                return;
            }
        }
    }

    [Benchmark(Description = "Analyzer.Analyze (replay), first case with a finding")]
    public int Replay() => Analyzer.Analyze(_graph!, _inputs).Findings.Count;

    [Benchmark(Description = "CallGraphBuilder.Build + Analyzer.Analyze, same case")]
    public int GraphAndReplay() => Analyzer.Analyze(CallGraphBuilder.Build(_inputs, IdiomModel.Default.Table), _inputs).Findings.Count;
}
