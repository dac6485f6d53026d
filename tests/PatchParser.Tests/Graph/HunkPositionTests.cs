using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Tests.Regressions;
using PatchBot.Rules;
using PatchBot.Rules.Model;

namespace PatchBot.PatchParser.Tests.Graph;

/// <summary>Where a hunk starts, from its brackets and its @@ function context (issue 14 item 14).</summary>
public class HunkPositionTests
{
    /// <summary>
    /// A hunk whose context is a whole short function, header above the hunk (" {", " \treturn 2 * helper(x);",
    /// " }"), followed by added functions: the common shape of appending functions at the end of a file.
    /// </summary>
    private static readonly string ShortFunctionThenAdded = Path.Combine(FuzzRegressionTests.InputsDir, "diff",
        "hunk-starts-at-the-brace-of-a-short-function.patch");

    private static (CallGraph Graph, GraphInput[] Inputs) Read()
    {
        ParsedDiff diff = DiffReader.Read(File.ReadAllText(ShortFunctionThenAdded));
        GraphInput[] inputs = [new GraphInput("short", diff.Files)];
        return (CallGraphBuilder.Build(inputs, IdiomModel.Default.Table), inputs);
    }

    [Fact]
    public void A_hunk_starting_at_the_brace_of_the_context_function_is_its_body()
    {
        CallGraph g = Read().Graph;

        FunctionNode shortFunction = Assert.Single(g.Functions, f => f.Name == "foo_double");
        Assert.True(shortFunction.NamedFromHunkContext);
        Assert.Equal((40, 42), (shortFunction.StartLine, shortFunction.EndLine));
        CallSite helper = Assert.Single(g.Calls, c => c.Callee == "helper");
        Assert.Equal("foo_double", helper.Caller);
        Assert.DoesNotContain(g.Functions, f => f.Name == "helper");
    }

    [Fact]
    public void The_functions_added_after_it_keep_their_own_names_and_calls()
    {
        CallGraph g = Read().Graph;

        Assert.Equal(["foo_add_alias", "foo_double", "foo_probe"], g.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal("foo_add_alias", Assert.Single(g.Calls, c => c.Callee == "pci_add_dma_alias").Caller);
        Assert.Equal("foo_probe", Assert.Single(g.Calls, c => c.Callee == "foo_add_alias").Caller);
        Assert.Contains(g.Registrations, r => r.Role == RoleKind.DriverProbe && r.Function == "foo_probe" && !r.Inferred);
    }

    [Fact]
    public void The_probe_time_alias_in_the_added_code_is_found()
    {
        (CallGraph g, GraphInput[] inputs) = Read();

        Assert.Contains(Analyzer.Analyze(g, inputs).Findings, f => f.Rule == "dma-alias-after-iommu-group");
    }
}
