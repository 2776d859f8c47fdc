using System.Diagnostics;
using System.Globalization;
using ToolOrchestra.Synthesis;
using ToolOrchestra.Synthesis.Offline;

namespace ToolOrchestra.Bench;

/// <summary>
/// Offline ToolScale synthesis throughput: <c>orchestra synth --domains 10 --tasks-per-domain 100</c> (the issue's
/// target: under 60 s on 2 cores) at several domain concurrencies, into a fresh folder each run. Verified tasks per
/// second count kept tasks only; the rejection rate is rejected candidates over all candidates; CPU % is process CPU
/// time over wall time (200 % = both of two cores busy). A warm-up run fills the JIT.
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- synth [--domains 10] [--tasks 100] [--evolve 0] [--concurrency 1,2]
/// </summary>
public static class SynthThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var domains = Int(args, "--domains", 10);
        var tasks = Int(args, "--tasks", 100);
        var evolve = Int(args, "--evolve", 0);
        var concurrencies = (Value(args, "--concurrency") ?? "1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var root = Path.Combine(Path.GetTempPath(), "toolorchestra-bench-synth-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            await RunOnceAsync(Path.Combine(root, "warmup"), 2, 20, evolve, 2);
            Console.WriteLine($"Offline synthesis: {domains} domains x {tasks} verified tasks, evolve {evolve}; {Environment.ProcessorCount} cores");
            Console.WriteLine("| concurrency | kept | candidates | rejection % | verified tasks/s | CPU % | wall s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var c in concurrencies)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var report = await RunOnceAsync(Path.Combine(root, "c" + c.ToString(CultureInfo.InvariantCulture)), domains, tasks, evolve, c);
                var wall = clock.Elapsed.TotalSeconds;
                var cpuPercent = 100 * (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / wall;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {c} | {report.Kept} | {report.Candidates} | {100 * report.RejectionRate:0.0} | {report.Kept / wall:0.0} | {cpuPercent:0} | {wall:0.00} |"));
            }
            return 0;
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static Task<SynthReport> RunOnceAsync(string dir, int domains, int tasks, int evolve, int concurrency) =>
        new SynthesisPipeline(new OfflineBackend(), new SynthOptions(domains, tasks, dir, Seed: 1, Evolve: evolve, Concurrency: concurrency))
            .RunAsync(null, CancellationToken.None);

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
