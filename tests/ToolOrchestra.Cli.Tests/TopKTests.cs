using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Cli.Tests;

/// <summary>
/// One protocol, one <c>top_k</c>: <c>run</c>, <c>serve</c> and <c>eval run</c> without <c>--top-k</c> all send the
/// protocol variant's (hle: 50) to a <c>/retrieve</c> service; <c>serve</c> once sent its own default of 30.
/// </summary>
public sealed class TopKTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topk-cli").FullName;
    private readonly ConcurrentQueue<int> _topKs = new();
    private FakeOpenAiServer _llm = null!;
    private WebApplication _retriever = null!;
    private string _retrieverUrl = "";

    public async Task InitializeAsync()
    {
        _llm = await FakeOpenAiServer.StartAsync();
        // Stateless script: the orchestrator searches until the documents are in its prompt, then asks for the answer.
        _llm.Fallback = request =>
            request.ToolNames.Count > 0
                ? FakeReply.Call(request.Body.ToJsonString().Contains("Paris is the capital", StringComparison.Ordinal) ? "answer" : "search",
                    new { model = request.ToolNames.Contains("search") ? "search-1" : "answer-1" })
                : request.LastUserText.Contains("<query>", StringComparison.Ordinal)
                    ? new FakeReply("<query>the capital city of France</query>")
                    : new FakeReply("<answer>Paris</answer>");
        _retriever = LoopbackWebApp.Create(0);
        _retriever.MapPost("/retrieve", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body);
            _topKs.Enqueue(body!["topk"]!.GetValue<int>());
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""[[{"document": {"id": "d1", "contents": "Paris is the capital of France."}, "score": 1.0}]]""");
        });
        _retrieverUrl = (await LoopbackWebApp.StartAsync(_retriever)).ToString().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        await _retriever.DisposeAsync();
        await _llm.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private string Catalog()
    {
        var path = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(path, $$$$"""
            {"orchestrator":{"model":"orch"},
             "models":{"orch":{"endpoint":"{{{{_llm.BaseUrl}}}}","name":"orch-8b","price":{"input_per_million":0.2,"output_per_million":0.2}},
                       "gpt-5":{"endpoint":"{{{{_llm.BaseUrl}}}}","name":"gpt-5","price":{"input_per_million":1.25,"output_per_million":10}}},
             "aliases":{"answer-1":"gpt-5","search-1":"gpt-5"},
             "limits":{"max_retries":0,"max_turns":4}}
            """);
        return path;
    }

    private IReadOnlyList<int> Drain()
    {
        var seen = new List<int>();
        while (_topKs.TryDequeue(out var k)) seen.Add(k);
        return seen;
    }

    [Fact]
    public async Task Serve_run_and_eval_run_send_the_protocols_top_k()
    {
        var catalog = Catalog();
        var engine = new[] { "--config", catalog, "--protocol", "hle", "--retriever", _retrieverUrl, "--no-code" };

        var run = await OrchestraProcess.RunAsync(["run", .. engine, "--runs-dir", Path.Combine(_dir, "runs"), "Capital of France?"]);
        run.ExitCode.Should().Be(0, run.Stderr);
        var fromRun = Drain();

        var tasks = Path.Combine(_dir, "tasks.jsonl");
        File.WriteAllText(tasks, """{"id":"t1","question":"Capital of France?","answer":"Paris"}""" + "\n");
        var eval = await OrchestraProcess.RunAsync(["eval", "run", "--benchmark", "qa", "--tasks", tasks, .. engine,
            "--store", Path.Combine(_dir, "eval.db"), "--run-id", "r"]);
        eval.ExitCode.Should().Be(0, eval.Stderr);
        var fromEval = Drain();

        using var serve = OrchestraProcess.Start(["serve", .. engine, "--store", Path.Combine(_dir, "serve.db"), "--port", "0",
            "--runs-dir", Path.Combine(_dir, "served")]);
        try
        {
            var first = await serve.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException(await serve.StandardError.ReadToEndAsync());
            var baseUrl = first.Split(" at ")[1].Split(' ')[0]; // "Serving orchestrator at http://127.0.0.1:PORT/v1 (…"
            using var http = new HttpClient();
            var body = new JsonObject
            {
                ["model"] = "orchestrator",
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Capital of France?" }),
            };
            using var reply = await http.PostAsync(baseUrl + "/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
            reply.IsSuccessStatusCode.Should().BeTrue(await reply.Content.ReadAsStringAsync());
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
        var fromServe = Drain();

        fromRun.Should().NotBeEmpty().And.OnlyContain(k => k == 50, "hle's top_k is 50");
        fromEval.Should().NotBeEmpty().And.OnlyContain(k => k == 50);
        fromServe.Should().NotBeEmpty().And.OnlyContain(k => k == 50, "serve no longer overrides the protocol with 30");
    }
}
