using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Cli.Tests;

/// <summary>
/// A provider that answers 401 quoting back the key it was sent (as careless upstreams and proxies do) must not put
/// that key anywhere orchestra writes: run trajectories, the eval store, the serve store, the dashboard's API, a tau2
/// results file, stdout and stderr, or the OTLP logs and spans it exports.
/// </summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    // Neither key is shaped like a known secret (no sk-, no Bearer in the catalog): only the registry of configured
    // keys can catch the first mention in the echo, the Bearer pattern the second.
    private const string ExpertKey = "xp-Expert-Secret-0042-qq";
    private const string OrchestratorKey = "orch-Or5hestrator-Secret-77";
    private static readonly string[] Keys = [ExpertKey, OrchestratorKey];

    private readonly string _dir = Directory.CreateTempSubdirectory("secret-leak-").FullName;
    private FakeOpenAiServer _llm = null!;
    private OtlpCollector _otlp = null!;

    public async Task InitializeAsync()
    {
        _llm = await FakeOpenAiServer.StartAsync();
        _llm.Fallback = request => request.Model switch
        {
            "gpt-5" or "orch-rejected" => FakeReply.EchoingKey(),
            "user-model" => new FakeReply("Create a task 'Important Meeting' for user_1."),
            _ => request.ToolNames.Count > 0 ? FakeReply.Call("answer", new { model = "answer-1" }) : new FakeReply("<answer>4</answer>"),
        };
        _otlp = await OtlpCollector.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _llm.DisposeAsync();
        await _otlp.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["LEAK_EXPERT_KEY"] = ExpertKey,
        ["LEAK_ORCH_KEY"] = OrchestratorKey,
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _otlp.BaseUrl,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
    };

    /// <summary>The orchestrator's key is accepted and the expert's echoed back; or, with <paramref name="orchestratorRejected"/>, the orchestrator's.</summary>
    private string Catalog(string name, bool orchestratorRejected)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, """
            {"orchestrator":{"model":"orch"},
             "models":{"orch":{"endpoint":"URL","name":"ORCH_NAME","api_key_env":"LEAK_ORCH_KEY","price":{"input_per_million":0.2,"output_per_million":0.2}},
                       "gpt-5":{"endpoint":"URL","name":"gpt-5","api_key_env":"LEAK_EXPERT_KEY","price":{"input_per_million":1.25,"output_per_million":10}},
                       "user":{"endpoint":"URL","name":"user-model","price":{"input_per_million":1,"output_per_million":1}}},
             "aliases":{"answer-1":"gpt-5","search-1":"gpt-5"},
             "limits":{"max_retries":0,"max_turns":2}}
            """.Replace("URL", _llm.BaseUrl, StringComparison.Ordinal).Replace("ORCH_NAME", orchestratorRejected ? "orch-rejected" : "orch-8b", StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public async Task An_echoed_key_appears_in_no_file_store_reply_output_log_or_span()
    {
        var experts = Catalog("experts-rejected.json", orchestratorRejected: false);
        var orchestrator = Catalog("orchestrator-rejected.json", orchestratorRejected: true);
        var tasks = Path.Combine(_dir, "tasks.jsonl");
        File.WriteAllText(tasks, "{\"id\":\"t1\",\"question\":\"What is 2+2?\",\"answer\":\"4\"}\n");
        var shown = new List<string>();
        async Task Run(params string[] args)
        {
            var r = await OrchestraProcess.RunAsync(Environment(), args);
            shown.Add($"$ orchestra {string.Join(' ', args)}\n{r.Stdout}\n{r.Stderr}");
        }

        await Run("run", "--config", experts, "--runs-dir", Path.Combine(_dir, "runs"), "--json", "What is 2+2?");
        await Run("run", "--config", experts, "--runs-dir", Path.Combine(_dir, "runs"), "What is 2+2?");
        await Run("run", "--config", orchestrator, "--runs-dir", Path.Combine(_dir, "runs"), "What is 2+2?");
        foreach (var (catalog, setup, id) in new[] { (experts, "orchestrated", "e"), (orchestrator, "orchestrated", "o"), (orchestrator, "direct", "d") })
            await Run("eval", "run", "--benchmark", "qa", "--tasks", tasks, "--config", catalog, "--setup", setup, "--store", Path.Combine(_dir, "eval.db"),
                "--run-id", id, "--no-code");
        await Run("tau2", "run", "--config", orchestrator, "--data-dir", SharedData.File("tau2", "data"), "--domain", "mock", "--task-ids", "create_task_1",
            "--agent", "plain", "--user-model", "user", "--out", Path.Combine(_dir, "results.json"));
        shown.Add(await ServeAsync(experts));

        _llm.Requests.Select(r => r.Authorization).Should().Contain($"Bearer {ExpertKey}").And.Contain($"Bearer {OrchestratorKey}",
            "the keys were sent, so every echo below held them");
        string.Join("\n", shown).Should().Contain("401", "the rejection itself is reported");
        File.Exists(Path.Combine(_dir, "results.json")).Should().BeTrue("tau2 wrote its results file, searched below");
        File.Exists(Path.Combine(_dir, "eval.db")).Should().BeTrue();

        var places = new List<(string Where, byte[] Bytes)>();
        places.AddRange(Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories).Select(f => (f, File.ReadAllBytes(f))));
        places.AddRange(shown.Select((text, i) => ($"output #{i}", Encoding.UTF8.GetBytes(text))));
        places.AddRange(_otlp.Received.Select(r => ($"OTLP {r.Path}", r.Body)));
        foreach (var key in Keys)
            places.Where(p => p.Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(key)) >= 0).Select(p => p.Where).Should().BeEmpty($"the key {key} must be nowhere");
        places.Should().Contain(p => p.Where.EndsWith(".jsonl", StringComparison.Ordinal) && Encoding.UTF8.GetString(p.Bytes).Contains("[REDACTED]"),
            "the expert's refusal is in the trajectory, redacted");
        _otlp.Received.Should().Contain(r => r.Path == "/v1/logs").And.Contain(r => r.Path == "/v1/traces", "logs and spans were exported, and searched");
    }

    /// <summary>One request through <c>orchestra serve</c>, then the dashboard's view of its run; returns what both answered.</summary>
    private async Task<string> ServeAsync(string catalog)
    {
        using var process = OrchestraProcess.Start(new Dictionary<string, string> { ["LEAK_EXPERT_KEY"] = ExpertKey, ["LEAK_ORCH_KEY"] = OrchestratorKey },
            "serve", "--config", catalog, "--store", Path.Combine(_dir, "serve.db"), "--port", "0", "--no-code", "--runs-dir", Path.Combine(_dir, "serve-runs"));
        try
        {
            var first = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException(await process.StandardError.ReadToEndAsync());
            var baseUrl = first.Split(" at ")[1].Split(' ')[0]; // "Serving orchestrator at http://127.0.0.1:PORT/v1 (…"
            using var http = new HttpClient();
            var body = new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "What is 2+2?" }) };
            using var reply = await http.PostAsync(baseUrl + "/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
            var replyText = await reply.Content.ReadAsStringAsync();
            var origin = new Uri(baseUrl).GetLeftPart(UriPartial.Authority);
            var runs = await http.GetStringAsync($"{origin}/ui/api/runs");
            var runId = JsonNode.Parse(runs)!.AsArray().Single()!["id"]!.GetValue<string>();
            var run = await http.GetStringAsync($"{origin}/ui/api/runs/{runId}");
            run.Should().Contain("answer-1", "the dashboard shows the run whose expert was refused");
            return $"POST /v1/chat/completions\n{replyText}\nGET /ui/api/runs/{runId}\n{run}\nGET /ui/api/runs\n{runs}";
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>An OTLP/HTTP receiver on 127.0.0.1 that keeps every export's raw body (protobuf keeps strings as UTF-8).</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

        private OtlpCollector(WebApplication app) => _app = app;

        public string BaseUrl { get; private set; } = "";
        public IReadOnlyList<(string Path, byte[] Body)> Received => _received.ToArray();

        public static async Task<OtlpCollector> StartAsync()
        {
            // Not LoopbackWebApp.Create: its guard takes JSON bodies only, and OTLP/HTTP sends protobuf.
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
            var app = builder.Build();
            var collector = new OtlpCollector(app);
            app.MapPost("/v1/{signal}", async (HttpContext http, string signal) =>
            {
                using var body = new MemoryStream();
                await http.Request.Body.CopyToAsync(body);
                collector._received.Enqueue(("/v1/" + signal, body.ToArray()));
                http.Response.ContentType = "application/x-protobuf";
            });
            collector.BaseUrl = (await LoopbackWebApp.StartAsync(app)).ToString().TrimEnd('/');
            return collector;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
