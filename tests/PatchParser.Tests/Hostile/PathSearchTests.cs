using System.Diagnostics;
using System.Text;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules;
using PatchBot.Rules.Model;

namespace PatchBot.PatchParser.Tests.Hostile;

/// <summary>Call path searches stay fast on graphs with exponentially many paths that never reach their goal.</summary>
public class PathSearchTests
{
    /// <summary>Levels of three functions, each calling all three of the level below; level 0 calls <paramref name="bottom"/>.</summary>
    private static FilePatch Ladder(int levels, string bottom, string? probeCalls, string file = "drivers/x.c")
    {
        var text = new StringBuilder();
        for (int i = 0; i < levels; i++)
        {
            foreach (char n in "abc")
            {
                text.Append($"static void {n}{i}(struct pci_dev *pdev)\n{{\n");
                text.Append(i == 0 ? $"\t{bottom}(pdev, 0, 1);\n" : $"\ta{i - 1}(pdev);\n\tb{i - 1}(pdev);\n\tc{i - 1}(pdev);\n");
                text.Append("}\n");
            }
        }

        if (probeCalls is not null)
        {
            text.Append($"static int x_probe(struct pci_dev *pdev, const struct pci_device_id *id)\n{{\n\t{probeCalls}(pdev);\n\treturn 0;\n}}\n");
        }

        var lines = text.ToString().TrimEnd('\n').Split('\n').Select((l, i) => new DiffLine(DiffLineKind.Added, l, 0, i + 1, i + 1)).ToList();
        return new FilePatch(null, file, FileChangeKind.Added, [new Hunk(0, 0, 1, lines.Count, "", lines, 1)], 1);
    }

    private static void Fast(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
    }

    [Fact]
    public void Replay_of_an_effect_with_no_entry_point_above_is_fast()
    {
        GraphInput[] inputs = [new GraphInput("o", [Ladder(20, "pci_add_dma_alias", probeCalls: null)])];
        var graph = CallGraphBuilder.Build(inputs, IdiomModel.Default.Table);
        Fast(() => Assert.Empty(Analyzer.Analyze(graph, inputs).Findings));
    }

    [Fact]
    public void Replay_of_an_effect_under_a_deep_ladder_is_fast_and_still_found_when_near()
    {
        GraphInput[] far = [new GraphInput("o", [Ladder(30, "pci_add_dma_alias", probeCalls: "a29")])];
        Fast(() => Analyzer.Analyze(CallGraphBuilder.Build(far, IdiomModel.Default.Table), far));
        GraphInput[] near = [new GraphInput("o", [Ladder(8, "pci_add_dma_alias", probeCalls: "a7")])];
        var result = Analyzer.Analyze(CallGraphBuilder.Build(near, IdiomModel.Default.Table), near);
        Assert.NotEmpty(result.Findings);
    }

    [Fact]
    public void Paths_to_a_function_no_entry_reaches_are_found_fast()
    {
        var graph = CallGraphBuilder.Build([new GraphInput("o", [Ladder(30, "other_function", probeCalls: "a29")])], IdiomModel.Default.Table);
        var gaps = new List<CoverageGap>();
        Fast(() => Assert.Empty(graph.PathsTo("pci_add_dma_alias", "drivers/x.c", gaps)));
        Assert.Empty(gaps);
    }

    [Fact]
    public void Paths_to_a_reachable_function_are_cut_at_the_limit_fast()
    {
        var graph = CallGraphBuilder.Build([new GraphInput("o", [Ladder(12, "pci_add_dma_alias", probeCalls: "a11")])], IdiomModel.Default.Table);
        var gaps = new List<CoverageGap>();
        IReadOnlyList<CallPath> paths = [];
        Fast(() => paths = graph.PathsTo("a0", "drivers/x.c", gaps));
        Assert.Equal(CallPathLimits.Default.MaxPaths, paths.Count);
        Assert.Contains("more than", Assert.Single(gaps).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Paths_that_exist_by_name_only_are_cut_at_the_step_limit_fast()
    {
        // The ladder's top function has a static namesake in another file, and that one is what the probe there
        // calls: by name every ladder function is near an entry point, by definition none is.
        FilePatch probe = Ladder(1, "other_function", probeCalls: "a12", file: "drivers/y.c");
        FilePatch namesake = Ladder(13, "pci_add_dma_alias", probeCalls: null, file: "drivers/x.c");
        var text = string.Join('\n', probe.Hunks[0].Lines.Select(l => l.Text)) + "\nstatic void a12(struct pci_dev *pdev)\n{\n}";
        var lines = text.Split('\n').Select((l, i) => new DiffLine(DiffLineKind.Added, l, 0, i + 1, i + 1)).ToList();
        probe = new FilePatch(null, "drivers/y.c", FileChangeKind.Added, [new Hunk(0, 0, 1, lines.Count, "", lines, 1)], 1);
        GraphInput[] inputs = [new GraphInput("o", [probe, namesake])];
        var graph = CallGraphBuilder.Build(inputs, IdiomModel.Default.Table);
        var gaps = new List<CoverageGap>();
        Fast(() => Assert.Empty(graph.PathsTo("pci_add_dma_alias", "drivers/x.c", gaps)));
        Assert.Contains($"more than {CallPathLimits.Default.MaxSteps} functions visited", Assert.Single(gaps).Reason, StringComparison.Ordinal);
        Fast(() => Assert.Empty(Analyzer.Analyze(graph, inputs).Findings));
    }
}
