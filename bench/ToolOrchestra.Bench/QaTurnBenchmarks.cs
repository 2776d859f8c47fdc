using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Bench;

/// <summary>
/// Whole QA episodes of <see cref="Turns"/> turns (the orchestrator calls <c>search</c>, unconfigured, then
/// <c>answer</c>; the expert answers) three ways: in-process models behind the same decorators (the runtime's own
/// overhead: divide by turns, or take the difference between 10 and 1 turns over 9), the same episode over loopback
/// HTTP to the fake OpenAI-compatible server, and a bare loopback round trip for scale.
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*QaTurn*'
/// </summary>
[MemoryDiagnoser]
public class QaTurnBenchmarks
{
    private static readonly QaRunRequest Request = new("What is the capital of France?", Preferences.None);
    private FakeOpenAiServer _server = null!;
    private QaEpisodeRunner _inProcess = null!, _loopback = null!;
    private HttpClient _http = null!;

    [Params(1, 10)]
    public int Turns { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _server = await FakeOpenAiServer.StartAsync();
        var served = 0;
        _server.Fallback = r => r.Model == "orch"
            ? (++served % Turns == 0 ? FakeReply.Call("answer", new { model = "answer-1" }) : FakeReply.Call("search", new { model = "search-1" }))
            : new FakeReply("<think>known</think><answer>Paris</answer>");
        _inProcess = Runner(Catalog("http://127.0.0.1:1/v1"), model => new InstantChatClient(model.Name, Turns));
        _loopback = Runner(Catalog(_server.BaseUrl), null);
        _http = new HttpClient();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Description = "QA turn, in-process models (runtime overhead)")]
    public Task<Trajectory> InProcessTurn() => _inProcess.RunAsync(Request);

    [Benchmark(Description = "QA turn, loopback HTTP (2 model calls)")]
    public Task<Trajectory> LoopbackTurn() => _loopback.RunAsync(Request);

    [Benchmark(Description = "one loopback round trip (raw HttpClient)")]
    public async Task<string> LoopbackRoundTrip()
    {
        using var response = await _http.PostAsJsonAsync(_server.BaseUrl + "/chat/completions",
            new { model = "orch", messages = new[] { new { role = "user", content = "hi" } } });
        return await response.Content.ReadAsStringAsync();
    }

    private static Catalog Catalog(string endpoint) => new(
        new OrchestratorSettings("orch"),
        new Dictionary<string, ModelEntry>
        {
            ["orch"] = new("orch", endpoint, "orch", new Price(0.2m, 0.2m), ["local"], Family: ModelFamily.Qwen),
            ["gpt-5"] = new("gpt-5", endpoint, "gpt-5", new Price(1.25m, 10m), ["proprietary"], Family: ModelFamily.Gpt),
        },
        new Dictionary<string, AliasEntry>
        {
            ["search-1"] = new("search-1", "gpt-5"), ["reasoner-1"] = new("reasoner-1", "gpt-5"), ["answer-1"] = new("answer-1", "gpt-5"),
        },
        new ToolPrices(), new Limits());

    private static QaEpisodeRunner Runner(Catalog catalog, Func<ModelEntry, IChatClient>? transport)
    {
        var models = new ModelClientFactory(catalog, EstimatingTokenCounter.Instance, new RetrySettings(0), transport: transport);
        return new QaEpisodeRunner(catalog, models, new LlmQaPolicy(models.For("orch"), catalog.Orchestrator), QaToolServices.None, EstimatingTokenCounter.Instance);
    }

    /// <summary>A zero-latency model: the orchestrator searches, and every <c>turns</c>-th call answers; the expert answers.</summary>
    private sealed class InstantChatClient(string name, int turns) : IChatClient
    {
        private int _calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var (tool, alias) = ++_calls % turns == 0 ? ("answer", "answer-1") : ("search", "search-1");
            var message = name == "orch"
                ? new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", tool, new Dictionary<string, object?> { ["model"] = alias })])
                : new ChatMessage(ChatRole.Assistant, "<think>known</think><answer>Paris</answer>");
            return Task.FromResult(new ChatResponse(message) { Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20 } });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }
}
