using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ToolOrchestra.Evaluation.Reports;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Bench;

/// <summary>
/// <c>orchestra eval report</c> over a large store: seeds <c>--samples</c> samples (default 100,000) across <c>--runs</c>
/// runs in a SQLite store, each with a realistic ledger (1–6 turns, an orchestrator generation and a tool call per turn)
/// and a trajectory of <c>--trajectory-kb</c> KB that the report does not read, then times building the report
/// (Table 1, sweep, shares, frontier) and writing Markdown, HTML, CSV and JSON, <c>--repeat</c> times (median printed).
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- eval-report [--samples 100000] [--runs 4] [--trajectory-kb 3] [--repeat 3] [--keep]
/// </summary>
public static class EvalReportBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var samples = Int(args, "--samples", 100_000);
        var runs = Int(args, "--runs", 4);
        var trajectoryKb = Int(args, "--trajectory-kb", 3);
        var repeat = Int(args, "--repeat", 3);
        var keep = args.Contains("--keep");
        var path = Path.Combine(Path.GetTempPath(), $"toolorchestra-bench-eval-{Environment.ProcessId}.db");
        try
        {
            var seed = Stopwatch.StartNew();
            await SeedAsync(path, samples, runs, trajectoryKb);
            seed.Stop();
            var size = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
            var ids = Enumerable.Range(0, runs).Select(Run).ToList();
            var times = new List<double>();
            EvalReport? report = null;
            for (var i = 0; i < repeat; i++)
            {
                var sw = Stopwatch.StartNew();
                await using (var store = await EvalStore.OpenAsync(StoreLocation.Parse(path)))
                    report = await EvalReport.BuildAsync(store, new ReportRequest(ids));
                var written = MarkdownReport.Write(report).Length + HtmlReport.Write(report).Length + JsonReport.Write(report).Length
                              + CsvReport.Tables(report).Values.Sum(t => t.Length);
                sw.Stop();
                times.Add(sw.Elapsed.TotalSeconds);
                if (written == 0) throw new InvalidOperationException("empty report");
            }
            times.Sort();
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine("| samples | runs | store size | seed time | report (median of " + repeat + ") | samples/s | target |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            Console.WriteLine(string.Create(c, $"| {samples:N0} | {runs} | {size / 1048576.0:0} MiB | {seed.Elapsed.TotalSeconds:0.0} s | {times[times.Count / 2]:0.00} s (min {times[0]:0.00}, max {times[^1]:0.00}) | {samples / times[times.Count / 2]:N0} | < 10 s |"));
            Console.WriteLine(string.Create(c, $"accuracy of {report!.Runs[0].RunId}: {report.Runs[0].Accuracy:0.000} over {report.Runs[0].Samples} samples"));
            return 0;
        }
        finally
        {
            if (keep) Console.WriteLine($"store kept at {path} (time the command: ./orchestra eval report --store {path} run-0 run-1 run-2 run-3 --out DIR)");
            else foreach (var f in new[] { path, path + "-wal", path + "-shm" }) if (File.Exists(f)) File.Delete(f);
        }
    }

    private static string Run(int i) => $"run-{i}";

    private static async Task SeedAsync(string path, int samples, int runs, int trajectoryKb)
    {
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(path));
        var rng = new Random(7);
        string[] aliases = ["search-1", "search-2", "search-3", "reasoner-1", "reasoner-3", "answer-1", "answer-2", "answer-4"];
        string[] models = ["gpt-5", "gpt-5-mini", "qwen3-32b", "gpt-5", "qwen2.5-coder-32b", "gpt-5", "gpt-5-mini", "qwen3-32b"];
        var padding = new string('x', trajectoryKb * 1024);
        for (var r = 0; r < runs; r++)
            await store.BeginRunAsync(new EvalRunInfo(Run(r), "qa", "orchestrated", $"policy-{r}", "catalog.json", "train", "{\"max_turns\":50}", DateTimeOffset.UnixEpoch.AddMinutes(r)));
        for (var i = 0; i < samples; i++)
        {
            var run = Run(i % runs);
            var turns = 1 + rng.Next(6);
            var calls = new List<object>();
            decimal cost = 0;
            double seconds = 0;
            for (var t = 1; t <= turns; t++)
            {
                calls.Add(new { turn = t, kind = "orchestrator", tool = "orchestrator", alias = (string?)null, model = "qwen3-8b", input_tokens = 3000, output_tokens = 200, cost_usd = 0.00064m, latency_s = 0.8, tokens_estimated = false });
                var a = rng.Next(aliases.Length);
                var (c, s) = (0.0001m * (a + 1), 1.0 + a);
                calls.Add(new { turn = t, kind = "expert", tool = aliases[a].Split('-')[0], alias = aliases[a], model = models[a], input_tokens = 2000, output_tokens = 500, cost_usd = c, latency_s = s, tokens_estimated = false });
                cost += 0.00064m + c;
                seconds += s;
            }
            var failed = rng.Next(100) == 0;
            await store.SaveSampleAsync(new EvalSample(run, $"s{i:D7}")
            {
                Status = failed ? SampleStatus.Failed : SampleStatus.Done, TaskId = $"task-{i / runs}", Answer = "a", Gold = "a",
                Correct = failed ? null : rng.Next(3) > 0, VerdictSource = "exact", CostUsd = cost, ToolSeconds = seconds, WallSeconds = seconds + turns,
                Turns = turns, StopReason = failed ? "error" : "answered", Error = failed ? "endpoint_error: 503" : null,
                CallsJson = JsonSerializer.Serialize(calls), TrajectoryJson = "{\"id\":\"" + i + "\",\"padding\":\"" + padding + "\"}",
            });
        }
    }

    private static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
