using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Security.Cryptography;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Bench;

/// <summary>
/// Offline GRPO training throughput at several parallelisms, as <c>orchestra train --world offline</c> trains (default
/// world, demo curriculum, real index, real sandbox behind the code-hash cache), without the one-off world and index
/// build. A warm-up run of the same steps fills the code cache and the JIT, so every measured run does the same work;
/// each parallelism then trains from the same seed <c>--runs</c> times and the median is printed. Episodes per second
/// count rollouts; CPU % is process CPU time over wall time (200 % = both of two cores busy); CPU ms per episode is the
/// work itself, which a busy machine changes less than it changes wall time. The weights column is
/// the SHA-256 of the trained weights: equal across rows means parallelism did not change the result.
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- training [--steps 40] [--runs 3] [--parallel 1,2,4]
/// </summary>
public static class TrainingThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var steps = Int(args, "--steps", 40);
        var runs = Int(args, "--runs", 3);
        var parallelisms = (Value(args, "--parallel") ?? "1,2,4").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var dir = Path.Combine(Path.GetTempPath(), "toolorchestra-bench-training-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            var world = World.Generate(1);
            var catalog = SimulatedCatalog.Create();
            var code = new CachingCodeRunner(new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10, MemoryMb = 512 }, catalog.ToolPrices));
            var episodes = new OfflineEpisodes(world, catalog, WorldRetrieval.Build(world, dir, catalog.ToolPrices), code);

            Console.Error.WriteLine($"warm-up: {steps} steps at parallelism {parallelisms.Max()} (fills the code cache and the JIT)");
            await TrainOnceAsync(episodes, steps, parallelisms.Max());

            Console.WriteLine($"Offline training throughput: {steps} steps x 64 episodes, median of {runs} runs; " +
                $"{Environment.ProcessorCount} cores, GC {(GCSettings.IsServerGC ? "server" : "workstation")}" +
                $"{(GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : ", concurrent")}; load average before: {LoadAverage()}");
            Console.WriteLine("| parallelism | episodes/s | CPU % | CPU ms/episode | GC pause % | wall s | weights |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|");
            foreach (var p in parallelisms)
            {
                var measured = new List<Measurement>();
                for (var r = 0; r < runs; r++) measured.Add(await TrainOnceAsync(episodes, steps, p));
                var m = measured.OrderBy(x => x.EpisodesPerSecond).ElementAt(measured.Count / 2);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {p} | {m.EpisodesPerSecond:0} | {m.CpuPercent:0} | {m.CpuPercent * 10 / m.EpisodesPerSecond:0.00} | {m.GcPausePercent:0.0} | {m.WallSeconds:0.00} | {m.WeightsHash} |"));
            }
            return 0;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record Measurement(double EpisodesPerSecond, double CpuPercent, double GcPausePercent, double WallSeconds, string WeightsHash);

    private static async Task<Measurement> TrainOnceAsync(OfflineEpisodes episodes, int steps, int parallelism)
    {
        var policy = SoftmaxPolicy.Create(seed: 1);
        var trainer = new OfflineTrainer(episodes, policy, new OfflineTrainingOptions(steps, Seed: 1, Parallelism: parallelism,
            Curriculum: PreferenceProfiles.Curriculum));
        GC.Collect();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var pause = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();
        var reports = await trainer.TrainAsync();
        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        var pauseSeconds = (GC.GetTotalPauseDuration() - pause).TotalSeconds;
        var bytes = new byte[policy.Weights.Length * sizeof(double)];
        Buffer.BlockCopy(policy.Weights, 0, bytes, 0, bytes.Length);
        return new Measurement(reports.Sum(r => r.Episodes) / wall, 100 * cpuSeconds / wall, 100 * pauseSeconds / wall, wall,
            Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
