using PatchBot.Engine.Tree;

namespace PatchBot.Bot.Tests.Tree;

/// <summary>
/// Trees read from git objects (what serve and the GitHub service analyse against): the index of a commit is the
/// index of its files, another commit re-reads only what changed, files are read at the commit whatever the
/// checkout holds, and a base-commit picks the tree. Real kernel files, real git.
/// </summary>
public sealed class GitCommitTreeTests : IDisposable
{
    private const string Library = "drivers/ata/libahci.c";

    private const string Caller = "drivers/ata/acard-ahci.c";

    private const string Other = "drivers/ata/ahci.c";

    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("patchbot-gitcache-");

    public void Dispose() => _cache.Delete(recursive: true);

    [Fact]
    public void The_index_of_a_commit_is_the_index_of_its_files_and_a_new_commit_reads_only_the_changed_ones()
    {
        using var repo = KernelGitRepo.Create(Library, Caller, Other);
        string first = repo.Git("rev-parse", "HEAD");
        var folder = TreeIndex.LoadOrBuild(repo.Path, Path.Combine(_cache.FullName, "folder"), out _);

        var fromGit = TreeIndex.LoadOrBuild(new GitCommitFiles(repo.Path, first), _cache.FullName, out var cold);
        Assert.False(cold.FromCache);
        Assert.Equal(folder.FileCount, fromGit.FileCount);
        Assert.Equal(folder.FunctionCount, fromGit.FunctionCount);
        foreach (var name in new[] { "ahci_save_initial_config", "ahci_init_controller", "pci_enable_msi", "->probe" })
        {
            Assert.Equal(folder.CallersOf(name), fromGit.CallersOf(name));
        }

        Assert.Contains((Caller, "acard_ahci_init_one"), fromGit.CallersOf("ahci_save_initial_config"));

        // A newer commit: one file changed; its index starts from the first commit's cache and reads one file.
        repo.Edit(Caller, "static int acard_ahci_init_one(", "static void acard_new_helper(void)\n{\n\tahci_save_initial_config(NULL, NULL);\n}\n\nstatic int acard_ahci_init_one(");
        string second = repo.Commit("ata: acard: a new helper");
        var next = TreeIndex.LoadOrBuild(new GitCommitFiles(repo.Path, second), _cache.FullName, out var seeded);
        Assert.Equal(1, seeded.Reindexed);
        Assert.Contains((Caller, "acard_new_helper"), next.CallersOf("ahci_save_initial_config"));

        // Each commit keeps its own cache: the first loads without reading a file, and still lacks the new helper.
        var again = TreeIndex.LoadOrBuild(new GitCommitFiles(repo.Path, first), _cache.FullName, out var warm);
        Assert.Equal(0, warm.Reindexed);
        Assert.True(warm.FromCache);
        Assert.DoesNotContain((Caller, "acard_new_helper"), again.CallersOf("ahci_save_initial_config"));
    }

    [Fact]
    public void Files_are_read_at_the_commit_whatever_the_checkout_holds_and_paths_stay_inside()
    {
        using var repo = KernelGitRepo.Create(Library, Caller);
        string commit = repo.Git("rev-parse", "HEAD");
        string original = repo.Read(Caller);
        repo.Write(Caller, "changed in the work tree, not committed\n");
        using var tree = new GitCommitTree(repo.Path, commit, _cache.FullName);

        Assert.True(tree.TryRead(Caller, out string text));
        Assert.Equal(original, text);
        Assert.False(tree.TryRead("drivers/ata/no-such-file.c", out _));
        Assert.False(tree.TryRead("../" + Path.GetFileName(repo.Path) + "/" + Caller, out _));
        Assert.False(tree.TryRead("/etc/passwd", out _));
        Assert.False(tree.TryRead("drivers/ata\n" + commit + ":" + Caller, out _)); // one request per line: no smuggled second one
        Assert.False(tree.TryRead("drivers/ata", out _)); // a folder is not a file
        Assert.True(tree.TryRead(Library, out _)); // the reader is still in step after the refusals
    }

    [Fact]
    public void A_base_commit_the_clone_has_is_used_else_the_branch_head_and_the_choice_says_why()
    {
        using var repo = KernelGitRepo.Create(Library, Caller);
        string base1 = repo.Git("rev-parse", "HEAD");
        repo.Edit(Caller, "static int acard_ahci_init_one(", "/* moved on */\nstatic int acard_ahci_init_one(");
        string head = repo.Commit("ata: acard: a comment");
        using var trees = new GitTrees(capacity: 1, _cache.FullName);

        var exact = trees.Choose(repo.Path, base1[..10], "master");
        Assert.Equal(base1, Assert.IsType<GitCommitTree>(exact.Tree).Commit);
        Assert.Equal($"base-commit {base1[..12]} (from the series)", exact.Description);

        var unknown = trees.Choose(repo.Path, "0123456789abcdef0123456789abcdef01234567", "master");
        Assert.Equal(head, Assert.IsType<GitCommitTree>(unknown.Tree).Commit);
        Assert.Equal($"master at {head[..12]} (its base-commit 0123456789ab is not in the bot's tree)", unknown.Description);

        var none = trees.Choose(repo.Path, null, "master");
        Assert.Equal($"master at {head[..12]} (the series names no base-commit)", none.Description);
        Assert.Same(unknown.Tree, none.Tree); // one base, one tree

        var hostile = trees.Choose(repo.Path, "--output=/tmp/x", "master");
        Assert.Equal($"master at {head[..12]} (its base-commit is not a commit id)", hostile.Description);

        var noBranch = trees.Choose(repo.Path, null, "no-such-branch");
        Assert.Null(noBranch.Tree);
        Assert.StartsWith("no tree: no-such-branch is not a commit of", noBranch.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Caches_of_old_commits_are_pruned()
    {
        using var repo = KernelGitRepo.Create(Caller);
        for (int i = 0; i <= TreeIndex.CachesPerClone + 1; i++)
        {
            repo.Edit(Caller, "static int acard_ahci_init_one(", $"/* {i} */\nstatic int acard_ahci_init_one(");
            string commit = repo.Commit($"change {i}");
            TreeIndex.LoadOrBuild(new GitCommitFiles(repo.Path, commit), _cache.FullName, out _);
            Thread.Sleep(20); // distinct write times
        }

        Assert.Equal(TreeIndex.CachesPerClone, _cache.GetFiles("git-*.idx").Length);
    }

    [Fact]
    public void Ls_tree_output_gives_regular_c_blobs_only()
    {
        byte[] output = System.Text.Encoding.UTF8.GetBytes(
            "100644 blob 1111111111111111111111111111111111111111\tdrivers/a.c\0"
            + "100644 blob 2222222222222222222222222222222222222222\tdrivers/a.h\0"
            + "120000 blob 3333333333333333333333333333333333333333\tdrivers/link.c\0"
            + "160000 commit 4444444444444444444444444444444444444444\tsub.c\0"
            + "100755 blob 5555555555555555555555555555555555555555\tdrivers/with space.c\0"
            + "garbage without a tab\0");

        Assert.Equal(
            [("drivers/a.c", "1111111111111111111111111111111111111111"), ("drivers/with space.c", "5555555555555555555555555555555555555555")],
            GitCommitFiles.ParseLsTree(output));
    }
}
