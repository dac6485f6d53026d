using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;
using static PatchBot.PatchParser.Tests.Graph.TestPatches;

namespace PatchBot.PatchParser.Tests.Graph;

public class CallGraphTests
{
    private const string MeiHunk1 = """
         	return true;
         }
         
        +static void mei_me_add_func7_alias(struct pci_dev *pdev)
        +{
        +	if (pdev->device != 0x9c3a)
        +		return;
        +
        +	if (PCI_FUNC(pdev->devfn) == 0)
        +		pci_add_dma_alias(pdev, PCI_DEVFN(PCI_SLOT(pdev->devfn), 7),
        +				  1);
        +}
        +
         /**
          * mei_me_probe - Device Initialization Routine
          *
        """;

    private const string MeiHunk2 = """
         	if (!mei_me_quirk_probe(pdev, cfg))
         		return -ENODEV;
         
        +	mei_me_add_func7_alias(pdev);
        +
         	/* enable pci dev */
         	err = pcim_enable_device(pdev);
         	if (err) {
        """;

    private static FilePatch Mei() => File("drivers/misc/mei/pci-me.c",
        Hunk(MeiHunk1, 141, 141, "static bool mei_me_quirk_probe(struct pci_dev *pdev,"),
        Hunk(MeiHunk2, 165, 181, "static int mei_me_probe(struct pci_dev *pdev, const struct pci_device_id *ent)"));

    [Fact]
    public void Functions_defined_and_touched_across_hunks()
    {
        CallGraph g = BuildGraph(Mei());
        FunctionNode helper = Assert.Single(g.Functions, f => f.Name == "mei_me_add_func7_alias");
        Assert.Equal((144, 152, true, false, true), (helper.StartLine, helper.EndLine, helper.Complete, helper.NamedFromHunkContext, helper.IsStatic));
        Assert.Equal("void", helper.ReturnType);
        Assert.Equal(DiffLineKind.Added, helper.DefinitionLineKind);
        Assert.Equal(["struct pci_dev *pdev"], helper.Parameters);

        FunctionNode quirkProbe = Assert.Single(g.Functions, f => f.Name == "mei_me_quirk_probe");
        Assert.True(quirkProbe.NamedFromHunkContext);
        Assert.Equal(142, quirkProbe.EndLine);
        Assert.False(quirkProbe.Complete);

        FunctionNode probe = Assert.Single(g.Functions, f => f.Name == "mei_me_probe");
        Assert.True(probe.NamedFromHunkContext);
        Assert.Null(probe.DefinitionLineKind);
        Assert.Equal((181, 188), (probe.StartLine, probe.EndLine));

        CallSite alias = Assert.Single(g.Calls, c => c.Callee == "pci_add_dma_alias");
        Assert.Equal(("mei_me_add_func7_alias", 150), (alias.Caller, alias.Line));
        Assert.Equal(["pdev", "PCI_DEVFN(PCI_SLOT(pdev->devfn), 7)", "1"], alias.Arguments);
        Assert.Contains(g.Calls, c => c.Callee == "PCI_SLOT" && c.Caller == "mei_me_add_func7_alias");
        CallSite helperCall = Assert.Single(g.Calls, c => c.Callee == "mei_me_add_func7_alias");
        Assert.Equal(("mei_me_probe", 184, DiffLineKind.Added), (helperCall.Caller, helperCall.Line, helperCall.LineKind));
        Assert.Contains(g.Calls, c => c.Callee == "pcim_enable_device" && c.Line == 187 && c.LineKind == DiffLineKind.Context);
        Assert.DoesNotContain(g.Calls, c => c.Callee is "if" or "return");
        Assert.Contains(g.Assignments, a => a is { Function: "mei_me_probe", Target: "err", Operator: "=", Value: "pcim_enable_device(pdev)", Line: 187 });
        Assert.Empty(g.Gaps);
    }

    [Fact]
    public void Path_from_inferred_probe_through_helper()
    {
        CallGraph g = BuildGraph(Mei());
        CallPath path = Assert.Single(g.PathsTo("mei_me_add_func7_alias", "drivers/misc/mei/pci-me.c"));
        Assert.Equal(("mei_me_probe", RoleKind.DriverProbe, true), (path.Entry.Function, path.Entry.Role, path.Entry.Inferred));
        Assert.Equal(["mei_me_add_func7_alias"], path.Calls.Select(c => c.Callee));

        // The callee without a node (pci_add_dma_alias) is reached by name.
        CallPath toAlias = Assert.Single(g.PathsTo("pci_add_dma_alias", "drivers/pci/pci.c"));
        Assert.Equal(["mei_me_add_func7_alias", "pci_add_dma_alias"], toAlias.Calls.Select(c => c.Callee));
    }

    [Fact]
    public void Removed_calls_use_old_lines_and_are_not_followed()
    {
        CallGraph g = BuildGraph("drivers/pci/quirks.c", """
             static void quirk_x(struct pci_dev *pdev)
             {
            -	pci_add_dma_alias(pdev, 0);
            +	pci_add_dma_alias(pdev, 0, 1);
             }
            -DECLARE_PCI_FIXUP_HEADER(0x1, 0x2, quirk_x);
            +DECLARE_PCI_FIXUP_FINAL(0x1, 0x2, quirk_x);
            """, 50);
        CallSite removed = Assert.Single(g.Calls, c => c.LineKind == DiffLineKind.Removed);
        Assert.Equal((52, "quirk_x"), (removed.Line, removed.Caller));
        Assert.Equal(["pdev", "0"], removed.Arguments);
        CallSite added = Assert.Single(g.Calls, c => c.LineKind == DiffLineKind.Added);
        Assert.Equal(52, added.Line);
        Assert.Equal(["pdev", "0", "1"], added.Arguments);
        Assert.Single(g.Functions);
        Registration old = Assert.Single(g.Registrations, r => r.LineKind == DiffLineKind.Removed);
        Assert.Equal((RoleKind.FixupHeader, 54), (old.Role, old.Line));

        IReadOnlyList<CallPath> paths = g.PathsTo("pci_add_dma_alias", "drivers/pci/pci.c");
        CallPath path = Assert.Single(paths);
        Assert.Equal(RoleKind.FixupFinal, path.Entry.Role);
        Assert.Equal(DiffLineKind.Added, path.Calls[0].LineKind);
    }

    [Fact]
    public void Assignments_and_declarations_with_initialisers()
    {
        CallGraph g = BuildGraph("drivers/x.c", """
            +static int f(struct pci_dev *pdev)
            +{
            +	struct device *dev = &pdev->dev, *other = NULL;
            +	int i, n = 3;
            +	pdev->dma_alias_devfn = PCI_DEVFN(0, 1);
            +	pdev->dev_flags |= PCI_DEV_FLAGS_X;
            +	for (i = 0; i < n; i++)
            +		x[i] = i == 2;
            +	if (n >= 2)
            +		n <<= 1;
            +	return 0;
            +}
            """);
        var seen = g.Assignments.Select(a => (a.Target, a.Operator, a.Value, a.Line)).ToList();
        Assert.Equal(
            [
                ("dev", "=", "&pdev->dev", 3), ("other", "=", "NULL", 3), ("n", "=", "3", 4),
                ("pdev->dma_alias_devfn", "=", "PCI_DEVFN(0, 1)", 5), ("pdev->dev_flags", "|=", "PCI_DEV_FLAGS_X", 6),
                ("x[i]", "=", "i == 2", 8), ("n", "<<=", "1", 10),
            ],
            seen);
    }

    [Fact]
    public void Member_accesses_through_a_pointer_name_their_variable_and_whether_they_write()
    {
        CallGraph g = BuildGraph("drivers/x.c", """
            +static void f(struct pci_dev *dev)
            +{
            +	struct pci_dev *bridge = dev->bus->self;
            +	pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, &ctrl);
            +	if (bridge->vpd.cap == 0)
            +		dev->pcie_mpss = 1;
            +	dev->dev_flags |= 2;
            +	x.y = dev->ops->probe(dev);
            +}
            """);
        var seen = g.FieldAccesses.Select(a => (a.Base, a.Member, a.Write, a.Line)).ToList();
        Assert.Equal(
            [
                ("dev", "bus.self", false, 3), ("dev", "msix_cap", false, 4), ("bridge", "vpd.cap", false, 5),
                ("dev", "pcie_mpss", true, 6), ("dev", "dev_flags", true, 7), ("dev", "ops.probe", false, 8),
            ],
            seen);
        Assert.All(g.FieldAccesses, a => Assert.Equal("f", a.Function));
    }

    [Fact]
    public void A_probe_whose_parameter_list_git_cut_in_the_hunk_header_is_inferred_from_what_is_shown()
    {
        CallGraph g = BuildGraph("drivers/x.c", """
             	rc = foo_init(stdev);
            +	pci_request_acs();
             	return rc;
            """, start: 40, section: "static int foo_pci_probe(struct pci_dev *pdev,");
        Registration probe = Assert.Single(g.Registrations);
        Assert.Equal(("foo_pci_probe", RoleKind.DriverProbe, true), (probe.Function, probe.Role, probe.Inferred));
    }

    [Fact]
    public void Static_function_of_the_same_file_wins_call_resolution()
    {
        FilePatch a = File("drivers/a.c", Hunk("""
            +static void helper(struct pci_dev *pdev)
            +{
            +	target(pdev);
            +}
            +static int a_probe(struct pci_dev *pdev, const struct pci_device_id *id)
            +{
            +	helper(pdev);
            +	return 0;
            +}
            """));
        FilePatch b = File("drivers/b.c", Hunk("""
            +void helper(struct pci_dev *pdev)
            +{
            +	other(pdev);
            +}
            +static int b_probe(struct pci_dev *pdev, const struct pci_device_id *id)
            +{
            +	helper(pdev);
            +	return 0;
            +}
            """));
        CallGraph g = BuildGraph(a, b);
        CallPath p = Assert.Single(g.PathsTo("target", "drivers/a.c"));
        Assert.Equal("a_probe", p.Entry.Function);
        CallPath q = Assert.Single(g.PathsTo("other", "drivers/b.c"));
        Assert.Equal("b_probe", q.Entry.Function);
    }

    [Fact]
    public void Search_limits_are_reported_as_gaps()
    {
        string body = "+static int p(struct pci_dev *d, const struct pci_device_id *id)\n+{\n+\tf0(d);\n+\treturn 0;\n+}\n";
        for (int i = 0; i < 10; i++)
        {
            body += $"+static void f{i}(struct pci_dev *d)\n+{{\n+\tf{i + 1}(d);\n+\tf{i + 1}(d);\n+}}\n";
        }

        FilePatch file = File("drivers/x.c", Hunk(body.TrimEnd('\n')));
        CallGraph g = CallGraphBuilder.Build([new GraphInput("s", [file])], IdiomModel.Default.Table);
        var gaps = new List<CoverageGap>();
        Assert.Empty(g.PathsTo("f10", "drivers/x.c", gaps, new CallPathLimits { MaxDepth = 4 }));
        Assert.Contains("longer than 4", Assert.Single(gaps).Reason, StringComparison.Ordinal);

        gaps.Clear();
        Assert.Equal(5, g.PathsTo("f10", "drivers/x.c", gaps, new CallPathLimits { MaxPaths = 5 }).Count);
        Assert.Contains("more than 5 paths", Assert.Single(gaps).Reason, StringComparison.Ordinal);

        // Without limits: 2^10 acyclic paths (each call site of a pair is its own edge).
        gaps.Clear();
        Assert.Equal(1024, g.PathsTo("f10", "drivers/x.c", gaps, new CallPathLimits { MaxPaths = 5000 }).Count);
        Assert.Empty(gaps);

        gaps.Clear();
        Assert.InRange(g.PathsTo("f10", "drivers/x.c", gaps, new CallPathLimits { MaxPaths = 5000, MaxSteps = 20 }).Count, 1, 19);
        Assert.Contains("more than 20 functions visited", Assert.Single(gaps).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Recursion_does_not_loop()
    {
        CallGraph g = BuildGraph("drivers/x.c", """
            +static int p(struct pci_dev *d, const struct pci_device_id *id)
            +{
            +	a(d);
            +}
            +static void a(struct pci_dev *d)
            +{
            +	a(d);
            +	b(d);
            +}
            """);
        CallPath path = Assert.Single(g.PathsTo("b", "drivers/x.c"));
        Assert.Equal(["a", "b"], path.Calls.Select(c => c.Callee));
    }

    [Fact]
    public void Token_limit_and_unnamed_function_are_gaps()
    {
        FilePatch file = File("drivers/x.c", Hunk("+static void f(void)\n+{\n+\tg(1, 2, 3, 4, 5);\n+}\n"));
        CallGraph g = CallGraphBuilder.Build([new GraphInput("o", [file])], IdiomModel.Default.Table, new GraphOptions { MaxTokensPerFile = 5 });
        CoverageGap gap = Assert.Single(g.Gaps);
        Assert.Contains("token limit", gap.Reason, StringComparison.Ordinal);
        Assert.Equal("o", gap.Origin);

        CallGraph unnamed = BuildGraph("drivers/y.c", "\tif (x)\n+\t\tfoo(x);\n\treturn 0;", 10);
        Assert.Contains("not known", Assert.Single(unnamed.Gaps).Reason, StringComparison.Ordinal);
        Assert.Empty(unnamed.Calls);
    }

    [Fact]
    public void Non_c_files_are_skipped_and_series_keep_their_origin()
    {
        FilePatch doc = File("Documentation/x.rst", Hunk("+probe(x);"));
        FilePatch call = File("drivers/x.c", Hunk("""
            +static void helper(struct pci_dev *d)
            +{
            +	pci_add_dma_alias(d, 0, 1);
            +}
            """));
        FilePatch reg = File("drivers/x.c", Hunk(" static void helper(struct pci_dev *d)\n {\n \tpci_add_dma_alias(d, 0, 1);\n }\n+DECLARE_PCI_FIXUP_ENABLE(1, 2, helper);", 10, 10));
        CallGraph g = CallGraphBuilder.Build([new GraphInput("1/2", [doc, call]), new GraphInput("2/2", [reg])], IdiomModel.Default.Table);
        Assert.DoesNotContain(g.Calls, c => c.File.EndsWith(".rst", StringComparison.Ordinal));
        CallPath p = Assert.Single(g.PathsTo("pci_add_dma_alias", "drivers/pci/pci.c"), x => x.Calls[0].Origin == "1/2");
        Assert.Equal("2/2", p.Entry.Origin);
    }

    [Fact]
    public void Tree_mode_analyses_the_whole_file()
    {
        string preImage = """
            static void helper(struct pci_dev *d)
            {
            	pci_add_dma_alias(d, 0, 1);
            }

            static int x_probe(struct pci_dev *d, const struct pci_device_id *id)
            {
            	helper(d);
            	return 1;
            }

            static struct pci_driver x_driver = {
            	.probe = x_probe,
            };

            """;
        FilePatch patch = File("drivers/x.c", Hunk(" \thelper(d);\n-\treturn 1;\n+\treturn 0;", 8, 8, "static int x_probe(struct pci_dev *d, const struct pci_device_id *id)"));
        var (whole, problems) = PatchApplier.Apply(patch, preImage);
        Assert.Empty(problems);
        CallGraph g = CallGraphBuilder.Build([new GraphInput("t", [whole])], IdiomModel.Default.Table);
        Registration r = Assert.Single(g.Registrations);
        Assert.False(r.Inferred);
        Assert.Equal(13, r.Line);
        CallPath p = Assert.Single(g.PathsTo("pci_add_dma_alias", "drivers/pci/pci.c"));
        Assert.Equal(["helper", "pci_add_dma_alias"], p.Calls.Select(c => c.Callee));
        Assert.All(g.Functions, f => Assert.True(f.Complete));
    }
}
