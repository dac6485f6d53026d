using PatchBot.Engine.Tree;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;
using PatchBot.PatchParser.Mail;
using PatchBot.PatchParser.Tree;
using PatchBot.Rules;
using PatchBot.Rules.Findings;
using PatchBot.Rules.Model;

namespace PatchBot.Engine.Check;

/// <summary>The call graph of one series and what it was built from.</summary>
/// <param name="Inputs">One input per message with C files (whole files in tree mode), then the tree files of callers.</param>
/// <param name="ByOrigin">The message behind each input's origin.</param>
/// <param name="Mailed">For each file analysed whole from the tree, by origin and path: its lines as mailed.</param>
internal sealed record SeriesGraph(
    CallGraph Graph,
    IReadOnlyList<GraphInput> Inputs,
    IReadOnlyDictionary<string, MailItem> ByOrigin,
    IReadOnlyDictionary<(string Origin, string File), MailedLines> Mailed);

/// <summary>
/// The analysis half of the pipeline, shared by <c>check</c>, <c>graph</c> and the bot: the messages of one
/// series -> one call graph -> the rules -> findings tied back to the message that holds each offending line.
/// In tree mode each patched file is read from the tree with the patch applied in memory (series parts in
/// order), so whole functions and registrations outside the hunks are seen, and the files of callers of
/// changed functions that the patch alone does not connect to an entry point are added from the tree index.
/// </summary>
/// <param name="patchesHoldWholeFiles">The patches carry their whole files as context (commits of the checkout
/// that is the tree, <c>check --git</c>): they are not applied to the tree, which only adds the callers in other files.</param>
internal sealed class SeriesAnalyzer(AnalysisOptions analysis, GraphOptions? graphOptions = null, SourceTree? tree = null, bool patchesHoldWholeFiles = false)
{
    /// <summary>Caller files added from the tree per series, at most.</summary>
    public const int MaxCallerFiles = 12;

    /// <summary>Levels of callers followed through the tree index.</summary>
    public const int MaxCallerDepth = 2;

    /// <summary>Files calling a function, at most, for its callers to be followed: one called from more is a library.</summary>
    public const int LibraryCallerFiles = 12;

    private const string TreeOrigin = "tree";

    private static readonly string[] CExtensions = [".c", ".h"];

    /// <summary>Analyses <paramref name="parts"/> together, adding to <paramref name="findings"/> and <paramref name="coverage"/>.</summary>
    public void Analyze(IReadOnlyList<MailItem> parts, List<ReportedFinding> findings, List<CoverageEntry> coverage)
    {
        var built = BuildGraph(parts, coverage);
        if (built is null)
        {
            return;
        }

        var (graph, inputs, byOrigin, mailed) = built;
        var options = tree is null ? analysis : analysis with { CallPaths = analysis.CallPaths with { NotThrough = LibraryBoundary() } };
        var result = Analyzer.Analyze(graph, inputs, options);
        foreach (var note in result.Notes)
        {
            byOrigin.TryGetValue(note.Origin, out var item);
            string message = tree is null ? note.Message : note.Message.Replace("; run with --tree", "; none found in the tree either (callers are followed within the changed driver)", StringComparison.Ordinal);
            string where = note.Line is int l ? $"{note.File}:{MailedLine(mailed, note.Origin, note.File, l)}" : note.File;
            coverage.Add(new CoverageEntry(where, message, Bracketed(item?.MessageId)));
        }

        foreach (var finding in result.Findings)
        {
            byOrigin.TryGetValue(finding.Origin, out var item);
            bool whole = mailed.ContainsKey((finding.Origin, finding.File));
            findings.Add(new ReportedFinding(
                whole ? finding with { Line = MailedLine(mailed, finding.Origin, finding.File, finding.Line) } : finding,
                Bracketed(item?.MessageId),
                item is null || item.Subject.Length == 0 ? null : item.Subject,
                SourceLine(inputs, finding.Origin, finding.File, finding.Line))
            {
                TreeLine = whole ? finding.Line : null,
            });
        }
    }

    /// <summary>
    /// What <see cref="Analyze"/> reads of a message: the same message with only its C files' diffs, without
    /// commit messages, trailers and diff problems (counted and reported when the message was read). The series
    /// window holds messages until their series closes, so this is what stays in memory (and what the GC copies).
    /// </summary>
    public static MailItem ForAnalysis(MailItem item)
    {
        if (item.Patches.Count == 0)
        {
            return item;
        }

        var patches = new MailPatch[item.Patches.Count];
        for (int i = 0; i < patches.Length; i++)
        {
            var patch = item.Patches[i];
            patches[i] = new MailPatch(string.Empty, [], new ParsedDiff([.. patch.Diff.Files.Where(IsAnalysed)], []), patch.AttachmentName, patch.DiffStartLine)
            {
                Subject = patch.Subject,
            };
        }

        return item with { Patches = patches, Problems = [] };
    }

    private static bool IsAnalysed(FilePatch f) =>
        !f.IsBinary && CExtensions.Contains(Path.GetExtension(f.Path), StringComparer.Ordinal);

    /// <summary>The call graph of <paramref name="parts"/>, or null when they hold no C; gaps go to <paramref name="coverage"/>.</summary>
    public SeriesGraph? BuildGraph(IReadOnlyList<MailItem> parts, List<CoverageEntry> coverage)
    {
        var byOrigin = new Dictionary<string, MailItem>(StringComparer.Ordinal);
        var inputs = new List<GraphInput>(parts.Count);
        var treeTexts = new Dictionary<string, string?>(StringComparer.Ordinal); // post-image so far, per path
        var unapplied = new List<UnappliedFile>();
        var mailed = new Dictionary<(string Origin, string File), MailedLines>();
        var patched = new HashSet<string>(StringComparer.Ordinal);
        var treeGraphs = new Dictionary<(string Path, string Text), CallGraph>(); // a tree file's own graph, built once per series
        bool apply = tree is not null && !patchesHoldWholeFiles;
        if (apply)
        {
            UndoAppliedParts(parts, treeTexts);
        }

        foreach (var item in parts)
        {
            string origin = OriginOf(item);
            byOrigin[origin] = item;
            var cFiles = item.Patches.SelectMany(p => p.Diff.Files).Where(IsAnalysed).ToList();
            if (cFiles.Count == 0)
            {
                coverage.Add(new CoverageEntry(item.Subject, "no C in the patch", Bracketed(item.MessageId)));
                continue;
            }

            if (apply)
            {
                cFiles = cFiles.Select(f => WholeFile(f, treeTexts, item, unapplied, mailed, coverage, treeGraphs)).ToList();
            }

            patched.UnionWith(cFiles.Select(f => f.Path));

            inputs.Add(new GraphInput(origin, cFiles));
        }

        if (inputs.Count == 0)
        {
            return null;
        }

        var graph = CallGraphBuilder.Build(inputs, IdiomModel.Default.Table, graphOptions);
        if (tree is not null && AddTreeContext(graph, inputs, unapplied, treeGraphs))
        {
            graph = CallGraphBuilder.Build(inputs, IdiomModel.Default.Table, graphOptions);
        }

        if (tree is not null && AddCallerFiles(graph, inputs, patched))
        {
            graph = CallGraphBuilder.Build(inputs, IdiomModel.Default.Table, graphOptions);
        }

        if (tree is not null && AddCalleeFiles(graph, inputs))
        {
            graph = CallGraphBuilder.Build(inputs, IdiomModel.Default.Table, graphOptions);
        }

        foreach (var gap in graph.Gaps)
        {
            byOrigin.TryGetValue(gap.Origin, out var item);
            string where = gap.Line is int l ? $"{gap.File}:{MailedLine(mailed, gap.Origin, gap.File, l)}" : gap.File;
            coverage.Add(new CoverageEntry(where, gap.Reason, Bracketed(item?.MessageId)));
        }

        return new SeriesGraph(graph, inputs, byOrigin, mailed);
    }

    /// <summary>
    /// For each file the series modifies whose first change does not apply to the tree: when the tree already holds
    /// the series' changes to it (all parts, or the first ones: the commits were format-patch'ed in the checkout they
    /// were made in), the file as it was before them, so the series is applied to its own base and analysed against
    /// the tree as it is.
    /// </summary>
    private void UndoAppliedParts(IReadOnlyList<MailItem> parts, Dictionary<string, string?> texts)
    {
        var byPath = new Dictionary<string, List<FilePatch>>(StringComparer.Ordinal);
        var moved = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in parts.SelectMany(p => p.Patches).SelectMany(p => p.Diff.Files).Where(IsAnalysed))
        {
            if (file.OldPath is null || file.OldPath != file.NewPath)
            {
                moved.UnionWith(new[] { file.OldPath, file.NewPath }.OfType<string>()); // created, deleted or renamed: applied as is
                continue;
            }

            if (!byPath.TryGetValue(file.OldPath, out var list))
            {
                byPath[file.OldPath] = list = [];
            }

            list.Add(file);
        }

        foreach (var (path, patches) in byPath)
        {
            if (moved.Contains(path) || !tree!.TryRead(path, out string text) || PatchApplier.Apply(patches[0], text).Problems.Count == 0)
            {
                continue;
            }

            for (int applied = patches.Count; applied >= 1; applied--)
            {
                string? before = text;
                for (int j = applied - 1; j >= 0 && before is not null; j--)
                {
                    before = PatchApplier.TryUnapply(patches[j], before);
                }

                if (before is not null)
                {
                    texts[path] = before;
                    break;
                }
            }
        }
    }

    /// <summary>
    /// The file as the tree has it (after earlier parts of the series) with this patch applied. When a hunk does not
    /// apply, the patch alone, and the tree's text of the file is kept (<paramref name="unapplied"/>) so that what
    /// the tree knows of the functions the patch touches, their callers and registrations, is still used.
    /// </summary>
    private FilePatch WholeFile(
        FilePatch file,
        Dictionary<string, string?> texts,
        MailItem item,
        List<UnappliedFile> unapplied,
        Dictionary<(string Origin, string File), MailedLines> mailed,
        List<CoverageEntry> coverage,
        Dictionary<(string Path, string Text), CallGraph> treeGraphs)
    {
        string? pre = null;
        if (file.OldPath is not null && !texts.TryGetValue(file.OldPath, out pre) && !tree!.TryRead(file.OldPath, out pre!))
        {
            coverage.Add(new CoverageEntry(file.OldPath, "not in the tree; analysed from the patch alone", Bracketed(item.MessageId)));
            return file;
        }

        var (whole, problems) = PatchApplier.Apply(file, pre);
        if (problems.Count > 0)
        {
            foreach (var p in problems)
            {
                coverage.Add(new CoverageEntry(file.Path,
                    $"{p.Message}; analysed from the patch, with the tree's callers and registrations of the functions it touches (found by name)",
                    Bracketed(item.MessageId)));
            }

            if (pre is not null && file.NewPath is not null)
            {
                unapplied.Add(new UnappliedFile(file.NewPath, pre, OriginOf(item)));

                // A hunk whose @@ context names no function is found in the tree's file by its old lines, and named after
                // the function that holds it there.
                var own = TreeGraph(file.NewPath, pre, treeGraphs);
                var lines = own.Functions.Count == 0 ? [] : PatchApplier.Unchanged(file.NewPath, pre).Hunks[0].Lines.Select(l => l.Text).ToArray();
                file = HunkLocator.NameHunks(file, lines, [.. own.Functions.Where(f => f.File == file.NewPath)]).File;
            }

            return file;
        }

        if (file.NewPath is not null)
        {
            texts[file.NewPath] = PatchApplier.PostImage(whole);
            mailed[(OriginOf(item), file.NewPath)] = MailedLines.Of(file, whole);
        }

        return whole;
    }

    /// <summary>
    /// For each file analysed from its patch alone because a hunk did not apply: the tree's text of that file without
    /// the functions the patch shows (the patch's version of those stands), so that the rest of the file, the
    /// callers in it and the registrations that give the functions their roles, joins the graph.
    /// </summary>
    private bool AddTreeContext(CallGraph graph, List<GraphInput> inputs, List<UnappliedFile> unapplied, Dictionary<(string Path, string Text), CallGraph> treeGraphs)
    {
        bool added = false;
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in unapplied)
        {
            if (!done.Add(file.Path))
            {
                continue;
            }

            var touched = graph.Functions
                .Where(f => f.File == file.Path && f.Origin == file.Origin)
                .Select(f => f.Name)
                .ToHashSet(StringComparer.Ordinal);
            var whole = PatchApplier.Unchanged(file.Path, file.Text);
            var own = TreeGraph(file.Path, file.Text, treeGraphs);
            var lines = whole.Hunks.Count == 0 ? [] : whole.Hunks[0].Lines.ToArray();
            foreach (var function in own.Functions.Where(f => touched.Contains(f.Name)))
            {
                for (int line = Math.Max(1, function.StartLine); line <= Math.Min(lines.Length, function.EndLine); line++)
                {
                    lines[line - 1] = lines[line - 1] with { Text = string.Empty };
                }
            }

            inputs.Add(new GraphInput(TreeOrigin, [whole with { Hunks = [whole.Hunks[0] with { Lines = lines }] }]));
            added = true;
        }

        return added;
    }

    /// <summary>
    /// Adds, from the tree index, the files whose functions call a changed non-static function that no entry
    /// point in the graph reaches yet, or (in the same folder) call the member of a driver's ops table that stores
    /// such a function; then their callers, up to <see cref="MaxCallerDepth"/> levels. Only callers in the changed
    /// file's own driver are followed, and none of a library's (see <see cref="CallersOf"/>).
    /// </summary>
    private bool AddCallerFiles(CallGraph graph, List<GraphInput> inputs, IEnumerable<string> patchedFiles)
    {
        var included = new HashSet<string>(patchedFiles, StringComparer.Ordinal);
        var paths = graph.PathsFrom(Analyzer.IsEntryPoint, analysis.CallPaths);
        var leading = LeadingToAddedLines(graph, inputs);
        var wanted = graph.Functions
            .Where(f => !f.IsStatic && included.Contains(f.File) && leading.Contains((f.File, f.Name)) && paths.To(f.Name, f.File).Count == 0)
            .Select(f => new WantedCallers(f.Name, CallGraphBuilder.FolderOf(f.File), ThroughMember: false))
            .ToList();

        // Functions of a driver's own ops tables are called through the member, by the driver itself: its files
        // in the same folder that call that member (an added slot is itself a line the series adds on that path).
        wanted.AddRange(graph.OpsSlots
            .Where(s => s.LineKind != DiffLineKind.Removed && included.Contains(s.File)
                && graph.Resolve(s.Function, s.File) is { } stored && (s.LineKind == DiffLineKind.Added || leading.Contains((stored.File, stored.Name)))
                && paths.To(s.Function, s.File).Count == 0)
            .Select(s => new WantedCallers(FunctionIndexer.MemberCallName(s.Member), CallGraphBuilder.FolderOf(s.File), ThroughMember: true)));
        wanted = [.. wanted.Distinct()];
        int added = 0;
        for (int depth = 0; depth < MaxCallerDepth && wanted.Count > 0; depth++)
        {
            var next = new List<WantedCallers>();
            foreach (var want in wanted)
            {
                foreach (var (file, caller) in CallersOf(want))
                {
                    if (added >= MaxCallerFiles || !included.Add(file) || !tree!.TryRead(file, out string text))
                    {
                        continue;
                    }

                    inputs.Add(new GraphInput(TreeOrigin, [PatchApplier.Unchanged(file, text)]));
                    added++;
                    if (tree.Index.IsGlobal(file, caller))
                    {
                        next.Add(new WantedCallers(caller, want.Folder, ThroughMember: false)); // still the changed file's driver
                    }
                }
            }

            wanted = [.. next.Distinct()];
        }

        return added > 0;
    }

    /// <summary>The call graph of a tree file on its own (its functions, their lines and headers), built once per series.</summary>
    private CallGraph TreeGraph(string path, string text, Dictionary<(string Path, string Text), CallGraph> cache)
    {
        if (!cache.TryGetValue((path, text), out var graph))
        {
            cache[(path, text)] = graph = CallGraphBuilder.Build([new GraphInput(TreeOrigin, [PatchApplier.Unchanged(path, text)])], IdiomModel.Default.Table, graphOptions);
        }

        return graph;
    }

    /// <summary>
    /// Adds, from the tree index, the file that defines a function a line of the series newly calls when the graph does
    /// not have it: a helper in another file of the same driver (commit 1 added it, commit 2 calls it from probe()), so
    /// the path the call completes is seen. Only definitions in the calling file's own folder count, and only one per
    /// name: a kernel API the driver calls (pci_enable_msi(), in drivers/pci) is the core's code, run whenever the
    /// driver chooses, not the driver's; the rules know the APIs that matter by name. Then the helpers those call, up to
    /// <see cref="MaxCallerDepth"/> levels, within <see cref="MaxCallerFiles"/> files.
    /// </summary>
    private bool AddCalleeFiles(CallGraph graph, List<GraphInput> inputs)
    {
        var included = inputs.SelectMany(i => i.Files).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var defined = graph.Functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var wanted = graph.Calls
            .Where(c => c.LineKind == DiffLineKind.Added && !defined.Contains(c.Callee))
            .Select(c => (c.Callee, Folder: CallGraphBuilder.FolderOf(c.File)))
            .Distinct()
            .ToList();
        int added = 0;
        for (int depth = 0; depth < MaxCallerDepth && wanted.Count > 0 && added < MaxCallerFiles; depth++)
        {
            var next = new List<(string, string)>();
            foreach (var (callee, folder) in wanted)
            {
                var files = tree!.Index.FilesDefining(callee)
                    .Where(f => CallGraphBuilder.FolderOf(f) == folder && tree.Index.IsGlobal(f, callee))
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                if (files.Count != 1 || added >= MaxCallerFiles || !included.Add(files[0]) || !tree.TryRead(files[0], out string text))
                {
                    continue;
                }

                var file = PatchApplier.Unchanged(files[0], text);
                inputs.Add(new GraphInput(TreeOrigin, [file]));
                added++;
                var own = CallGraphBuilder.Build([new GraphInput(TreeOrigin, [file])], IdiomModel.Default.Table, graphOptions);
                defined.UnionWith(own.Functions.Select(f => f.Name));
                next.AddRange(own.CallsIn(callee, files[0]).Where(c => !defined.Contains(c.Callee)).Select(c => (c.Callee, folder)));
            }

            wanted = [.. next.Distinct()];
        }

        return added > 0;
    }

    /// <summary>
    /// The functions of the graph from which a line the series adds is reached within the graph: those holding an
    /// added line, and their callers, transitively. Only callers of these can put what the series adds on a path from
    /// an entry point. In tree mode a patched file is read whole, and following the callers of its other functions
    /// would spend the caller files on paths the series does not change, and join to the graph files whose calls of
    /// a library function of the patched file (one whose callers are not followed) would make them paths after all.
    /// </summary>
    private static HashSet<(string File, string Name)> LeadingToAddedLines(CallGraph graph, List<GraphInput> inputs)
    {
        var added = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var file in inputs.Where(i => i.Origin != TreeOrigin).SelectMany(i => i.Files))
        {
            foreach (var line in file.Hunks.SelectMany(h => h.Lines))
            {
                if (line.Kind == DiffLineKind.Added && file.NewPath is not null)
                {
                    if (!added.TryGetValue(file.NewPath, out var lines))
                    {
                        added[file.NewPath] = lines = [];
                    }

                    lines.Add(line.NewLine);
                }
            }
        }

        foreach (var lines in added.Values)
        {
            lines.Sort();
        }

        var reached = new HashSet<(string File, string Name)>();
        var queue = new Queue<(string File, string Name)>();
        foreach (var f in graph.Functions)
        {
            if (f.DefinitionLineKind != DiffLineKind.Removed && added.TryGetValue(f.File, out var lines))
            {
                int first = lines.BinarySearch(f.StartLine);
                first = first < 0 ? ~first : first;
                if (first < lines.Count && lines[first] <= f.EndLine && reached.Add((f.File, f.Name)))
                {
                    queue.Enqueue((f.File, f.Name));
                }
            }
        }

        var callers = new Dictionary<(string File, string Name), List<(string File, string Name)>>();
        foreach (var call in graph.Calls)
        {
            if (call.LineKind != DiffLineKind.Removed && graph.ResolveCall(call) is { } callee)
            {
                if (!callers.TryGetValue((callee.File, callee.Name), out var list))
                {
                    callers[(callee.File, callee.Name)] = list = [];
                }

                list.Add((call.File, call.Caller));
            }
        }

        while (queue.Count > 0)
        {
            if (callers.TryGetValue(queue.Dequeue(), out var list))
            {
                foreach (var caller in list)
                {
                    if (reached.Add(caller))
                    {
                        queue.Enqueue(caller);
                    }
                }
            }
        }

        return reached;
    }

    /// <summary>
    /// A name whose callers in the tree are wanted, and the folder of the driver the patch changes: for a function,
    /// the folder of the patched file it was first wanted for (its callers' callers stay in that driver too); for a
    /// member of an ops table, the table's folder.
    /// </summary>
    private readonly record struct WantedCallers(string Name, string Folder, bool ThroughMember);

    /// <summary>A file whose patch did not apply to the tree: its path, the tree's text, and the message of the patch.</summary>
    private sealed record UnappliedFile(string Path, string Text, string Origin);

    /// <summary><paramref name="line"/> of <paramref name="file"/> as the patch from <paramref name="origin"/> numbers it (the tree's line when it was not analysed whole).</summary>
    private static int MailedLine(IReadOnlyDictionary<(string Origin, string File), MailedLines> mailed, string origin, string file, int line) =>
        mailed.TryGetValue((origin, file), out var map) ? map.ToMailed(line) : line;

    /// <summary>
    /// The callers in the tree, by name, that can tell which entry point runs <paramref name="want"/>: those in files of
    /// the same driver, and none at all for a library.
    /// </summary>
    /// <remarks>
    /// What the expansion is for is a driver whose probe (or other hook) calls into its own other files: sfc's
    /// ef100_pci_probe() calling ef100_probe_main() of another file in the same folder, a helper in mlx5/core/lib
    /// called from mlx5/core. A driver's code sits in one folder, with helpers in its subfolders; so a function's
    /// callers are followed into files of the changed file's folder or a folder above it, never into a sibling or
    /// unrelated folder. Calls through an ops-table member are the driver's own only within the table's folder.
    /// A caller in another folder uses the function as an API: pci_enable_msi() in drivers/pci/msi is called by
    /// hundreds of drivers, each deciding on its own when; one arbitrary user's probe does not make the core
    /// function a probe path, and what a rule would ask of it (the driver's .dev_groups) is not the library's to do.
    /// For the same reason a function called from more than <see cref="LibraryCallerFiles"/> files of the tree (a
    /// member: of its folder) is a library even for its callers next to it (libata's ata_host_activate(), called
    /// by the probes of 40 drivers in drivers/ata): which of its callers the patched code runs under is not
    /// something the patch decides, and the first of them by path would be an arbitrary pick.
    /// </remarks>
    private List<(string File, string Caller)> CallersOf(WantedCallers want)
    {
        var callers = tree!.Index.CallersOf(want.Name);
        var own = callers.Where(c => InDriverOf(CallGraphBuilder.FolderOf(c.File), want)).ToList();
        var counted = want.ThroughMember ? own : callers;
        return counted.Select(c => c.File).Distinct(StringComparer.Ordinal).Count() > LibraryCallerFiles ? [] : own;
    }

    /// <summary>
    /// The calls a path from an entry point does not go through in tree mode: a call from one driver into a library of
    /// another part of the tree: a function in another top-level part of the kernel (drivers/ calling into kernel/,
    /// lib/, mm/: the core, whatever its number of users in the tree's version), or one called from more than
    /// <see cref="LibraryCallerFiles"/> files and defined outside the caller's folder and the folders above it. What
    /// the library does below, such as the MSI core creating msi_irqs/ in msi_domain_alloc_irqs() for whichever
    /// driver allocates vectors, is its own behaviour, judged on its own entry points, not on the probe of one of its
    /// users; the same reason its callers are not followed through the index (<see cref="CallersOf(WantedCallers)"/>).
    /// </summary>
    private Func<CallSite, string, bool> LibraryBoundary()
    {
        var library = new Dictionary<string, bool>(StringComparer.Ordinal);
        return (call, calleeFile) =>
        {
            string callerFolder = CallGraphBuilder.FolderOf(call.File), calleeFolder = CallGraphBuilder.FolderOf(calleeFile);
            if (InDriverOf(callerFolder, new WantedCallers(call.Callee, calleeFolder, ThroughMember: false)))
            {
                return false;
            }

            if (!string.Equals(TopLevel(call.File), TopLevel(calleeFile), StringComparison.Ordinal))
            {
                return true;
            }

            if (!library.TryGetValue(call.Callee, out bool isLibrary))
            {
                library[call.Callee] = isLibrary = tree!.Index.CallersOf(call.Callee).Select(c => c.File).Distinct(StringComparer.Ordinal).Count() > LibraryCallerFiles;
            }

            return isLibrary;
        };
    }

    /// <summary>The top-level folder of a tree path ("drivers", "kernel", "arch"); empty for a file at the top.</summary>
    private static string TopLevel(string path) => path.IndexOf('/', StringComparison.Ordinal) is int slash and > 0 ? path[..slash] : string.Empty;

    /// <summary>Whether a caller in <paramref name="callerFolder"/> belongs to the driver of <paramref name="want"/>:
    /// the same folder, or for a function also a folder above it.</summary>
    private static bool InDriverOf(string callerFolder, WantedCallers want) =>
        callerFolder == want.Folder
        || (!want.ThroughMember
            && (callerFolder.Length == 0 || (want.Folder.StartsWith(callerFolder, StringComparison.Ordinal) && want.Folder[callerFolder.Length] == '/')));

    /// <summary>The key that ties graph nodes and findings back to their message.</summary>
    public static string OriginOf(MailItem item) =>
        item.MessageId ?? $"{item.Source}#{item.Ordinal}";

    public static string? Bracketed(string? messageId) => messageId is null ? null : $"<{messageId}>";

    private static string? SourceLine(IReadOnlyList<GraphInput> inputs, string origin, string file, int line)
    {
        foreach (var input in inputs)
        {
            if (input.Origin != origin)
            {
                continue;
            }

            foreach (var f in input.Files)
            {
                if (f.Path != file)
                {
                    continue;
                }

                foreach (var hunk in f.Hunks)
                {
                    foreach (var l in hunk.Lines)
                    {
                        if (l.Kind != DiffLineKind.Removed && l.NewLine == line)
                        {
                            return l.Text;
                        }
                    }
                }
            }
        }

        return null;
    }
}
