using PatchBot.PatchParser.C;
using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Graph;

/// <summary>
/// Builds a <see cref="CallGraph"/> from the C files of one or more patches (the messages of one series are
/// analysed together). Non-C files are skipped silently. Never throws on bad input.
/// </summary>
public static class CallGraphBuilder
{
    /// <summary>Most functions one member of the ops tables of a folder may stand for.</summary>
    public const int MaxOpsTargets = 16;

    /// <param name="idioms">The kernel's registration idioms: the lifecycle model's table (PatchBot.Rules).</param>
    public static CallGraph Build(IReadOnlyList<GraphInput> inputs, KernelIdioms idioms, GraphOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(idioms);
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

                AnalyzeFile(file, input.Origin, idioms, options, all);
            }
        }

        LinkNotifiers(all);
        List<FunctionNode> functions = MergeFunctions(all.Functions);
        LinkOpsTables(all, functions);
        InferRoles(functions, all.Registrations, all.Calls, idioms);
        return new CallGraph(functions, all.Calls, all.Registrations, all.Assignments, all.Gaps, all.FieldAccesses, all.OpsSlots);
    }

    private static void AnalyzeFile(FilePatch file, string origin, KernelIdioms idioms, GraphOptions options, CFileFacts all)
    {
        var facts = new CFileFacts();
        var post = new List<CFragmentAnalyzer>();
        var pre = new List<CFragmentAnalyzer>();

        if (file.NewPath is not null && CFragment.IsC(file.NewPath))
        {
            foreach (CFragment f in CFragment.FromHunks(file, ImageSide.Post))
            {
                CFragmentAnalyzer a = CFragmentAnalyzer.Tokenize(f, origin, facts, idioms, options.MaxTokensPerFile, options.MaxNesting);
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

                CFragmentAnalyzer a = CFragmentAnalyzer.Tokenize(f, origin, facts, idioms, options.MaxTokensPerFile, options.MaxNesting);
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
        all.FieldAccesses.AddRange(facts.FieldAccesses);
        all.Registrations.AddRange(facts.Registrations);
        all.Gaps.AddRange(facts.Gaps);
        all.NotifierBlocks.AddRange(facts.NotifierBlocks);
        all.MemberCalls.AddRange(facts.MemberCalls);
        all.OpsSlots.AddRange(facts.OpsSlots);
        all.TypedNames.AddRange(facts.TypedNames);
    }

    /// <summary>
    /// Calls through a driver's own ops tables: <c>x->m(...)</c> (or <c>x->y->m(...)</c>) in a function reaches each
    /// function stored as <c>.m</c> in an initialiser of a struct that is no kernel registration, when the initialiser
    /// is in the same folder as the call (the same driver: the table is its own, not a subsystem's) and the
    /// function is defined in the graph. When the graph shows which struct the call goes through (the receiver's
    /// declared type, see <see cref="StructTypes"/>) and the initialiser names its struct, the two must be the same:
    /// <c>inno->plat_data->ops->init()</c> through a <c>struct inno_hdmi_phy_ops</c> does not reach the <c>.init</c>
    /// of a sibling driver's <c>struct phy_ops</c>. Only when either is not seen does the folder alone decide.
    /// Each link becomes a call of the stored function on the line of the indirect call, going
    /// <see cref="CallSite.Through"/> the table. A member stored in more than <see cref="MaxOpsTargets"/> functions
    /// of one folder (of the receiver's struct, when known) is too ambiguous to follow.
    /// </summary>
    private static void LinkOpsTables(CFileFacts all, List<FunctionNode> functions)
    {
        if (all.OpsSlots.Count == 0 || all.MemberCalls.Count == 0)
        {
            return;
        }

        var defined = new HashSet<(string File, string Name)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (FunctionNode f in functions)
        {
            if (f.DefinitionLineKind != DiffLineKind.Removed)
            {
                defined.Add((f.File, f.Name));
                names.Add(f.Name);
            }
        }

        var slots = new Dictionary<(string Folder, string Member), List<OpsSlot>>();
        foreach (OpsSlot slot in all.OpsSlots)
        {
            if (slot.LineKind == DiffLineKind.Removed || !names.Contains(slot.Function))
            {
                continue;
            }

            var key = (FolderOf(slot.File), slot.Member);
            if (!slots.TryGetValue(key, out List<OpsSlot>? list))
            {
                slots[key] = list = [];
            }

            if (!list.Exists(s => s.Function == slot.Function && s.File == slot.File))
            {
                list.Add(slot);
            }
        }

        var types = new StructTypes(all.TypedNames, functions);
        foreach ((CallSite call, IReadOnlyList<string>? receiver) in all.MemberCalls)
        {
            if (call.LineKind == DiffLineKind.Removed || !slots.TryGetValue((FolderOf(call.File), call.Callee), out List<OpsSlot>? inFolder))
            {
                continue;
            }

            string? through = receiver is null ? null : types.Of(call.File, call.Caller, receiver);
            List<OpsSlot> targets = through is null ? inFolder : inFolder.FindAll(s => s.StructType.Length == 0 || s.StructType == through);
            if (targets.Count > MaxOpsTargets)
            {
                continue;
            }

            foreach (OpsSlot slot in targets)
            {
                all.Calls.Add(new CallSite(call.Caller, slot.Function, call.File, call.Line, call.Arguments, call.LineKind, call.Origin)
                {
                    CalleeFile = defined.Contains((slot.File, slot.Function)) ? slot.File : null,
                    Through = $"{slot.StructType}.{slot.Member}",
                });
            }
        }
    }

    /// <summary>"drivers/net/ethernet/sfc" for "drivers/net/ethernet/sfc/ef100.c".</summary>
    public static string FolderOf(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        int slash = file.LastIndexOf('/');
        return slash < 0 ? string.Empty : file[..slash];
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

            IReadOnlyList<string> args = call.Arguments;
            if (args.Count == 2)
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
            FunctionNode parameterSource = headerSource.Parameters.Count > 0 ? headerSource : old.Parameters.Count > 0 ? old : n;
            result[index] = old with
            {
                StartLine = Math.Min(old.StartLine, n.StartLine),
                EndLine = Math.Max(old.EndLine, n.EndLine),
                Complete = old.Complete || n.Complete,
                NamedFromHunkContext = old.NamedFromHunkContext && n.NamedFromHunkContext,
                IsStatic = old.IsStatic || n.IsStatic,
                Parameters = parameterSource.Parameters,
                ParameterNames = parameterSource.ParameterNames,
                ReturnType = headerSource.ReturnType.Length > 0 ? headerSource.ReturnType : old.ReturnType.Length > 0 ? old.ReturnType : n.ReturnType,
                DefinitionLineKind = headerSource.DefinitionLineKind,
            };
        }

        return result;
    }

    /// <summary>
    /// Roles from signatures the kernel requires (<see cref="KernelIdioms.Signatures"/>), for functions with no
    /// registration seen: the first signature whose return type and parameter types match (each parameter
    /// declaration starts with the type, white space ignored) gives its role.
    /// </summary>
    private static void InferRoles(List<FunctionNode> functions, List<Registration> registrations, IReadOnlyCollection<CallSite> calls, KernelIdioms idioms)
    {
        if (idioms.Signatures.Count == 0)
        {
            return;
        }

        var called = new HashSet<string>(calls.Where(c => c.LineKind != DiffLineKind.Removed).Select(c => c.Callee), StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        foreach (Registration r in registrations)
        {
            if (r.LineKind != DiffLineKind.Removed)
            {
                seen.Add((r.File, r.Function));
            }
        }

        var signatures = idioms.Signatures
            .Select(s => (Signature: s, ReturnType: Squash(s.ReturnType), Parameters: s.ParameterTypes.Select(Squash).ToArray()))
            .ToList();
        foreach (FunctionNode f in functions)
        {
            if (f.DefinitionLineKind == DiffLineKind.Removed || seen.Contains((f.File, f.Name)))
            {
                continue;
            }

            string ret = Squash(f.ReturnType);

            // A header git cut in the @@ line ends in "...": the parameters shown must match, the rest is unknown.
            bool cut = f.NamedFromHunkContext && f.Parameters.Count > 1 && f.Parameters[^1] == "...";
            int shown = cut ? f.Parameters.Count - 1 : f.Parameters.Count;
            foreach ((RoleSignature signature, string returnType, string[] parameters) in signatures)
            {
                if ((cut ? shown > parameters.Length : shown != parameters.Length) || ret != returnType
                    || (signature.OnlyWhenNotCalled && called.Contains(f.Name))
                    || !parameters.Take(shown).Select((p, k) => Squash(f.Parameters[k]).StartsWith(p, StringComparison.Ordinal)).All(match => match))
                {
                    continue;
                }

                registrations.Add(new Registration(signature.Role, f.Name, f.File, 0, f.DefinitionLineKind ?? DiffLineKind.Context,
                    signature.Idiom, Inferred: true, Detail: signature.Detail, Origin: f.Origin));
                break;
            }
        }
    }

    private static string Squash(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));
}
