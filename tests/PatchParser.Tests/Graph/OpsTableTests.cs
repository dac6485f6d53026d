using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Tree;
using static PatchBot.PatchParser.Tests.Graph.TestPatches;

namespace PatchBot.PatchParser.Tests.Graph;

/// <summary>
/// A driver's own ops tables: a function stored in a member of a struct that is no kernel registration, called
/// through a pointer (<c>nic->type->probe(nic)</c>) by the driver itself, is reached from the caller.
/// </summary>
public sealed class OpsTableTests
{
    private const string Table = """
        static int bar_probe_pf(struct bar_nic *nic)
        {
        	return bar_init_hw(nic);
        }

        const struct bar_nic_type bar_pf_nic_type = {
        	.revision = BAR_REV_2,
        	.probe = bar_probe_pf,
        	.remove = bar_remove_pf,
        };
        """;

    private const string Pci = """
        static int bar_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
        {
        	struct bar_nic *nic = pci_get_drvdata(pdev);
        	int rc;

        	nic->type = (const struct bar_nic_type *)id->driver_data;
        	rc = nic->type->probe(nic);
        	return rc;
        }

        static struct pci_driver bar_driver = {
        	.name = "bar",
        	.probe = bar_pci_probe,
        };
        """;

    [Fact]
    public void A_member_call_in_the_same_folder_reaches_the_stored_function()
    {
        CallGraph g = BuildGraph(NewFile("drivers/net/bar/bar_nic.c", Table), NewFile("drivers/net/bar/bar_pci.c", Pci));

        CallSite call = Assert.Single(g.Calls, c => c.Callee == "bar_probe_pf");
        Assert.Equal(("bar_pci_probe", "drivers/net/bar/bar_pci.c", 7), (call.Caller, call.File, call.Line));
        Assert.Equal(("drivers/net/bar/bar_nic.c", "bar_nic_type.probe"), (call.CalleeFile, call.Through));
        Assert.Equal(["nic"], call.Arguments);
        Assert.Equal("drivers/net/bar/bar_nic.c", g.ResolveCall(call)?.File);

        CallPath path = Assert.Single(g.PathsFrom(r => r.Role == RoleKind.DriverProbe).To("bar_init_hw", string.Empty));
        Assert.Equal(["bar_probe_pf", "bar_init_hw"], path.Calls.Select(c => c.Callee));
    }

    [Fact]
    public void Only_members_called_through_a_pointer_link_and_only_defined_functions()
    {
        CallGraph g = BuildGraph(NewFile("drivers/net/bar/bar_nic.c", Table), NewFile("drivers/net/bar/bar_pci.c", Pci));

        Assert.DoesNotContain(g.Calls, c => c.Callee is "bar_remove_pf" or "BAR_REV_2"); // not called / not a function
        Assert.Contains(g.OpsSlots, s => s is { StructType: "bar_nic_type", Member: "remove", Function: "bar_remove_pf" });
        Assert.DoesNotContain(g.OpsSlots, s => s.StructType == "pci_driver"); // a registration, not an ops table
    }

    [Fact]
    public void A_table_in_another_folder_is_not_the_driver_own()
    {
        CallGraph g = BuildGraph(NewFile("drivers/net/other/bar_nic.c", Table), NewFile("drivers/net/bar/bar_pci.c", Pci));

        Assert.DoesNotContain(g.Calls, c => c.Callee == "bar_probe_pf");
    }

    [Fact]
    public void A_removed_member_call_links_nothing()
    {
        CallGraph g = BuildGraph(
            NewFile("drivers/net/bar/bar_nic.c", Table),
            File("drivers/net/bar/bar_pci.c", Hunk("""
                 static int bar_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
                 {
                -	return nic->type->probe(nic);
                +	return 0;
                 }
                """)));

        Assert.DoesNotContain(g.Calls, c => c.Callee == "bar_probe_pf");
    }

    [Fact]
    public void The_tree_index_names_calls_through_members_apart_from_function_calls()
    {
        var functions = FunctionIndexer.Index(Pci);

        var probe = Assert.Single(functions, f => f.Name == "bar_pci_probe");
        Assert.Contains(FunctionIndexer.MemberCallName("probe"), probe.Callees);
        Assert.Contains("pci_get_drvdata", probe.Callees);
        Assert.DoesNotContain("probe", probe.Callees);
        Assert.Equal("->probe", FunctionIndexer.MemberCallName("probe"));
    }

    [Fact]
    public void Member_calls_are_no_ordinary_calls_of_the_graph()
    {
        CallGraph g = BuildGraph(NewFile("drivers/net/bar/bar_pci.c", Pci));

        Assert.DoesNotContain(g.Calls, c => c.Callee == "probe");
        Assert.All(g.Calls, c => Assert.Equal(DiffLineKind.Added, c.LineKind));
    }

    /// <summary>A sibling driver in the same folder whose own ops struct has a member of the same name (<c>.probe</c>).</summary>
    private const string Sibling = """
        struct baz_ops {
        	int (*probe)(struct baz *baz);
        };

        struct baz_data {
        	const struct baz_ops *ops;
        	int flags;
        };

        struct baz {
        	union {
        		const struct baz_data *plat_data;
        		void *raw;
        	};
        };

        static int baz_platform_probe(struct platform_device *pdev)
        {
        	struct baz *baz, *other = NULL;

        	baz = platform_get_drvdata(pdev);
        	return baz->plat_data->ops->probe(baz);
        }

        static struct platform_driver baz_driver = {
        	.probe = baz_platform_probe,
        };
        """;

    [Fact]
    public void A_member_call_through_another_struct_does_not_reach_the_stored_function()
    {
        CallGraph g = BuildGraph(NewFile("drivers/net/bar/bar_nic.c", Table), NewFile("drivers/net/bar/baz.c", Sibling));

        Assert.DoesNotContain(g.Calls, c => c.Callee == "bar_probe_pf");
    }

    [Fact]
    public void A_member_call_through_the_table_struct_reaches_the_stored_function()
    {
        // The same chain, through the table's own struct.
        CallGraph g = BuildGraph(
            NewFile("drivers/net/bar/bar_nic.c", Table),
            NewFile("drivers/net/bar/baz.c", Sibling.Replace("const struct baz_ops *ops;", "const struct bar_nic_type *ops;", StringComparison.Ordinal)));

        CallSite call = Assert.Single(g.Calls, c => c.Callee == "bar_probe_pf");
        Assert.Equal(("baz_platform_probe", "bar_nic_type.probe"), (call.Caller, call.Through));
    }

    [Theory]
    [InlineData("const struct bar_nic_type *type", true)]
    [InlineData("const struct baz_ops *type", false)]
    [InlineData("const bar_nic_type_t *type", true)] // a typedef: the struct is not seen, the folder decides
    public void The_declared_struct_of_a_parameter_decides(string parameter, bool linked)
    {
        string caller = $$"""
            static int bar_start(struct bar_nic *nic, {{parameter}})
            {
            	return type->probe(nic);
            }
            """;

        CallGraph g = BuildGraph(NewFile("drivers/net/bar/bar_nic.c", Table), NewFile("drivers/net/bar/bar_start.c", caller));

        Assert.Equal(linked, g.Calls.Any(c => c.Callee == "bar_probe_pf" && c.Caller == "bar_start"));
    }

    [Theory]
    [InlineData("\tconst struct baz_ops *ops;\n\n\tops = bar_ops_of(nic);\n\treturn ops->probe(nic);", false)] // a local without initialiser
    [InlineData("\tconst struct bar_nic_type *a = NULL, *ops = bar_ops_of(nic);\n\treturn ops->probe(nic);", true)] // the second declarator
    [InlineData("\treturn baz_global->probe(nic);", false)] // a variable of the file
    [InlineData("\treturn bar_ops_of(nic)->probe(nic);", true)] // a call's result: not seen, the folder decides
    [InlineData("\treturn nic->type->probe(nic);", true)] // struct bar_nic is not in the graph: the folder decides
    public void The_declared_struct_of_a_variable_decides(string body, bool linked)
    {
        string caller = "static const struct baz_ops *baz_global;\n\nstatic int bar_start(struct bar_nic *nic)\n{\n"
            + body + "\n}\n";

        CallGraph g = BuildGraph(NewFile("drivers/net/bar/bar_nic.c", Table), NewFile("drivers/net/bar/bar_start.c", caller));

        Assert.Equal(linked, g.Calls.Any(c => c.Callee == "bar_probe_pf" && c.Caller == "bar_start"));
    }

    [Fact]
    public void A_table_whose_struct_is_not_named_is_linked_by_folder_whatever_the_receiver()
    {
        string table = Table.Replace("const struct bar_nic_type bar_pf_nic_type", "const bar_nic_type_t bar_pf_nic_type", StringComparison.Ordinal);

        CallGraph g = BuildGraph(NewFile("drivers/net/bar/bar_nic.c", table), NewFile("drivers/net/bar/baz.c", Sibling));

        Assert.Contains(g.Calls, c => c.Callee == "bar_probe_pf" && c.Caller == "baz_platform_probe");
    }
}
