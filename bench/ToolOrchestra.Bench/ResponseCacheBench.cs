using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;
using ToolOrchestra.Models.Caching;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Bench;

/// <summary>
/// The response cache's overhead per call on a SQLite store holding <c>--entries</c> calls (default 1,000,000, filled in
/// one bulk transaction): hashing a realistic request (system prompt, a 2 KB question, 4 turns, 3 tools), a store
/// lookup that hits and one that misses, a whole hit through the pipeline step (key, lookup, replay, ledger entry), and
/// a whole miss (key, lookup, the call — an instant in-process reply — and the insert). Each timed <c>--calls</c> times
/// (default 20,000) on random keys after a warm-up; p50/p90/p99 printed. Target: a hit under 0.2 ms at p50.
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- cache [--entries 1000000] [--calls 20000] [--reply-bytes 600] [--keep]
/// </summary>
public static class ResponseCacheBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var entries = Int(args, "--entries", 1_000_000);
        var calls = Int(args, "--calls", 20_000);
        var replyBytes = Int(args, "--reply-bytes", 600);
        var path = Path.Combine(Path.GetTempPath(), $"toolorchestra-bench-cache-{Environment.ProcessId}.db");
        try
        {
            var model = new ModelEntry("gpt-5", "http://127.0.0.1:1/v1", "gpt-5", new Price(1.25m, 10m), ["proprietary"]);
            await using var cache = await ResponseCacheStore.OpenAsync(path, "bench");
            var store = (ResponseCacheStore)cache.Store;
            var reply = CachedCall.From(new ChatResponse(new ChatMessage(ChatRole.Assistant, new string('r', replyBytes))) { FinishReason = ChatFinishReason.Stop },
                new LedgerEntry(1, CallKind.Expert, "answer", "answer-1", "gpt-5", 2400, 300, 0.006m, 2.5));
            var rng = new Random(11);
            var keys = new byte[entries][];
            var fill = Stopwatch.StartNew();
            const int batch = 100_000;
            for (var start = 0; start < entries; start += batch)
            {
                var n = Math.Min(batch, entries - start);
                for (var i = start; i < start + n; i++) rng.NextBytes(keys[i] = new byte[36]);
                await store.SaveManyAsync(Enumerable.Range(start, n).Select(i => (keys[i], reply)));
            }
            fill.Stop();
            var size = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);

            // A realistic expert request: what the QA protocol sends on a late turn.
            var tools = new[] { "search", "enhance_reasoning", "answer" }.Select(n =>
                (AITool)AIFunctionFactory.CreateDeclaration(n, $"The {n} tool: give it a model alias.",
                    System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"model":{"type":"string","enum":["search-1","search-2","reasoner-1","answer-1","answer-2"]}},"required":["model"]}""").RootElement)).ToList();
            List<ChatMessage> Request(int i)
            {
                var m = new List<ChatMessage> { new(ChatRole.System, "You are good at using tools. " + new string('s', 800)), new(ChatRole.User, $"Question {i}: " + new string('q', 2048)) };
                for (var t = 0; t < 4; t++)
                {
                    m.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{t}", "search", new Dictionary<string, object?> { ["model"] = "search-1" })]));
                    m.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"c{t}", "Documents: " + new string('d', 1500))]));
                }
                return m;
            }
            ChatOptions Options(Ledger ledger) => new LedgerScope(ledger, 3, CallKind.Expert, "answer", "answer-1").Apply(new ChatOptions { Temperature = 0, MaxOutputTokens = 2048, Tools = tools });

            var requests = Enumerable.Range(0, 1000).Select(Request).ToList();
            // The whole hit: the pipeline step over a wire that must never be reached.
            var hits = new ChatClientBuilder(new Unreachable()).UseResponseCache(cache, model).Build();
            var hitKeys = new List<byte[]>();
            foreach (var (r, i) in requests.Select((r, i) => (r, i)))
                hitKeys.Add(ResponseCacheKey.WithSample(ResponseCacheKey.Request(model, r, Options(new Ledger()), 2048), 0));
            await store.SaveManyAsync(hitKeys.Select(k => (k, reply)));
            // The whole miss: the same step over the ledger step and an instant in-process reply.
            var misses = new ChatClientBuilder(new Instant(replyBytes)).UseResponseCache(cache, model).UseLedger(model, Core.Text.EstimatingTokenCounter.Instance).Build();

            var rows = new List<(string What, double[] Ms)>
            {
                ("request key (SHA-256 of the canonical request)", await TimeAsync(calls, i => { ResponseCacheKey.Request(model, requests[i % requests.Count], Options(new Ledger()), 2048); return Task.CompletedTask; })),
                ("store lookup, hit", await TimeAsync(calls, async i => { if (await store.FindAsync(keys[rng.Next(entries)]) is null) throw new InvalidOperationException("lost row"); })),
                ("store lookup, miss", await TimeAsync(calls, async i => { var k = new byte[36]; rng.NextBytes(k); if (await store.FindAsync(k) is not null) throw new InvalidOperationException("phantom row"); })),
                ("whole hit through the pipeline step", await TimeAsync(calls, async i => await hits.GetResponseAsync(requests[i % requests.Count], Options(new Ledger())))),
                ("whole miss: key, lookup, call, insert", await TimeAsync(Math.Min(calls, 5000), async i =>
                {
                    var r = Request(1_000_000 + i); // a request never seen
                    await misses.GetResponseAsync(r, Options(new Ledger()));
                }, excludeSetup: false)),
            };

            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"SQLite store: {entries:N0} entries ({size / 1048576.0:0} MiB, reply {replyBytes} B), filled in {fill.Elapsed.TotalSeconds:0.0} s ({entries / fill.Elapsed.TotalSeconds:N0} rows/s); {Environment.ProcessorCount} cores"));
            Console.WriteLine();
            Console.WriteLine("| per call | p50 | p90 | p99 | calls | target |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var (what, ms) in rows)
                Console.WriteLine(string.Create(c, $"| {what} | {Pct(ms, 0.5):0.000} ms | {Pct(ms, 0.9):0.000} ms | {Pct(ms, 0.99):0.000} ms | {ms.Length:N0} | {(what.StartsWith("whole hit", StringComparison.Ordinal) ? "< 0.2 ms p50" : "")} |"));
            Console.WriteLine(string.Create(c, $"counters: {cache.Stats.Hits:N0} hits, {cache.Stats.Misses:N0} misses, paid ${cache.Stats.PaidUsd:0.####}, saved ${cache.Stats.SavedUsd:0.####}"));
            return 0;
        }
        finally
        {
            if (args.Contains("--keep")) Console.WriteLine($"store kept at {path}");
            else foreach (var f in new[] { path, path + "-wal", path + "-shm" }) if (File.Exists(f)) File.Delete(f);
        }
    }

    private static async Task<double[]> TimeAsync(int calls, Func<int, Task> call, bool excludeSetup = true)
    {
        for (var i = 0; i < Math.Min(500, calls); i++) await call(i); // warm-up: JIT, connection, pages
        var ms = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await call(calls + i);
            ms[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(ms);
        return ms;
    }

    private static double Pct(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed class Unreachable : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("a hit reached the wire");
        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    private sealed class Instant(int replyBytes) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, new string('r', replyBytes)))
            {
                Usage = new UsageDetails { InputTokenCount = 2400, OutputTokenCount = 300 },
            });
        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }
}
