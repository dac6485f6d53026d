using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Runtime;
using MimeKit;
using PatchBot.Engine.Check;
using PatchBot.Engine.Inputs;
using PatchBot.Engine.Tree;
using PatchBot.PatchParser.C;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Findings;

namespace PatchBot.Bench;

/// <summary>
/// <c>patchbot-bench [MBOX] [--threads N] [--repeat K] [--scale S] [--tree DIR] [--patchbot PATH]</c>: the throughput
/// and memory figures of README's Performance section, measured as ratios within one run (floor and pipeline
/// alternate, so both see the same machine load): MimeKit alone parsing the mbox and decoding every text body (the
/// floor), the whole <c>check</c> pipeline on one thread and on N, the mbox concatenated S times (streamed from a
/// temporary file), the start-up of the native <c>patchbot</c> on one patch, and optionally the tree index cold and warm.
/// Paths are relative to the working folder: run it from the repository root (scripts/bench does).
/// </summary>
internal static class BenchCommand
{
    /// <summary>Exit code for usage errors, as patchbot's.</summary>
    private const int UsageError = 2;

    /// <summary>The sample measured when no MBOX is given, relative to the repository root.</summary>
    internal const string DefaultSample = "tests/corpus/sample/linux-pci-sample.mbox.gz";

    /// <summary>Where the first patch of the one-patch measure comes from, relative to the repository root.</summary>
    private const string OnePatchCases = "tests/corpus/cases";

    /// <summary>Where scripts/patchbot publishes the native build, relative to the repository root.</summary>
    private const string NativePatchbot = "artifacts/patchbot/patchbot";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var mbox = new Argument<string?>("mbox")
        {
            Description = $"The mbox to measure (.gz read as gzip); default: {DefaultSample}.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var threads = new Option<int>("--threads")
        {
            Description = "Workers of the parallel run (default: one per processor).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var repeat = new Option<int>("--repeat")
        {
            Description = "Rounds of (floor, pipeline N threads, pipeline 1 thread); medians are reported.",
            DefaultValueFactory = _ => 5,
        };
        var scale = new Option<int>("--scale")
        {
            Description = "Also measure the mbox concatenated this many times (0: skip).",
            DefaultValueFactory = _ => 20,
        };
        var tree = new Option<string?>("--tree")
        {
            Description = "A kernel tree: also measure its index cold (fresh cache folder) and warm, and the tokenizer over it.",
        };
        var patchbot = new Option<string?>("--patchbot")
        {
            Description = $"The native patchbot whose start-up on one patch is measured (default: {NativePatchbot} when it exists; none: skipped).",
        };
        var treeOnly = new Option<bool>("--tree-only")
        {
            Description = "Measure only the tree index of --tree (cold and warm), nothing of the mbox.",
        };
        var git = new Option<string[]>("--git")
        {
            Description = "With --tree-only: --tree is a git clone; index these commits from its objects, in order (the first cold, each next one seeded from the one before: the cost of a new base).",
            AllowMultipleArgumentsPerToken = true,
        };
        var floorOnly = new Option<bool>(FloorOnlyOption)
        {
            Description = "Measure the floor once and print it as one line (used by the bench itself to measure the floor under workstation GC).",
            Hidden = true,
        };
        var root = new RootCommand("Measure throughput and memory of the check pipeline against MimeKit alone.")
        {
            mbox, threads, repeat, scale, tree, treeOnly, git, patchbot, floorOnly,
        };
        root.SetAction(parse =>
        {
            if (parse.GetValue(floorOnly) && parse.GetValue(mbox) is { } only)
            {
                var m = Floor(only);
                stdout.WriteLine(string.Create(Inv, $"{FloorLine} {m.Elapsed.Ticks} {m.Messages} {m.Bytes} {m.PeakRss} {m.Cpu.Ticks} {m.Gen0} {m.GcPause.Ticks} {m.Allocated}"));
                return 0;
            }

            if (parse.GetValue(treeOnly))
            {
                if (parse.GetValue(tree) is not { } treeDir || !Directory.Exists(treeDir))
                {
                    stderr.WriteLine("patchbot-bench: --tree-only needs --tree DIR");
                    return UsageError;
                }

                stdout.WriteLine($"machine: {Environment.ProcessorCount} processors, load {LoadAverage()}, {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "Native AOT")}, server GC {GCSettings.IsServerGC}");
                if (parse.GetValue(git) is { Length: > 0 } commits)
                {
                    return GitTreeBench(treeDir, commits, Math.Max(1, parse.GetValue(threads)), stdout, stderr);
                }

                for (int r = 0; r < Math.Max(1, parse.GetValue(repeat)); r++)
                {
                    TreeBench(treeDir, Math.Max(1, parse.GetValue(threads)), stdout, indexOnly: true);
                }

                return 0;
            }

            string path = parse.GetValue(mbox) ?? DefaultSample;
            if (!File.Exists(path))
            {
                stderr.WriteLine($"patchbot-bench: {path}: not found; give an MBOX (run from the repository root for the default).");
                return UsageError;
            }

            string? treePath = parse.GetValue(tree);
            if (treePath is not null && !Directory.Exists(treePath))
            {
                stderr.WriteLine($"patchbot-bench: --tree {treePath}: no such directory");
                return UsageError;
            }

            string? native = parse.GetValue(patchbot) ?? (File.Exists(NativePatchbot) ? NativePatchbot : null);
            if (native is not null && !File.Exists(native))
            {
                stderr.WriteLine($"patchbot-bench: --patchbot {native}: not found");
                return UsageError;
            }

            Report(path, Math.Max(1, parse.GetValue(threads)), Math.Max(1, parse.GetValue(repeat)), Math.Max(0, parse.GetValue(scale)), treePath, native, stdout);
            return 0;
        });

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                stderr.WriteLine($"patchbot-bench: {error.Message}");
            }

            return UsageError;
        }

        return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static void Report(string path, int threads, int repeat, int scale, string? treePath, string? patchbot, TextWriter o)
    {
        o.WriteLine($"patchbot-bench: {path}");
        o.WriteLine($"machine: {Environment.ProcessorCount} processors, load {LoadAverage()}, {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "Native AOT")}, server GC {GCSettings.IsServerGC}");

        // Stage breakdown (the profile): framing alone, MailReader sequential (MIME + classify + decode + diff).
        long before = GC.GetAllocatedBytesForCurrentThread();
        var framing = Time(() => CountFrames(path));
        long afterFraming = GC.GetAllocatedBytesForCurrentThread();
        var read = Time(() => MailReader.Read(OpenMbox(path), path).Count());
        long afterRead = GC.GetAllocatedBytesForCurrentThread();
        o.WriteLine(string.Create(Inv, $"stages (1 thread): framing {Sec(framing.Elapsed)} ({(afterFraming - before) / 1e6:0} MB allocated), framing+MIME+classify+decode+diff {Sec(read.Elapsed)} ({(afterRead - afterFraming) / 1e6:0} MB allocated)"));
        if (threads > 1)
        {
            var readN = Time(() => MailReader.Read(OpenMbox(path), path, null, threads).Count());
            o.WriteLine($"stages ({threads} threads): framing+MIME+classify+decode+diff {Sec(readN.Elapsed)} ({read.Elapsed / readN.Elapsed:0.00}x of 1 thread)");
        }

        var floors = new List<Measure>();
        var parallels = new List<Measure>();
        var singles = new List<Measure>();
        for (int r = 0; r < repeat; r++)
        {
            floors.Add(FloorFair(path));
            parallels.Add(Pipeline(path, threads));
            singles.Add(Pipeline(path, 1));
        }

        var floor = Median(floors);
        var parallel = Median(parallels);
        var single = Median(singles);
        o.WriteLine($"rounds: {repeat}; medians; ratios are medians of per-round ratios");
        Print(o, $"floor (MimeKit parse + decode text bodies, 1 thread{(floor.WorkstationGc ? "; own process, workstation GC" : "")})", floor);
        Print(o, $"pipeline --threads {threads}", parallel);
        Print(o, "pipeline --threads 1", single);
        o.WriteLine($"pipeline/floor throughput: {MedianRatio(floors, parallels):0.00} ({threads} threads), {MedianRatio(floors, singles):0.00} (1 thread); best of {repeat} over best of {repeat}: {BestRatio(floors, parallels):0.00}, {BestRatio(floors, singles):0.00}");
        o.WriteLine($"{threads} threads / 1 thread throughput: {MedianRatio(singles, parallels):0.00}x (best of {repeat}: {BestRatio(singles, parallels):0.00}x); the machine gives a perfectly parallel CPU loop {ParallelProbe(threads):0.00}x on {threads} threads right now (other load)");
        o.WriteLine($"CPU time pipeline/floor (load-independent cost): {single.Cpu / floor.Cpu:0.00} (1 thread), {parallel.Cpu / floor.Cpu:0.00} ({threads} threads)");

        if (scale > 1)
        {
            string big = Path.Combine(Path.GetTempPath(), $"patchbot-bench-{Environment.ProcessId}-x{scale}.mbox{(IsGzip(path) ? ".gz" : "")}");
            try
            {
                // Gzip members concatenated make one gzip stream of the concatenated mboxes: nothing is decompressed here.
                using (var target = File.Create(big))
                {
                    for (int i = 0; i < scale; i++)
                    {
                        using var source = File.OpenRead(path);
                        source.CopyTo(target);
                    }
                }

                var bigFloor = FloorFair(big);
                var bigPipeline = Pipeline(big, threads);
                o.WriteLine($"x{scale} (the mbox {scale} times, streamed):");
                Print(o, bigFloor.WorkstationGc ? "  floor (own process, workstation GC)" : "  floor", bigFloor);
                Print(o, $"  pipeline --threads {threads}", bigPipeline);
                o.WriteLine($"  pipeline/floor throughput: {bigFloor.Elapsed.TotalSeconds / bigPipeline.Elapsed.TotalSeconds:0.00}");
            }
            finally
            {
                File.Delete(big);
            }
        }

        if (patchbot is not null && OnePatchMedian(patchbot) is { } one)
        {
            o.WriteLine($"one patch ({one.File}): median {one.Median.TotalMilliseconds:0} ms over {one.Runs} runs of `{patchbot} check`, start-up included");
        }

        if (treePath is not null)
        {
            TreeBench(treePath, threads, o);
        }
    }

    private sealed record Measure(TimeSpan Elapsed, long Messages, long Patches, long Bytes, long PeakRss, int Findings = 0)
    {
        public TimeSpan Cpu { get; init; }

        public int Gen0 { get; init; }

        /// <summary>Time the process spent paused in GC (every thread stopped): work that does not run in parallel.</summary>
        public TimeSpan GcPause { get; init; }

        /// <summary>Bytes allocated on the managed heap by every thread.</summary>
        public long Allocated { get; init; }

        /// <summary>Most and mean messages the series window held (pipeline only).</summary>
        public int WindowMax { get; init; }

        public double WindowMean { get; init; }

        /// <summary>Most analysed units that waited for an earlier one before going into the report (pipeline only).</summary>
        public int ResultsWaitingMax { get; init; }

        /// <summary>Measured in a child process under workstation GC (see <see cref="FloorFair"/>).</summary>
        public bool WorkstationGc { get; init; }
    }

    private const string FloorOnlyOption = "--floor-only";

    private const string FloorLine = "floor-only:";

    /// <summary>
    /// The floor under the GC that suits MimeKit alone best: this build uses server GC for the parallel pipeline,
    /// which makes a single-threaded parse loop slower (many small gen0 collections), so the floor is measured in a
    /// child process of this executable with workstation GC (DOTNET_gcServer=0). In-process when not server GC or
    /// when the executable cannot be run again (run through <c>dotnet patchbot-bench.dll</c>).
    /// </summary>
    private static Measure FloorFair(string path)
    {
        string? self = Environment.ProcessPath;
        if (!GCSettings.IsServerGC || self is null || !Path.GetFileNameWithoutExtension(self).Equals("patchbot-bench", StringComparison.Ordinal))
        {
            return Floor(path);
        }

        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { path, FloorOnlyOption })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        using var p = Process.Start(start)!;
        var errors = p.StandardError.ReadToEndAsync(); // both pipes drained at once: a chatty child cannot block
        string output = p.StandardOutput.ReadToEnd();
        errors.GetAwaiter().GetResult();
        p.WaitForExit();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(FloorLine, StringComparison.Ordinal));
        if (p.ExitCode != 0 || line is null)
        {
            return Floor(path);
        }

        long[] v = [.. line[FloorLine.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => long.Parse(x, Inv))];
        return new Measure(TimeSpan.FromTicks(v[0]), v[1], 0, v[2], v[3])
        {
            Cpu = TimeSpan.FromTicks(v[4]),
            Gen0 = (int)v[5],
            GcPause = TimeSpan.FromTicks(v[6]),
            Allocated = v[7],
            WorkstationGc = true,
        };
    }

    private static Measure Floor(string path)
    {
        ResetPeak();
        var gc = GcMark.Now();
        var cpu = CpuTime();
        var clock = Stopwatch.StartNew();
        using var counting = new CountingStream(OpenMbox(path));
        var parser = new MimeParser(counting, MimeFormat.Mbox, persistent: false);
        long messages = 0;
        while (!parser.IsEndOfStream)
        {
            MimeMessage message;
            try
            {
                message = parser.ParseMessage();
            }
            catch (FormatException)
            {
                break;
            }

            messages++;
            using var disposing = message; // as the pipeline does: an undisposed message waits for its finalizer
            foreach (var part in message.BodyParts)
            {
                if (part is TextPart text)
                {
                    _ = text.Text;
                }
            }
        }

        return gc.Complete(new Measure(clock.Elapsed, messages, 0, counting.Count, PeakRss()) { Cpu = CpuTime() - cpu });
    }

    private static Measure Pipeline(string path, int threads)
    {
        ResetPeak();
        var gc = GcMark.Now();
        var cpu = CpuTime();
        var clock = Stopwatch.StartNew();
        var counting = new CountingStream(OpenMbox(path));
        var settings = new CheckSettings { Paths = [path], Threads = threads, NoTree = true };
        var runner = new CheckRunner(settings, AnalysisOptions.Default);
        using var report = runner.Run([new InputSource(path, () => counting)]);
        return gc.Complete(new Measure(clock.Elapsed, report.Messages, report.Patches, counting.Count, PeakRss(), report.Findings.Count)
        {
            Cpu = CpuTime() - cpu,
            WindowMax = runner.MaxPendingMessages,
            WindowMean = runner.MeanPendingMessages,
            ResultsWaitingMax = runner.MaxWaitingResults,
        });
    }

    private static void Print(TextWriter o, string name, Measure m)
    {
        double s = m.Elapsed.TotalSeconds;
        string patches = m.Patches > 0 ? $", {m.Patches / s:0} patches/s, {m.Findings} findings, series window held {m.WindowMean:0} messages (at most {m.WindowMax}), at most {m.ResultsWaitingMax} results waited for an earlier one" : "";
        o.WriteLine(string.Create(Inv, $"{name}: {Sec(m.Elapsed)}, {m.Messages} messages, {m.Messages / s:0} msgs/s, {m.Bytes / 1e6 / s:0.0} MB/s{patches}, peak RSS {m.PeakRss / (1024 * 1024)} MB, CPU {m.Cpu.TotalSeconds:0.000} s ({m.Cpu / m.Elapsed:0.00} cores busy), {m.Gen0} GCs, paused {m.GcPause.TotalSeconds:0.000} s, allocated {m.Allocated / 1e6:0} MB"));
    }

    /// <summary>What the machine offers at this moment: throughput of a CPU-bound loop on <paramref name="threads"/>
    /// threads over one thread (2.0 on an idle 2-core machine; less when other processes take the cores).</summary>
    private static double ParallelProbe(int threads)
    {
        const int units = 64;
        static long Spin(int seed)
        {
            ulong x = (ulong)seed + 1;
            for (int i = 0; i < 4_000_000; i++)
            {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
            }

            return (long)(x & 1);
        }

        var one = Stopwatch.StartNew();
        long sink = 0;
        for (int i = 0; i < units; i++)
        {
            sink += Spin(i);
        }

        one.Stop();
        var many = Stopwatch.StartNew();
        long sink2 = 0;
        Parallel.For(0, units, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => Interlocked.Add(ref sink2, Spin(i)));
        many.Stop();
        return sink + sink2 >= 0 ? one.Elapsed.TotalSeconds / many.Elapsed.TotalSeconds : 0;
    }

    /// <summary>The GC counters at the start of a measure.</summary>
    private readonly record struct GcMark(int Collections, TimeSpan Pause, long Allocated)
    {
        public static GcMark Now() => new(GC.CollectionCount(0), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: false));

        public Measure Complete(Measure m) => m with
        {
            Gen0 = GC.CollectionCount(0) - Collections,
            GcPause = GC.GetTotalPauseDuration() - Pause,
            Allocated = GC.GetTotalAllocatedBytes(precise: false) - Allocated,
        };
    }

    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static string Sec(TimeSpan t) => string.Create(Inv, $"{t.TotalSeconds:0.000} s");

    private static Measure Median(List<Measure> runs) => runs.OrderBy(m => m.Elapsed).ElementAt(runs.Count / 2);

    /// <summary>Median over rounds of base time / other time (the throughput ratio of other to base).</summary>
    private static double MedianRatio(List<Measure> baseline, List<Measure> other)
    {
        var ratios = baseline.Zip(other, (b, x) => b.Elapsed.TotalSeconds / x.Elapsed.TotalSeconds).Order().ToList();
        return ratios[ratios.Count / 2];
    }

    /// <summary>Best (shortest) base time over best other time: other load only ever adds time, so the best runs
    /// are the least disturbed ones.</summary>
    private static double BestRatio(List<Measure> baseline, List<Measure> other) =>
        baseline.Min(m => m.Elapsed.TotalSeconds) / other.Min(m => m.Elapsed.TotalSeconds);

    private static (TimeSpan Elapsed, T Value) Time<T>(Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        var value = work();
        return (clock.Elapsed, value);
    }

    private static int CountFrames(string path)
    {
        using var stream = OpenMbox(path);
        return MailReader.CountFrames(stream);
    }

    private static bool IsGzip(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        return f.ReadAtLeast(head, 2, throwOnEndOfStream: false) == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    private static Stream OpenMbox(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return IsGzip(path) ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16) : file;
    }

    /// <summary>The median wall time of the native <c>patchbot check</c> on the first corpus case, start-up included.</summary>
    private static (string File, TimeSpan Median, int Runs)? OnePatchMedian(string patchbot)
    {
        string? one = Directory.Exists(OnePatchCases) ? Directory.GetFiles(OnePatchCases, "*.eml").Order(StringComparer.Ordinal).FirstOrDefault() : null;
        if (one is null)
        {
            return null;
        }

        const int runs = 21;
        var times = new List<TimeSpan>();
        for (int i = 0; i < runs; i++)
        {
            var start = new ProcessStartInfo(patchbot) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "check", "--no-tree", "--format", "terse", one })
            {
                start.ArgumentList.Add(a);
            }

            var clock = Stopwatch.StartNew();
            using var p = Process.Start(start)!;
            var errors = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            errors.GetAwaiter().GetResult();
            p.WaitForExit();
            times.Add(clock.Elapsed);
        }

        times.Sort();
        return (Path.GetFileName(one), times[runs / 2], runs);
    }

    /// <summary>The index of each commit of a git clone, from its objects: the first in a fresh cache folder, each next one
    /// seeded from the caches before it (what serve pays for a new base), then the first again from its own cache.</summary>
    private static int GitTreeBench(string repository, string[] revisions, int threads, TextWriter o, TextWriter e)
    {
        var cache = Directory.CreateTempSubdirectory("patchbot-bench-cache-");
        try
        {
            var ids = new List<string>();
            foreach (var rev in revisions)
            {
                if (GitCommitTree.Resolve(repository, rev) is not { } id)
                {
                    e.WriteLine($"patchbot-bench: --git {rev}: not a commit of {repository}");
                    return UsageError;
                }

                ids.Add(id);
            }

            foreach (var (id, what) in ids.Select((id, i) => (id, i == 0 ? "cold" : "seeded")).Append((ids[0], "warm")))
            {
                ResetPeak();
                var cpu = CpuTime();
                var run = Time(() => TreeIndex.LoadOrBuild(new GitCommitFiles(repository, id), cache.FullName, out var s, threads) is { } i ? s : null);
                var stats = run.Value!;
                o.WriteLine(string.Create(Inv, $"git index {id[..12]} {what}: {stats.Files} files ({stats.Reindexed} read), {stats.Functions} functions in {Sec(run.Elapsed)} (CPU {(CpuTime() - cpu).TotalSeconds:0.0} s, peak RSS {PeakRss() / (1024 * 1024)} MB); load {LoadAverage()}"));
            }

            return 0;
        }
        finally
        {
            cache.Delete(recursive: true);
        }
    }

    private static void TreeBench(string root, int threads, TextWriter o, bool indexOnly = false)
    {
        var cache = Directory.CreateTempSubdirectory("patchbot-bench-cache-");
        try
        {
            ResetPeak();
            var cpu = CpuTime();
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            int gcs = GC.CollectionCount(0);
            var cold = Time(() => TreeIndex.LoadOrBuild(root, cache.FullName, out var s, threads) is { } i ? s : null);
            long coldPeak = PeakRss();
            var coldCpu = CpuTime() - cpu;
            long coldAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            gcs = GC.CollectionCount(0) - gcs;
            ResetPeak();
            var warm = Time(() => TreeIndex.LoadOrBuild(root, cache.FullName, out var s, threads) is { } i ? s : null);
            long warmPeak = PeakRss();
            long cacheBytes = cache.EnumerateFiles().Sum(f => f.Length);
            o.WriteLine($"tree index {root}: {cold.Value!.Files} files, {cold.Value.Functions} functions; cold {Sec(cold.Elapsed)} ({threads} threads, fresh cache folder, OS page cache warm; CPU {coldCpu.TotalSeconds:0.0} s, peak RSS {coldPeak / (1024 * 1024)} MB, allocated {coldAllocated / 1e6:0} MB, {gcs} GCs), warm {Sec(warm.Elapsed)} (peak RSS {warmPeak / (1024 * 1024)} MB; cache {cacheBytes / (1024 * 1024)} MB); load {LoadAverage()}");
        }
        finally
        {
            cache.Delete(recursive: true);
        }

        if (indexOnly)
        {
            return;
        }

        string quirks = Path.Combine(root, "drivers", "pci", "quirks.c");
        if (File.Exists(quirks))
        {
            string text = File.ReadAllText(quirks);
            long tokens = 0;
            var clock = Stopwatch.StartNew();
            int rounds = 0;
            while (clock.ElapsedMilliseconds < 1000)
            {
                tokens += CountTokens(text);
                rounds++;
            }

            o.WriteLine(string.Create(Inv, $"tokenizer on drivers/pci/quirks.c ({text.Length} chars): {tokens / clock.Elapsed.TotalSeconds / 1e6:0.0} M tokens/s over {rounds} rounds"));
        }

        long total = 0, chars = 0;
        var tokenizing = new Stopwatch();
        var reading = Stopwatch.StartNew();
        foreach (string file in Directory.EnumerateFiles(root, "*.c", SearchOption.AllDirectories))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }

            chars += text.Length;
            tokenizing.Start();
            total += CountTokens(text);
            tokenizing.Stop();
        }

        reading.Stop();
        o.WriteLine(string.Create(Inv, $"tokenizer over every .c file: {total / 1e6:0.0} M tokens, {chars / 1e6:0} M chars in {Sec(tokenizing.Elapsed)}: {total / tokenizing.Elapsed.TotalSeconds / 1e6:0.0} M tokens/s (1 thread; reading and decoding took {Sec(reading.Elapsed - tokenizing.Elapsed)} more)"));
    }

    private static long CountTokens(string text)
    {
        var reader = new CTokenizer(text, new CTokenizerOptions { MaxTokens = int.MaxValue });
        long n = 0;
        while (reader.Read())
        {
            n++;
        }

        return n;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>Resets the kernel's peak RSS (VmHWM) after giving back what the GC holds, so each measure has its own peak.</summary>
    private static void ResetPeak()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak is then the process's since start.
        }
    }

    /// <summary>VmHWM of /proc/self/status, in bytes (0 when unknown).</summary>
    private static long PeakRss()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), Inv) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>Counts the bytes read through it (the uncompressed size of the mbox).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            Count += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Count += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
