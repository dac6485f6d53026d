using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Tests.Diff;

public sealed class PatchApplierTests
{
    private static string Numbered(int n, Func<int, string>? text = null) =>
        string.Concat(Enumerable.Range(1, n).Select(i => (text?.Invoke(i) ?? $"line {i}") + "\n"));

    private const string Patch = "--- a/f.c\n+++ b/f.c\n@@ -4,3 +4,4 @@\n line 4\n-line 5\n+five\n+five and a half\n line 6\n";

    [Fact]
    public void Applies_in_place_and_returns_the_whole_file()
    {
        var file = DiffReader.Read(Patch).Files[0];

        var (whole, problems) = PatchApplier.Apply(file, Numbered(8));

        Assert.Empty(problems);
        var lines = Assert.Single(whole.Hunks).Lines;
        Assert.Equal(10, lines.Count);
        Assert.Equal(9, lines.Count(l => l.Kind != DiffLineKind.Removed));
        var added = lines.Where(l => l.Kind == DiffLineKind.Added).Select(l => (l.Text, l.NewLine));
        Assert.Equal([("five", 5), ("five and a half", 6)], added);
        Assert.Equal(("line 8", 8, 9), (lines[^1].Text, lines[^1].OldLine, lines[^1].NewLine));
        Assert.Equal((DiffLineKind.Removed, 5), (lines[4].Kind, lines[4].OldLine));
    }

    [Fact]
    public void Finds_a_hunk_the_tree_has_moved()
    {
        var file = DiffReader.Read(Patch).Files[0];
        string moved = "extra a\nextra b\nextra c\n" + Numbered(8);

        var (whole, problems) = PatchApplier.Apply(file, moved);

        Assert.Empty(problems);
        Assert.Equal(8, whole.Hunks[0].Lines.Single(l => l.Text == "five").NewLine);
    }

    [Fact]
    public void Reports_a_hunk_that_does_not_apply_and_keeps_the_file()
    {
        var file = DiffReader.Read(Patch).Files[0];

        var (whole, problems) = PatchApplier.Apply(file, Numbered(8, i => $"other {i}"));

        var problem = Assert.Single(problems);
        Assert.Contains("does not apply", problem.Message, StringComparison.Ordinal);
        Assert.Equal(8, whole.Hunks[0].Lines.Count);
        Assert.All(whole.Hunks[0].Lines, l => Assert.Equal(DiffLineKind.Context, l.Kind));
    }

    [Fact]
    public void Creates_a_new_file_from_nothing()
    {
        var file = DiffReader.Read("--- /dev/null\n+++ b/n.c\n@@ -0,0 +1,2 @@\n+a\n+b\n").Files[0];
        var (whole, problems) = PatchApplier.Apply(file, null);
        Assert.Empty(problems);
        Assert.Equal([1, 2], whole.Hunks[0].Lines.Select(l => l.NewLine));
    }
}
