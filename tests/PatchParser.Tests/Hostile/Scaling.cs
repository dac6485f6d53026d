using System.Diagnostics;

namespace PatchBot.PatchParser.Tests.Hostile;

/// <summary>
/// Checks that work grows no faster than the input: the same generator at x1, x10 and x100, measuring the bytes
/// allocated on this thread (deterministic) and the elapsed time (best of a few runs; only ratios, never absolute
/// times, with generous margins: linear work gives ratios near 10, quadratic near 100).
/// </summary>
internal static class Scaling
{
    /// <summary>Allowed ratio between two sizes ten times apart (linear is 10; quadratic is 100).</summary>
    private const double AllocationRatio = 25;

    private const double TimeRatio = 40;

    private static readonly int[] Scales = [1, 10, 100];

    /// <summary>Elapsed-time floor so a tiny x10 measurement does not make noise look like growth.</summary>
    private static readonly TimeSpan TimeFloor = TimeSpan.FromMilliseconds(5);

    public sealed record Measure(int Scale, long Input, long Allocated, TimeSpan Elapsed, long Work);

    /// <param name="make">Builds the input at a scale (1, 10, 100).</param>
    /// <param name="size">The input's size (characters, bytes, items): the generator must grow it linearly.</param>
    /// <param name="run">The work; returns a count of something it produced (tokens, lines, files) that must grow with the input.</param>
    public static IReadOnlyList<Measure> AssertLinear<T>(Func<int, T> make, Func<T, long> size, Func<T, long> run)
    {
        var inputs = Scales.Select(scale => (scale, input: make(scale))).ToList();
        run(inputs[0].input); // JIT and caches warm

        // Time is noisy on a shared machine: a failing time ratio is measured again (up to three times) before it counts.
        for (int attempt = 1; ; attempt++)
        {
            var measures = MeasureAll(inputs, size, run);
            string report = string.Join("; ", measures.Select(m => $"x{m.Scale}: input {m.Input}, work {m.Work}, {m.Allocated} B, {m.Elapsed.TotalMilliseconds:F1} ms"));
            for (int i = 1; i < measures.Count; i++)
            {
                Measure small = measures[i - 1], large = measures[i];
                double inputRatio = (double)large.Input / small.Input;
                Assert.True(inputRatio is > 5 and < 20, $"the generator does not grow the input tenfold: {report}");
                Assert.True(large.Work > small.Work, $"the work count does not grow with the input: {report}");
                Assert.True(large.Allocated <= AllocationRatio * Math.Max(small.Allocated, 64 * 1024), $"allocation grows faster than the input: {report}");
            }

            Measure x10 = measures[1], x100 = measures[2];
            double timeRatio = x100.Elapsed / (x10.Elapsed > TimeFloor ? x10.Elapsed : TimeFloor);
            if (timeRatio <= TimeRatio)
            {
                return measures;
            }

            Assert.True(attempt < 3, $"time grows faster than the input (x10 -> x100: {timeRatio:F1}): {report}");
        }
    }

    private static List<Measure> MeasureAll<T>(List<(int Scale, T Input)> inputs, Func<T, long> size, Func<T, long> run)
    {
        var measures = new List<Measure>();
        foreach (var (scale, input) in inputs)
        {
            long allocated = long.MaxValue;
            var best = TimeSpan.MaxValue;
            long work = 0;
            for (int r = 0; r < 3; r++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                work = run(input);
                watch.Stop();
                allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
                best = watch.Elapsed < best ? watch.Elapsed : best;
            }

            measures.Add(new Measure(scale, size(input), allocated, best, work));
        }

        return measures;
    }
}
