using System.Text;
using PatchBot.PatchParser.C;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.PatchParser.Tests.Hostile;

/// <summary>
/// Calls nested thousands deep (issue 14 item 3): every call's argument text used to hold the text of every call
/// inside it, quadratic in the input. Measured by allocation, which is deterministic, not by time.
/// </summary>
public class NestedCallTests
{
    /// <summary>Allowed allocation ratio between two inputs ten times apart (linear is 10; quadratic is 100).</summary>
    private const double AllocationRatio = 25;

    /// <summary><c>f(x, f(x, f(x, ... 0)))</c> nested <paramref name="depth"/> deep in one function of a new file.</summary>
    private static FilePatch Nested(int depth)
    {
        var sb = new StringBuilder("static int deep(int x)\n{\n\treturn ");
        for (int i = 0; i < depth; i++)
        {
            sb.Append("f(x, ");
        }

        sb.Append('0').Append(')', depth).Append(";\n}\n");
        var lines = sb.ToString().TrimEnd('\n').Split('\n')
            .Select((l, i) => new DiffLine(DiffLineKind.Added, l, 0, i + 1, i + 1)).ToList();
        return new FilePatch(null, "drivers/pci/deep.c", FileChangeKind.Added, [new Hunk(0, 0, 1, lines.Count, string.Empty, lines, 1)], 1);
    }

    private static (CallGraph Graph, long Allocated) Build(FilePatch file)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var graph = CallGraphBuilder.Build([new GraphInput("deep", [file])], IdiomModel.Default.Table);
        return (graph, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Deeply_nested_calls_allocate_linearly()
    {
        FilePatch small = Nested(500), large = Nested(5_000);
        Build(small); // JIT warm
        (CallGraph smallGraph, long smallBytes) = Build(small);
        (CallGraph largeGraph, long largeBytes) = Build(large);

        Assert.Equal(500, smallGraph.Calls.Count);
        Assert.Equal(5_000, largeGraph.Calls.Count);
        Assert.True(largeBytes <= AllocationRatio * smallBytes,
            $"allocation grows faster than the input: depth 500 {smallBytes} B, depth 5000 {largeBytes} B");
    }

    [Fact]
    public void Argument_text_is_bounded_and_split_at_the_calls_own_commas()
    {
        CallGraph graph = Build(Nested(2_000)).Graph;

        Assert.All(graph.Calls, c => Assert.Equal(2, c.Arguments.Count));
        Assert.All(graph.Calls, c => Assert.Equal("x", c.Arguments[0]));
        Assert.All(graph.Calls, c => Assert.True(c.Arguments[1].Length <= BodyWalker.MaxExpressionChars + " ...".Length,
            $"argument of {c.Arguments[1].Length} characters at line {c.Line}"));

        // The innermost calls keep their whole text; the outer ones are cut and say so.
        Assert.Contains(graph.Calls, c => c.Arguments[1] == "f(x, 0)");
        string outer = graph.Calls.MaxBy(c => c.Arguments[1].Length)!.Arguments[1];
        Assert.StartsWith("f(x, f(x, ", outer, StringComparison.Ordinal);
        Assert.EndsWith(" ...", outer, StringComparison.Ordinal);
    }
}
