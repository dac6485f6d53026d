namespace PatchBot.Engine.Inputs;

/// <summary>One commit of a range, as format-patch wrote it.</summary>
/// <param name="Sha">The full commit id.</param>
/// <param name="Subject">The first line of the commit message.</param>
/// <param name="Mail">The commit as a patch mail (git format-patch --stdout); empty for an empty commit, which
/// format-patch leaves out.</param>
internal sealed record CommitPatch(string Sha, string Subject, byte[] Mail);

/// <summary>The commits of BASE..HEAD in the order they were made, problems with single commits (each a commit or more
/// not checked), and why the range could not be read at all.</summary>
internal sealed record GitRangeRead(IReadOnlyList<CommitPatch> Commits, IReadOnlyList<string> Problems, string? Error = null);

/// <summary>
/// Reads BASE..HEAD from a git checkout through the git command line: rev-list for the commits (merges
/// left out, as format-patch does), format-patch for each one. Works in a shallow clone when the range
/// and its base are present; a commit at the shallow boundary is reported, not guessed at.
/// </summary>
internal static class GitRange
{
    /// <summary>Most commits read from one range.</summary>
    public const int DefaultMaxCommits = 1000;

    /// <summary>
    /// Lines of context around each change: by default the whole file, since the checkout has it and a
    /// reviewer in a tree sees it; the registration of a probe() is rarely within three lines of its change.
    /// </summary>
    public const int WholeFileContext = 1_000_000;

    public static GitRangeRead Read(GitCli git, string range, int maxCommits = DefaultMaxCommits, int contextLines = WholeFileContext)
    {
        var problems = new List<string>();
        int dots = range.IndexOf("..", StringComparison.Ordinal);
        if (dots <= 0 || dots + 2 >= range.Length || range[(dots + 2)..].StartsWith('.'))
        {
            return new GitRangeRead([], [], $"'{range}' is not a range: give BASE..HEAD");
        }

        string baseRev = range[..dots];
        string headRev = range[(dots + 2)..];
        if (baseRev.StartsWith('-') || headRev.StartsWith('-'))
        {
            return new GitRangeRead([], [], $"'{range}' is not a range: give BASE..HEAD");
        }

        foreach (var rev in new[] { baseRev, headRev })
        {
            var verify = git.Run("rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}");
            if (!verify.Ok)
            {
                problems.Add(verify.ExitCode == -1 ? verify.Stderr : $"{rev}: no such commit in {git.WorkingDirectory} (fetch it, or deepen a shallow clone)");
            }
        }

        if (problems.Count > 0)
        {
            return new GitRangeRead([], [], string.Join("; ", problems));
        }

        var list = git.Run("log", "--reverse", "--no-merges", "--format=%H%x00%s", baseRev + ".." + headRev, "--");
        if (!list.Ok)
        {
            return new GitRangeRead([], [], $"git log {range}: {list.Stderr}");
        }

        var shallow = ShallowBoundary(git);
        var commits = new List<CommitPatch>();
        foreach (var line in list.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int nul = line.IndexOf('\0', StringComparison.Ordinal);
            string sha = nul < 0 ? line : line[..nul];
            string subject = nul < 0 ? string.Empty : line[(nul + 1)..];
            if (commits.Count >= maxCommits)
            {
                problems.Add($"{range}: more than {maxCommits} commits; the rest were not checked");
                break;
            }

            if (shallow.Contains(sha))
            {
                problems.Add($"{sha[..12]}: at the shallow boundary, its parent is not in the clone (deepen the clone); not checked");
                continue;
            }

            var patch = git.Run("format-patch", "--stdout", "-1", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"-U{contextLines}"), "--no-signature", "--no-numbered", "--encoding=UTF-8", sha, "--");
            if (!patch.Ok)
            {
                problems.Add($"{sha[..12]}: git format-patch: {patch.Stderr}");
                continue;
            }

            commits.Add(new CommitPatch(sha, subject, patch.Stdout));
        }

        return new GitRangeRead(commits, problems);
    }

    /// <summary>The commits whose parents a shallow clone does not have.</summary>
    private static HashSet<string> ShallowBoundary(GitCli git)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var path = git.Run("rev-parse", "--git-path", "shallow");
        if (!path.Ok)
        {
            return set;
        }

        string file = Path.Combine(git.WorkingDirectory, path.Text.Trim());
        if (File.Exists(file))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length > 0)
                {
                    set.Add(line.Trim());
                }
            }
        }

        return set;
    }
}
