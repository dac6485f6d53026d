using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Tests.Diff;

public sealed class DiffReaderTests
{
    private const string GitPatch = """
        Subject: [PATCH] PCI: add a quirk

        Commit message.

        Signed-off-by: A Developer <a@example.org>
        ---
         drivers/pci/quirks.c | 3 ++-
         1 file changed, 2 insertions(+), 1 deletion(-)

        diff --git a/drivers/pci/quirks.c b/drivers/pci/quirks.c
        index 0123abc..4567def 100644
        --- a/drivers/pci/quirks.c
        +++ b/drivers/pci/quirks.c
        @@ -10,4 +10,5 @@ static void quirk_foo(struct pci_dev *dev)
         	int a;
        -	old_call(dev);
        +	new_call(dev);
        +	pci_add_dma_alias(dev, PCI_DEVFN(0, 0), 1);

         }
        --
        2.39.5

        """;

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Reads_files_hunks_and_line_numbers_in_LF_and_CRLF(string newline)
    {
        var diff = DiffReader.Read(GitPatch.Replace("\n", newline, StringComparison.Ordinal));

        Assert.Empty(diff.Problems);
        var file = Assert.Single(diff.Files);
        Assert.Equal("drivers/pci/quirks.c", file.Path);
        Assert.Equal(FileChangeKind.Modified, file.Change);
        Assert.Equal("0123abc", file.IndexOld);
        Assert.Equal("4567def", file.IndexNew);
        Assert.Equal("100644", file.NewMode);
        var hunk = Assert.Single(file.Hunks);
        Assert.Equal((10, 4, 10, 5), (hunk.OldStart, hunk.OldCount, hunk.NewStart, hunk.NewCount));
        Assert.Equal("static void quirk_foo(struct pci_dev *dev)", hunk.Section);
        Assert.Equal(
            [
                (DiffLineKind.Context, "\tint a;", 10, 10),
                (DiffLineKind.Removed, "\told_call(dev);", 11, 0),
                (DiffLineKind.Added, "\tnew_call(dev);", 0, 11),
                (DiffLineKind.Added, "\tpci_add_dma_alias(dev, PCI_DEVFN(0, 0), 1);", 0, 12),
                (DiffLineKind.Context, "", 12, 13),
                (DiffLineKind.Context, "}", 13, 14),
            ],
            hunk.Lines.Select(l => (l.Kind, l.Text, l.OldLine, l.NewLine)));
        Assert.Equal(15, hunk.Lines[0].PatchLine);
    }

    [Fact]
    public void Finds_the_start_of_the_diff_in_a_mail_body()
    {
        int start = DiffReader.FindDiffStart(GitPatch);
        Assert.StartsWith("diff --git a/drivers/pci/quirks.c", GitPatch[start..], StringComparison.Ordinal);
        Assert.Equal(-1, DiffReader.FindDiffStart("> diff --git a/x b/x\n> --- a/x\n> +++ b/x\n> @@ -1 +1 @@\n"));
        const string plain = "text\ndiff -u a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n+b\n";
        Assert.StartsWith("diff -u", plain[DiffReader.FindDiffStart(plain)..], StringComparison.Ordinal);
        Assert.Equal(-1, DiffReader.FindDiffStart("---\n a | 1 +\n--- only dashes\nno plus line\n"));
    }

    [Fact]
    public void Reads_git_extended_headers()
    {
        const string text = """
            diff --git a/old.c b/new.c
            similarity index 90%
            rename from old.c
            rename to new.c
            index 111..222
            --- a/old.c
            +++ b/new.c
            @@ -1 +1 @@
            -a
            +b
            diff --git a/gone.c b/gone.c
            deleted file mode 100644
            index 333..000
            --- a/gone.c
            +++ /dev/null
            @@ -1,2 +0,0 @@
            -x
            -y
            diff --git a/born.c b/born.c
            new file mode 100644
            index 000..444
            --- /dev/null
            +++ b/born.c
            @@ -0,0 +1 @@
            +z
            diff --git a/script.sh b/script.sh
            old mode 100644
            new mode 100755
            diff --git a/copy.c b/copy2.c
            dissimilarity index 12%
            copy from copy.c
            copy to copy2.c
            diff --git a/img.png b/img.png
            index 555..666 100644
            GIT binary patch
            literal 5
            McmZQzWMXFk0001ZOaK4?

            literal 0
            HcmV?d00001

            diff --git a/blob.bin b/blob.bin
            index 777..888 100644
            Binary files a/blob.bin and b/blob.bin differ
            """;
        var diff = DiffReader.Read(text);

        Assert.Empty(diff.Problems);
        Assert.Equal(7, diff.Files.Count);
        var rename = diff.Files[0];
        Assert.Equal((FileChangeKind.Renamed, "old.c", "new.c", 90), (rename.Change, rename.OldPath, rename.NewPath, rename.Similarity));
        var deleted = diff.Files[1];
        Assert.Equal((FileChangeKind.Deleted, "gone.c", (string?)null, "gone.c"), (deleted.Change, deleted.OldPath, deleted.NewPath, deleted.Path));
        Assert.Equal(2, deleted.Hunks[0].Lines.Count);
        var born = diff.Files[2];
        Assert.Equal((FileChangeKind.Added, (string?)null, "born.c"), (born.Change, born.OldPath, born.NewPath));
        Assert.Equal(1, born.Hunks[0].Lines[0].NewLine);
        Assert.Equal(("100644", "100755"), (diff.Files[3].OldMode, diff.Files[3].NewMode));
        Assert.Equal((FileChangeKind.Copied, "copy.c", "copy2.c", 12), (diff.Files[4].Change, diff.Files[4].OldPath, diff.Files[4].NewPath, diff.Files[4].Dissimilarity));
        Assert.True(diff.Files[5].IsBinary);
        Assert.True(diff.Files[6].IsBinary);
        Assert.Empty(diff.Files[6].Hunks);
    }

    [Fact]
    public void Reads_quoted_paths_with_escapes()
    {
        const string text = "diff --git \"a/dir/t\\303\\251st\\tx.c\" \"b/dir/t\\303\\251st\\tx.c\"\n"
            + "--- \"a/dir/t\\303\\251st\\tx.c\"\n+++ \"b/dir/t\\303\\251st\\tx.c\"\n@@ -1 +1 @@\n-a\n+b\n";
        var file = Assert.Single(DiffReader.Read(text).Files);
        Assert.Equal("dir/t\u00e9st\tx.c", file.Path);
        Assert.Equal("dir/t\u00e9st\tx.c", file.OldPath);
    }

    [Fact]
    public void Reads_a_plain_diff_with_timestamps_and_omitted_counts()
    {
        const string text = "--- linux.orig/drivers/a.c\t2024-01-01 10:00:00\n+++ linux/drivers/a.c\t2024-01-02 10:00:00\n@@ -5 +5,2 @@\n-old\n+new\n+more\n";
        var diff = DiffReader.Read(text);
        Assert.Empty(diff.Problems);
        var file = Assert.Single(diff.Files);
        Assert.Equal("drivers/a.c", file.Path);
        var hunk = Assert.Single(file.Hunks);
        Assert.Equal((5, 1, 5, 2), (hunk.OldStart, hunk.OldCount, hunk.NewStart, hunk.NewCount));
        Assert.Equal([5, 6], hunk.Lines.Where(l => l.Kind == DiffLineKind.Added).Select(l => l.NewLine));
    }

    [Fact]
    public void Marks_no_newline_at_end_of_file()
    {
        const string text = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n";
        var diff = DiffReader.Read(text);
        Assert.Empty(diff.Problems);
        Assert.All(diff.Files[0].Hunks[0].Lines, l => Assert.True(l.NoNewlineAtEnd));
    }

    [Fact]
    public void Reports_a_count_mismatch_and_carries_on_with_the_next_file()
    {
        const string text = "diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n"
            + "diff --git a/b.c b/b.c\n--- a/b.c\n+++ b/b.c\n@@ -1 +1 @@\n-x\n+y\n";
        var diff = DiffReader.Read(text);
        var problem = Assert.Single(diff.Problems);
        Assert.Contains("count mismatch", problem.Message, StringComparison.Ordinal);
        Assert.Equal(("a.c", 8), (problem.File, problem.Line));
        Assert.Equal(["a.c", "b.c"], diff.Files.Select(f => f.Path));
        Assert.Equal(2, diff.Files[1].Hunks[0].Lines.Count);
    }

    [Fact]
    public void Reports_extra_lines_after_a_complete_hunk()
    {
        const string text = "--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-b\n+c\n+d\n";
        var problem = Assert.Single(DiffReader.Read(text).Problems);
        Assert.Contains("more lines than the header says", problem.Message, StringComparison.Ordinal);
        Assert.Equal(6, problem.Line);
    }

    [Fact]
    public void Reports_a_truncated_hunk()
    {
        const string text = "--- a/a.c\n+++ b/a.c\n@@ -1,5 +1,5 @@\n a\n b\n";
        var diff = DiffReader.Read(text);
        var problem = Assert.Single(diff.Problems);
        Assert.StartsWith("truncated hunk", problem.Message, StringComparison.Ordinal);
        Assert.Equal(2, diff.Files[0].Hunks[0].Lines.Count);
    }

    [Fact]
    public void Reports_a_whitespace_damaged_patch_with_its_line()
    {
        const string text = "--- a/a.c\n+++ b/a.c\n@@ -1,3 +1,3 @@\n a\nb-lost-its-space\n-c\n+d\n@@ -10 +10 @@\n-e\n+f\n";
        var diff = DiffReader.Read(text);
        var problem = Assert.Single(diff.Problems);
        Assert.Contains("whitespace-damaged", problem.Message, StringComparison.Ordinal);
        Assert.Equal(5, problem.Line);
        Assert.Equal(2, diff.Files[0].Hunks.Count);
    }

    [Fact]
    public void Reports_malformed_hunk_headers_and_orphan_hunks()
    {
        var diff = DiffReader.Read("--- a/a.c\n+++ b/a.c\n@@ -x +1 @@\n@@ -1 +1 @@\n-a\n+b\ntext\n@@ -3 +3 @@\n");
        Assert.Equal(["malformed hunk header", "hunk without a file header"], diff.Problems.Select(p => p.Message));
        Assert.Single(diff.Files[0].Hunks);
    }

    [Fact]
    public void Limits_are_reported_not_exceeded()
    {
        var text = string.Concat(Enumerable.Range(0, 5).Select(i => $"--- a/f{i}\n+++ b/f{i}\n@@ -1 +1 @@\n-a\n+b\n"));
        var diff = DiffReader.Read(text, new DiffReaderOptions { MaxFiles = 3 });
        Assert.Equal(3, diff.Files.Count);
        Assert.Contains(diff.Problems, p => p.Message.Contains("more than 3 files", StringComparison.Ordinal));

        var longLine = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+" + new string('x', 100) + "\n";
        var cut = DiffReader.Read(longLine, new DiffReaderOptions { MaxLineLength = 10 });
        Assert.Equal(10, cut.Files[0].Hunks[0].Lines[1].Text.Length);
        Assert.Single(cut.Problems);
    }

    [Theory]
    [InlineData("")]
    [InlineData("@@")]
    [InlineData("diff --git")]
    [InlineData("diff --git \"a/unterminated")]
    [InlineData("--- a\n+++ b\n@@ -1,2147483647 +1 @@\n")]
    [InlineData("--- \"\\\n+++ \"\\7\n@@ -0,0 +0,0 @@\n")]
    [InlineData("\0\0\0--- a\n+++ b\n@@ -1 +1 @@\n\\\n\\\n")]
    public void Garbage_never_throws(string text)
    {
        var diff = DiffReader.Read(text);
        Assert.NotNull(diff);
    }

    [Fact]
    public void Every_truncation_of_a_real_patch_reads_without_throwing()
    {
        for (int i = 0; i < GitPatch.Length; i++)
        {
            var diff = DiffReader.Read(GitPatch[..i]);
            Assert.True(diff.Files.Count <= 1);
        }
    }
}
