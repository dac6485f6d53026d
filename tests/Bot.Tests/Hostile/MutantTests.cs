using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using PatchBot.Bot.Cli;

namespace PatchBot.Bot.Tests.Hostile;

/// <summary>Mutants run alone: the time bounds below are per input and should not count other test classes' work.</summary>
[CollectionDefinition(nameof(HostileTiming), DisableParallelization = true)]
public sealed class HostileTiming;

/// <summary>
/// Several thousand mutants of the corpus (see <see cref="Mutants"/>) through <c>patchbot check</c>: no crash, exit
/// code 0, 1 or 2 only, bounded time per input, and the good messages interleaved with them in an mbox still checked.
/// </summary>
[Collection(nameof(HostileTiming))]
public class MutantTests
{
    private const int PerCase = 60;

    /// <summary>Per-input bound in process: far above what a message takes (milliseconds), far below a hang.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan HugeBound = TimeSpan.FromSeconds(60);

    private static readonly Lazy<List<(string Name, byte[] Bytes)>> Cases = new(() =>
        Directory.EnumerateFiles(RepoPaths.CorpusCases, "*.eml").Order(StringComparer.Ordinal)
            .Select(p => (Path.GetFileNameWithoutExtension(p), File.ReadAllBytes(p))).ToList());

    /// <summary>Single-patch cases the labels give a finding for (the good messages to interleave).</summary>
    private static readonly Lazy<List<(string Name, byte[] Bytes)>> GoodCases = new(() =>
        CorpusLabels.All.Where(c => c.Expect.Count > 0 && c.Series.Count == 0)
            .Select(c => (c.Name, File.ReadAllBytes(Path.Combine(RepoPaths.CorpusCases, c.Name + ".eml"))))
            .Take(3).ToList());

    private static readonly Lazy<List<Mutant>> All = new(() =>
    {
        var list = Mutants.Of(Cases.Value, PerCase).ToList();
        list.AddRange(Mutants.Huge(GoodCases.Value[0].Bytes));
        return list;
    });

    private static (int Exit, string Stdout, string Stderr) CheckInProcess(byte[] input, params string[] extra)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = PatchBotCli.Run(["check", "--format", "json", .. extra, "-"], stdout, stderr, () => new MemoryStream(input, writable: false));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A good case as a fresh message: its own Message-ID, no threading headers.</summary>
    private static byte[] GoodCopy(byte[] bytes, string messageId)
    {
        var lines = Encoding.Latin1.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        int end = lines.FindIndex(l => l.Length == 0);
        lines.RemoveAll(l => lines.IndexOf(l) < end && (l.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("In-Reply-To:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("References:", StringComparison.OrdinalIgnoreCase)));
        lines.Insert(0, $"Message-ID: <{messageId}>");
        return Encoding.Latin1.GetBytes(string.Join('\n', lines));
    }

    [Fact]
    public void Mutants_are_several_thousand_and_deterministic()
    {
        Assert.True(All.Value.Count >= 2500, $"{All.Value.Count} mutants");
        var again = Mutants.Of(Cases.Value, PerCase).Take(50).ToList();
        Assert.Equal(All.Value.Take(50).Select(m => Convert.ToHexString(m.Bytes)), again.Select(m => Convert.ToHexString(m.Bytes)));
        Assert.NotEmpty(GoodCases.Value);
    }

    [Fact]
    public void Good_cases_alone_give_findings()
    {
        foreach (var (name, bytes) in GoodCases.Value)
        {
            var (exit, stdout, _) = CheckInProcess(GoodCopy(bytes, $"alone-{name}@hostile.test"));
            Assert.Equal(1, exit);
            Assert.Contains($"alone-{name}@hostile.test", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_mutant_in_process_exits_0_1_or_2_in_bounded_time()
    {
        var slow = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();
        var worst = TimeSpan.Zero;
        object gate = new();
        Parallel.ForEach(All.Value, new ParallelOptions { MaxDegreeOfParallelism = 2 }, mutant =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var (exit, _, stderr) = CheckInProcess(mutant.Bytes);
                if (exit is not (0 or 1 or 2))
                {
                    failures.Add($"{mutant.Name}: exit {exit}: {stderr}");
                }
            }
#pragma warning disable CA1031 // every escaping exception is a finding of this test, reported with its mutant
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures.Add($"{mutant.Name}: {ex}");
            }

            var elapsed = watch.Elapsed;
            lock (gate)
            {
                worst = elapsed > worst ? elapsed : worst;
            }

            if (elapsed > (mutant.Huge ? HugeBound : Bound))
            {
                slow.Add($"{mutant.Name}: {elapsed.TotalSeconds:F1} s");
            }
        });

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        Assert.True(slow.IsEmpty, string.Join("\n", slow.Take(10)));
    }

    [Fact]
    public void Real_cli_on_mboxes_of_mutants_still_checks_the_good_messages()
    {
        const int Mboxes = 4;
        const int GoodEvery = 40;
        string dir = Directory.CreateTempSubdirectory("patchbot-hostile-").FullName;
        try
        {
            var writers = Enumerable.Range(0, Mboxes).Select(i => File.Create(Path.Combine(dir, $"mutants-{i}.mbox"))).ToArray();
            var goodIds = Enumerable.Range(0, Mboxes).Select(_ => new List<string>()).ToArray();
            var mutants = All.Value;
            for (int n = 0; n < mutants.Count; n++)
            {
                int box = n % Mboxes;
                if (n / Mboxes % GoodEvery == 0)
                {
                    var (name, bytes) = GoodCases.Value[goodIds[box].Count % GoodCases.Value.Count];
                    string id = $"good-{box}-{goodIds[box].Count}-{name}@hostile.test";
                    goodIds[box].Add(id);
                    Append(writers[box], GoodCopy(bytes, id));
                }

                Append(writers[box], mutants[n].Bytes);
            }

            for (int box = 0; box < Mboxes; box++)
            {
                var (name, bytes) = GoodCases.Value[0];
                string id = $"good-{box}-last-{name}@hostile.test";
                goodIds[box].Add(id);
                Append(writers[box], GoodCopy(bytes, id));
                writers[box].Dispose();
            }

            for (int box = 0; box < Mboxes; box++)
            {
                var watch = Stopwatch.StartNew();
                // Mutants that cannot be read are skipped (an input error by default): accepted here, where what counts
                // is that the good messages around them are checked.
                var result = CliProcess.Run(["check", "--format", "json", "--allow-skipped", Path.Combine(dir, $"mutants-{box}.mbox")]);
                Assert.True(result.ExitCode is 0 or 1 or 2, $"mbox {box}: exit {result.ExitCode}\n{result.Stderr}");
                Assert.Equal(1, result.ExitCode); // the good messages have findings
                Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), $"mbox {box}: {watch.Elapsed}");
                var missed = goodIds[box].Where(id => !result.Stdout.Contains(id, StringComparison.Ordinal)).ToList();
                Assert.True(missed.Count == 0, $"mbox {box}: good messages not checked: {string.Join(", ", missed)}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static readonly byte[] FromLine = "From mutant@hostile.test Mon Jan  1 00:00:00 2024\n"u8.ToArray();

    /// <summary>One mbox message: a "From " line, the bytes, and a blank line (a cut-off mutant cannot swallow the next).</summary>
    private static void Append(Stream mbox, byte[] message)
    {
        mbox.Write(FromLine);
        mbox.Write(message);
        mbox.Write("\n\n"u8);
    }
}
