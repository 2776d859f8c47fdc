using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Bench;

/// <summary>
/// The evaluation harness's cost. (1) Overhead per sample beyond model calls: a benchmark whose samples cost nothing to
/// run (a realistic 12-call ledger and a ~20 KB trajectory, already made) through <see cref="EvalRunner"/> into a SQLite
/// store — scheduling, the resume check, serialising, one committed upsert per sample — at concurrency 1 and 4.
/// (2) Throughput with simulated experts: the offline benchmark (the world's held-out tasks, experts over loopback
/// HTTP, the heuristic LLM orchestrator) at concurrency 1, 2 and 4.
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- eval [--samples 2000] [--world default|small]
/// </summary>
public static class EvalHarnessBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var samples = args.SkipWhile(a => a != "--samples").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(2000);
        var world = args.SkipWhile(a => a != "--world").Skip(1).FirstOrDefault("default");
        var dir = Directory.CreateTempSubdirectory("bench-eval").FullName;
        try
        {
            Console.WriteLine($"Evaluation harness, {Environment.ProcessorCount} cores, load average before: {LoadAverage()}");
            Console.WriteLine("| what | concurrency | samples | wall s | per sample | samples/s |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var c in new[] { 1, 4 })
            {
                var options = new EvalRunOptions { Benchmark = "free", Store = Path.Combine(dir, $"free-{c}.db"), RunId = "bench", Concurrency = c };
                await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(options.Store));
                var bench = new FreeSamples(samples);
                await EvalRunner.RunAsync(options with { RunId = "warm", Limit = 50 }, store, bench); // JIT and the store's first pages
                var wall = Stopwatch.StartNew();
                await EvalRunner.RunAsync(options, store, bench);
                Row("harness overhead (no model calls; SQLite store)", c, samples, wall.Elapsed.TotalSeconds);
            }
            foreach (var c in new[] { 1, 2, 4 })
            {
                var options = new EvalRunOptions { Benchmark = "offline", Store = Path.Combine(dir, $"offline-{c}.db"), RunId = "bench", Concurrency = c, WorldSize = world };
                await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(options.Store));
                await using var bench = await EvalBenchmarks.CreateAsync(options, store, default);
                await EvalRunner.RunAsync(options with { RunId = "warm", Limit = 10 }, store, bench);
                var wall = Stopwatch.StartNew();
                var summary = await EvalRunner.RunAsync(options, store, bench);
                Row($"offline world ({world}), simulated experts over HTTP, heuristic orchestrator", c, summary.Ran, wall.Elapsed.TotalSeconds);
            }
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Row(string what, int concurrency, int n, double seconds) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {concurrency} | {n} | {seconds:0.00} | {seconds * 1000 / n:0.000} ms | {n / seconds:0} |"));

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>Samples that are already answered: what is left is the harness.</summary>
    private sealed class FreeSamples(int count) : IEvalBenchmark
    {
        private static readonly string Calls = SampleCall.ToJson(Enumerable.Range(1, 12).Select(i =>
            new LedgerEntry((i + 1) / 2, i % 2 == 1 ? CallKind.Orchestrator : CallKind.Expert, i % 2 == 1 ? "orchestrator" : "search", i % 2 == 1 ? null : "search-1",
                i % 2 == 1 ? "orchestrator-8b" : "gpt-5", 2400, 180, 0.0012m, 1.7)));
        private static readonly string Trajectory = JsonSerializer.Serialize(new { problem = new string('q', 400), turns = Enumerable.Range(0, 6).Select(i => new { prompt = new string('p', 3000), raw = new string('r', 300) }) }, OrchestraJson.Compact);

        public string Orchestrator => "none";
        public bool Simulated => true;
        public IReadOnlyList<EvalItem> Items { get; } = Enumerable.Range(0, count).Select(i => new EvalItem($"s{i:00000}", $"s{i:00000}")).ToList();
        public IReadOnlyList<string> Notes => [];
        public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

        public Task<EvalSample> RunAsync(string runId, EvalItem item, CancellationToken ct) => Task.FromResult(new EvalSample(runId, item.SampleId)
        {
            TaskId = item.TaskId, Answer = "Paris", Gold = "Paris", Correct = true, Reward = 1, VerdictSource = "exact", CostUsd = 0.0144m,
            ToolSeconds = 10.2, Turns = 6, StopReason = "answered", CallsJson = Calls, TrajectoryJson = Trajectory,
        });

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
