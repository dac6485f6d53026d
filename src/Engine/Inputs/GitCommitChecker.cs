using PatchBot.Engine.Check;
using PatchBot.Engine.Tree;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Findings;

namespace PatchBot.Engine.Inputs;

/// <summary>
/// Checks commits one by one, each as its own patch, as a reviewer reads a series: the findings of a
/// commit are the findings of its patch alone, and each names its commit (the sha in the MessageId
/// field, the commit subject as the subject). Shared by <c>check --git</c> and the GitHub source. With a
/// <paramref name="tree"/> (the checkout the commits are in), callers of a changed function in files the commit
/// does not touch come from the tree's index, as in tree mode. A finding that only completes a path (the commit
/// adds a call on the way to an effect an earlier commit of the range was already reported for) is not repeated.
/// </summary>
internal sealed class GitCommitChecker(AnalysisOptions analysis, MailOptions mail, SourceTree? tree = null)
{
    public CheckReport Check(IReadOnlyList<CommitPatch> commits, IReadOnlyList<string> rangeProblems)
    {
        var inputs = new List<InputReport>();
        var findings = new List<ReportedFinding>();
        var coverage = new List<CoverageEntry>();
        var analyzer = new SeriesAnalyzer(analysis, tree: tree, patchesHoldWholeFiles: true);

        // (rule, path end) of every finding so far: a later commit that only adds another way to the same effect
        // is not reported again.
        var reported = new HashSet<(string Rule, string PathEnd)>();
        if (rangeProblems.Count > 0)
        {
            inputs.Add(new InputReport("git", 0, 0, 0, 0, 0, 0, 0, 0,
                [.. rangeProblems.Select(p => new ProblemReport(p, null, null, null, Skipped: true))])); // commits not read: not checked
        }

        foreach (var commit in commits)
        {
            if (commit.Mail.Length == 0)
            {
                // An empty commit (b4's cover-letter commit, any --allow-empty): format-patch writes nothing for
                // it. Counted, as a message that is no patch, and skipped: there is nothing in it to check.
                inputs.Add(new InputReport(commit.Sha, 1, 0, 0, 0, 0, 1, 0, 0, []));
                continue;
            }

            int messages = 0, patches = 0, files = 0, hunks = 0, notPatches = 0;
            var problems = new List<ProblemReport>();
            var items = new List<MailItem>();
            using (var stream = new MemoryStream(commit.Mail, writable: false))
            {
                foreach (var item in MailReader.Read(stream, commit.Sha, mail))
                {
                    messages++;
                    foreach (var problem in item.AllProblems)
                    {
                        problems.Add(new ProblemReport(problem.Message, problem.File, problem.Line, commit.Sha, problem.Skipped));
                    }

                    if (item.Kind != MailItemKind.Patch)
                    {
                        notPatches++;
                        continue;
                    }

                    patches += item.Patches.Count;
                    files += item.Patches.Sum(p => p.Diff.Files.Count);
                    hunks += item.Patches.Sum(p => p.Diff.HunkCount);
                    items.Add(item);
                }
            }

            inputs.Add(new InputReport(commit.Sha, messages, patches, 0, 0, 0, notPatches, files, hunks, problems));
            if (items.Count == 0)
            {
                continue;
            }

            var commitFindings = new List<ReportedFinding>();
            var commitCoverage = new List<CoverageEntry>();
            analyzer.Analyze(items, commitFindings, commitCoverage);
            string? subject = commit.Subject.Length == 0 ? null : commit.Subject;
            commitFindings.RemoveAll(f => f.Finding.CompletesPath && reported.Contains((f.Finding.Rule, f.Finding.PathEnd)));
            reported.UnionWith(commitFindings.Where(f => f.Finding.PathEnd.Length > 0).Select(f => (f.Finding.Rule, f.Finding.PathEnd)));
            findings.AddRange(commitFindings.Select(f => f with { MessageId = commit.Sha, Subject = subject ?? f.Subject }));
            coverage.AddRange(commitCoverage.Select(c => c with { MessageId = commit.Sha }));
        }

        return new CheckReport(inputs, findings, coverage, []);
    }
}
