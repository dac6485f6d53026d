using System.Diagnostics;
using SharpFuzz;

namespace PatchBot.Fuzz;

/// <summary>
/// <c>PatchBot.Fuzz HARNESS</c> runs a harness under AFL++ (SharpFuzz's forkserver loop, inputs from AFL).
/// <c>PatchBot.Fuzz HARNESS --run FILE...</c> runs it once per file and prints the time each took (triage).
/// <c>PatchBot.Fuzz seeds CASES_DIR OUT_DIR</c> writes the seed corpora (OUT_DIR/mail, diff, c, reply).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["seeds", var cases, var outDir])
        {
            Console.WriteLine($"{Seeds.Write(cases, outDir)} seeds written to {outDir}");
            return 0;
        }

        var all = Harnesses.All.Concat(ReplyHarness.All).ToDictionary(StringComparer.Ordinal);
        if (args.Length == 0 || !all.TryGetValue(args[0], out var harness))
        {
            Console.Error.WriteLine($"usage: PatchBot.Fuzz {{{string.Join('|', all.Keys)}}} [--run FILE...]");
            return 2;
        }

        if (args.Length > 1 && args[1] == "--run")
        {
            int failures = 0;
            foreach (string file in args.Skip(2))
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    harness(File.ReadAllBytes(file));
                    Console.WriteLine($"{file}: ok in {watch.ElapsedMilliseconds} ms");
                }
#pragma warning disable CA1031 // triage reports every failure and goes on with the next file
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failures++;
                    Console.WriteLine($"{file}: {ex.GetType().Name} after {watch.ElapsedMilliseconds} ms: {ex}");
                }
            }

            return failures == 0 ? 0 : 1;
        }

        Fuzzer.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            harness(buffer.ToArray());
        });
        return 0;
    }
}
