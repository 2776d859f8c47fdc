using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Server;

namespace ToolOrchestra.Bench;

/// <summary>
/// <c>orchestra serve</c>'s own cost, against the simulated experts on loopback (their replies at once):
/// the added latency of one request over calling the same engine in process (paired, same question, alternating),
/// the throughput of many concurrent clients, and the process's managed heap and working set across many requests.
/// <c>dotnet run -c Release --project bench/ToolOrchestra.Bench -- serve [--pairs 300] [--clients 200] [--requests 10000]</c>
/// </summary>
public static class ServeOverhead
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var pairs = Arg("--pairs", 300);
        var clients = Arg("--clients", 200);
        var requests = Arg("--requests", 10_000);

        var dir = Directory.CreateTempSubdirectory("serve-bench-").FullName;
        var world = World.Generate(4, WorldOptions.Small);
        await using var experts = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(world), 0);
        var catalog = Path.Combine(dir, "catalog.json");
        File.WriteAllText(catalog, SimulatedCatalog.Json(experts.BaseUrl));
        WorldRetrieval.Build(world, Path.Combine(dir, "world"));
        var index = Path.Combine(dir, "world", WorldRetrieval.IndexFile);
        void Engine(Runtime.Hosting.OrchestraOptions o) { o.Index = index; o.TopK = 5; o.Code = false; o.MaxTurns = 8; }
        await using var server = await OrchestraServer.StartAsync(new ServerOptions
        {
            CatalogPath = catalog, Store = StoreLocation.Parse(Path.Combine(dir, "orchestra.db")), Port = 0, RunsDirectory = Path.Combine(dir, "runs"), Engine = Engine,
        });
        await using var inProcess = OrchestratorProfile.Create("orchestrator", catalog, Path.Combine(dir, "runs-in-process"), Engine);
        var questions = world.TestTasks.Where(t => t.Family == TaskFamily.Lookup).Select(t => t.Question).Take(20).ToList();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { Timeout = TimeSpan.FromMinutes(5) };
        var url = new Uri(server.Address, "v1/chat/completions");

        async Task<double> ServedAsync(string q)
        {
            var body = new JsonObject { ["model"] = "orchestrator", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = q }) };
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync(url, new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
            await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"HTTP {(int)response.StatusCode}");
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        async Task<double> DirectAsync(string q)
        {
            var started = Stopwatch.GetTimestamp();
            await inProcess.Orchestrator.RunAsync(new OrchestrationRequest(q));
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        for (var i = 0; i < 30; i++) { await ServedAsync(questions[i % questions.Count]); await DirectAsync(questions[i % questions.Count]); } // warm-up, JIT
        var added = new List<double>();
        var served = new List<double>();
        var direct = new List<double>();
        for (var i = 0; i < pairs; i++)
        {
            var q = questions[i % questions.Count];
            // Alternate the order so neither side always runs on a warmer cache.
            var (s, d) = i % 2 == 0 ? (await ServedAsync(q), await DirectAsync(q)) : Swap(await DirectAsync(q), await ServedAsync(q));
            served.Add(s);
            direct.Add(d);
            added.Add(s - d);
        }

        var load = Stopwatch.StartNew();
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            for (var i = 0; i < 5; i++) { await ServedAsync(questions[(c + i) % questions.Count]); Interlocked.Increment(ref done); }
        }));
        var throughput = done / load.Elapsed.TotalSeconds;

        var memory = new List<(int Requests, long Heap, long WorkingSet)>();
        var sent = 0;
        while (sent < requests)
        {
            var batch = Math.Min(1000, requests - sent);
            var next = sent;
            await Task.WhenAll(Enumerable.Range(0, 50).Select(async w =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) <= sent + batch) await ServedAsync(questions[n % questions.Count]);
            }));
            sent += batch;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            memory.Add((sent, GC.GetTotalMemory(true), Process.GetCurrentProcess().WorkingSet64));
        }

        Console.WriteLine($"orchestra serve overhead vs the engine in process, simulated experts on loopback ({Environment.ProcessorCount} cores, load {LoadAverage()})");
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| in-process run, p50 / p99 | {P(direct, 50):0.00} / {P(direct, 99):0.00} ms |");
        Console.WriteLine($"| served run (HTTP, auth, admission, booking), p50 / p99 | {P(served, 50):0.00} / {P(served, 99):0.00} ms |");
        Console.WriteLine($"| added by the server, paired, p50 / p99 ({pairs} pairs) | {P(added, 50):0.00} / {P(added, 99):0.00} ms |");
        Console.WriteLine($"| throughput, {clients} concurrent clients × 5 requests | {throughput:0} requests/s |");
        foreach (var (n, heap, ws) in memory.Where((_, i) => i == 0 || i == memory.Count / 2 || i == memory.Count - 1))
            Console.WriteLine($"| after {n} requests: managed heap / working set | {heap / 1048576.0:0.0} / {ws / 1048576.0:0} MiB |");
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        return 0;
    }

    private static (double, double) Swap(double direct, double served) => (served, direct);

    private static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
