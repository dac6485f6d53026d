namespace PatchBot.Bot.Tests.Hostile;

/// <summary>An option patchbot does not know is a usage error that checks nothing, not a file name.</summary>
public class UnknownOptionTests
{
    [Theory]
    [InlineData("--strict")]
    [InlineData("-x")]
    [InlineData("--format=terse --strict")]
    public void Unknown_option_is_a_usage_error_that_checks_nothing(string options)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a patch\n");
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            int exit = Cli.PatchBotCli.Run(["check", .. options.Split(' '), file], stdout, stderr, () => Stream.Null);

            Assert.Equal(2, exit);
            Assert.Equal(string.Empty, stdout.ToString()); // nothing was checked
            Assert.Contains("unknown option", stderr.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("no such file", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Standard_input_is_still_a_path()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = Cli.PatchBotCli.Run(["check", "--format", "terse", "-"], stdout, stderr,
            () => new MemoryStream("diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n"u8.ToArray()));

        Assert.Equal(0, exit);
    }
}
