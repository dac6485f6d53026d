using PatchBot.Engine.Check;
using PatchBot.Engine.Tree;
using PatchBot.Rules.Findings;

namespace PatchBot.Engine.Inputs;

/// <summary><c>patchbot check --git BASE..HEAD</c>: the range's commits from the working folder's checkout, each checked alone.</summary>
internal static class GitCheck
{
    /// <summary>Longest one git call may take.</summary>
    public static readonly TimeSpan GitTimeout = TimeSpan.FromMinutes(2);

    /// <param name="tree">The kernel checkout whose index gives the callers in files a commit does not touch, or null.</param>
    public static (CheckReport Report, IReadOnlyList<InputError> Errors) Run(CheckSettings settings, AnalysisOptions analysis, SourceTree? tree = null)
    {
        string range = settings.GitRange ?? throw new ArgumentException("no git range", nameof(settings));
        var git = new GitCli(Directory.GetCurrentDirectory(), GitTimeout);
        var read = GitRange.Read(git, range);
        var report = new GitCommitChecker(analysis, settings.Mail, tree).Check(read.Commits, read.Problems);
        IReadOnlyList<InputError> errors = read.Error is null ? [] : [new InputError(range, read.Error)];
        return (report, errors);
    }
}
