using PatchBot.PatchParser.C;
using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Graph;

/// <summary>
/// Builds a <see cref="CallGraph"/> from the C files of one or more patches (the messages of one series are
/// analysed together). Non-C files are skipped silently. Never throws on bad input.
/// </summary>
public static class CallGraphBuilder
{
    public static CallGraph Build(IReadOnlyList<GraphInput> inputs, GraphOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= GraphOptions.Default;
        var all = new CFileFacts();
        foreach (GraphInput input in inputs)
        {
            foreach (FilePatch file in input.Files)
            {
                if (file.IsBinary || !(CFragment.IsC(file.NewPath) || CFragment.IsC(file.OldPath)))
                {
                    continue;
                }

                AnalyzeFile(file, input.Origin, options, all);
            }
        }

        LinkNotifiers(all);
        List<FunctionNode> functions = MergeFunctions(all.Functions);
        InferRoles(functions, all.Registrations, all.Calls);
        return new CallGraph(functions, all.Calls, all.Registrations, all.Assignments, all.Gaps);
    }

    private static void AnalyzeFile(FilePatch file, string origin, GraphOptions options, CFileFacts all)
    {
        var facts = new CFileFacts();
        var post = new List<CFragmentAnalyzer>();
        var pre = new List<CFragmentAnalyzer>();

        if (file.NewPath is not null && CFragment.IsC(file.NewPath))
        {
            foreach (CFragment f in CFragment.FromHunks(file, ImageSide.Post))
            {
                CFragmentAnalyzer a = CFragmentAnalyzer.Tokenize(f, origin, facts, options.MaxTokensPerFile, options.MaxNesting);
                post.Add(a);
                if (a.Truncated)
                {
                    break;
                }
            }
        }

        if (file.OldPath is not null && CFragment.IsC(file.OldPath) && !post.Any(a => a.Truncated))
        {
            foreach (CFragment f in CFragment.FromHunks(file, ImageSide.Pre))
            {
                if (!Array.Exists(f.Kinds, k => k == DiffLineKind.Removed))
                {
                    continue;
                }

                CFragmentAnalyzer a = CFragmentAnalyzer.Tokenize(f, origin, facts, options.MaxTokensPerFile, options.MaxNesting);
                pre.Add(a);
                if (a.Truncated)
                {
                    break;
                }
            }
        }

        var postWrappers = new Dictionary<string, FixupWrapper>(StringComparer.Ordinal);
        foreach (CFragmentAnalyzer a in post)
        {
            a.CollectFixupWrappers(postWrappers);
        }

        var preWrappers = new Dictionary<string, FixupWrapper>(StringComparer.Ordinal);
        foreach (CFragmentAnalyzer a in pre)
        {
            a.CollectFixupWrappers(preWrappers);
        }

        foreach (CFragmentAnalyzer a in post)
        {
            a.Analyze(facts, postWrappers, onlyRemoved: false);
        }

        foreach (CFragmentAnalyzer a in pre)
        {
            a.Analyze(facts, preWrappers, onlyRemoved: true);
        }

        all.Functions.AddRange(facts.Functions);
        all.Calls.AddRange(facts.Calls);
        all.Assignments.AddRange(facts.Assignments);
        all.Registrations.AddRange(facts.Registrations);
        all.Gaps.AddRange(facts.Gaps);
        all.NotifierBlocks.AddRange(facts.NotifierBlocks);
    }

    /// <summary>Sets <see cref="Registration.RegisteredOn"/> of notifiers passed to bus_register_notifier(&amp;bus, &amp;nb).</summary>
    private static void LinkNotifiers(CFileFacts all)
    {
        if (all.NotifierBlocks.Count == 0)
        {
            return;
        }

        // (file, notifier variable) -> bus of the first bus_register_notifier(&bus, &nb) call: one pass over the calls.
        var busOf = new Dictionary<(string File, string Variable), string>();
        foreach (CallSite call in all.Calls)
        {
            if (call.Callee != "bus_register_notifier" || call.LineKind == DiffLineKind.Removed)
            {
                continue;
            }

            string[] args = call.Arguments.Split(',', StringSplitOptions.TrimEntries);
            if (args.Length == 2)
            {
                busOf.TryAdd((call.File, args[1].TrimStart('&').Trim()), args[0].TrimStart('&').Trim());
            }
        }

        var indexOf = new Dictionary<Registration, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < all.Registrations.Count; i++)
        {
            indexOf.TryAdd(all.Registrations[i], i);
        }

        foreach ((Registration reg, string variable) in all.NotifierBlocks)
        {
            if (busOf.TryGetValue((reg.File, variable), out string? bus) && indexOf.TryGetValue(reg, out int index))
            {
                all.Registrations[index] = reg with { RegisteredOn = bus };
            }
        }
    }

    /// <summary>One node per (file, function): spans joined, the header taken from where it is visible.</summary>
    private static List<FunctionNode> MergeFunctions(List<FunctionNode> nodes)
    {
        var byKey = new Dictionary<(string, string), int>();
        var result = new List<FunctionNode>();
        foreach (FunctionNode n in nodes)
        {
            if (!byKey.TryGetValue((n.File, n.Name), out int index))
            {
                byKey[(n.File, n.Name)] = result.Count;
                result.Add(n);
                continue;
            }

            FunctionNode old = result[index];
            if (old.DefinitionLineKind == DiffLineKind.Removed && n.DefinitionLineKind != DiffLineKind.Removed)
            {
                result[index] = n; // the post-image definition wins over a removed one
                continue;
            }

            if (n.DefinitionLineKind == DiffLineKind.Removed)
            {
                continue;
            }

            bool header = old.DefinitionLineKind is not null || n.DefinitionLineKind is null;
            FunctionNode headerSource = header ? old : n;
            result[index] = old with
            {
                StartLine = Math.Min(old.StartLine, n.StartLine),
                EndLine = Math.Max(old.EndLine, n.EndLine),
                Complete = old.Complete || n.Complete,
                NamedFromHunkContext = old.NamedFromHunkContext && n.NamedFromHunkContext,
                IsStatic = old.IsStatic || n.IsStatic,
                Parameters = headerSource.Parameters.Count > 0 ? headerSource.Parameters : old.Parameters.Count > 0 ? old.Parameters : n.Parameters,
                ReturnType = headerSource.ReturnType.Length > 0 ? headerSource.ReturnType : old.ReturnType.Length > 0 ? old.ReturnType : n.ReturnType,
                DefinitionLineKind = headerSource.DefinitionLineKind,
            };
        }

        return result;
    }

    /// <summary>
    /// Roles from signatures the kernel requires, for functions with no registration seen. Only unambiguous
    /// signatures: pci_driver .probe, pci_error_handlers .error_detected, and a platform_driver callback
    /// (<c>int f(struct platform_device *)</c>: .probe, or .remove before 6.11; both run on a registered,
    /// bound device) when no function in the patch calls it.
    /// </summary>
    private static void InferRoles(List<FunctionNode> functions, List<Registration> registrations, IReadOnlyCollection<CallSite> calls)
    {
        var called = new HashSet<string>(calls.Where(c => c.LineKind != DiffLineKind.Removed).Select(c => c.Callee), StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        foreach (Registration r in registrations)
        {
            if (r.LineKind != DiffLineKind.Removed)
            {
                seen.Add((r.File, r.Function));
            }
        }

        foreach (FunctionNode f in functions)
        {
            if (f.DefinitionLineKind == DiffLineKind.Removed || seen.Contains((f.File, f.Name)))
            {
                continue;
            }

            if (f.Parameters.Count == 1 && Squash(f.ReturnType) == "int" && !called.Contains(f.Name)
                && Squash(f.Parameters[0]).StartsWith("structplatform_device*", StringComparison.Ordinal))
            {
                registrations.Add(new Registration(RoleKind.DriverProbe, f.Name, f.File, 0, f.DefinitionLineKind ?? DiffLineKind.Context,
                    "platform_driver.probe", Inferred: true, Detail: "platform_driver", Origin: f.Origin));
                continue;
            }

            if (f.Parameters.Count != 2)
            {
                continue;
            }

            string p0 = Squash(f.Parameters[0]);
            string p1 = Squash(f.Parameters[1]);
            string ret = Squash(f.ReturnType);
            if (ret == "int" && p0.StartsWith("structpci_dev*", StringComparison.Ordinal)
                && p1.StartsWith("conststructpci_device_id*", StringComparison.Ordinal))
            {
                registrations.Add(new Registration(RoleKind.DriverProbe, f.Name, f.File, 0, f.DefinitionLineKind ?? DiffLineKind.Context,
                    "pci_driver.probe", Inferred: true, Detail: "pci_driver", Origin: f.Origin));
            }
            else if (ret == "pci_ers_result_t" && p0.StartsWith("structpci_dev*", StringComparison.Ordinal)
                && p1.StartsWith("pci_channel_state_t", StringComparison.Ordinal))
            {
                registrations.Add(new Registration(RoleKind.ErrorHandler, f.Name, f.File, 0, f.DefinitionLineKind ?? DiffLineKind.Context,
                    "pci_error_handlers.error_detected", Inferred: true, Origin: f.Origin));
            }
        }
    }

    private static string Squash(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));
}
