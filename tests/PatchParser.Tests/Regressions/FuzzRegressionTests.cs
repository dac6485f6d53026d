using System.Diagnostics;
using PatchBot.Fuzz;
using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Tests.Regressions;

/// <summary>
/// Every input the fuzzers found (Regressions/Inputs/HARNESS/*) goes through the same harness code as under AFL++
/// and must finish without an exception, in well under the fuzzers' 1 s hang bound (with a margin for a loaded CI).
/// </summary>
public class FuzzRegressionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    public static string InputsDir => Path.Combine(RepoPaths.Root, "tests", "PatchParser.Tests", "Regressions", "Inputs");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string harness in Harnesses.All.Keys.Order(StringComparer.Ordinal))
        {
            string dir = Path.Combine(InputsDir, harness);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
            {
                data.Add(harness, file);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Found_input_runs_clean_and_fast(string harness, string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(InputsDir, harness, file));
        Assert.True(input.Length <= 1024 * 1024, "regression inputs are minimised");
        var watch = Stopwatch.StartNew();
        Harnesses.All[harness](input);
        Assert.True(watch.Elapsed < Bound, $"{harness}/{file} took {watch.Elapsed}");
    }

    [Fact]
    public void Every_harness_has_a_folder_of_inputs()
    {
        foreach (string harness in Harnesses.All.Keys)
        {
            Assert.True(Directory.Exists(Path.Combine(InputsDir, harness)), harness);
        }
    }

    [Theory]
    [InlineData("i =")]
    [InlineData("a b")]
    [InlineData(" ")]
    [InlineData("ab cd")]
    public void Git_header_with_short_odd_paths_is_read(string paths)
    {
        var diff = DiffReader.Read($"diff --git {paths}\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n");
        var file = Assert.Single(diff.Files);
        Assert.Equal("x.c", file.NewPath);
    }
}
