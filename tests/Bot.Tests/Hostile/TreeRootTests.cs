using PatchBot.Engine.Tree;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary><c>--tree DIR/</c> (a trailing slash, as shell completion writes it) is the same tree as <c>--tree DIR</c>.</summary>
public class TreeRootTests
{
    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("//")]
    public void A_trailing_separator_names_the_same_tree(string suffix)
    {
        var dir = Directory.CreateTempSubdirectory("patchbot-root-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "drivers", "pci"));
            File.WriteAllText(Path.Combine(dir.FullName, "drivers", "pci", "quirks.c"), "int x;\n");
            var tree = new KernelTree(dir.FullName + suffix, Path.Combine(dir.FullName, ".cache"));

            Assert.Equal(dir.FullName, tree.Root);
            Assert.True(tree.TryRead("drivers/pci/quirks.c", out var text));
            Assert.Equal("int x;\n", text);
            Assert.False(tree.TryRead("../outside.c", out _));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
