using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;
using System.Net;
using System.Text;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Tests.OfflineWorld;

/// <summary>
/// <c>orchestra sim serve</c>'s server over real HTTP, driven by the runtime exactly as <c>orchestra run</c> drives
/// any endpoint: catalog → ModelClientFactory (OpenAI wire) → QaEpisodeRunner with the real index and sandbox.
/// </summary>
public sealed class SimulatedExpertServerTests : IAsyncLifetime
{
    private static readonly World World = World.Generate(4, WorldOptions.Small);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "toolorchestra-sim-" + Guid.NewGuid().ToString("N")[..8]);
    private SimulatedExpertServer _server = null!;

    public async Task InitializeAsync() => _server = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(World), 0);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private async Task<Trajectory> RunAsync(IQaPolicy? policy, WorldTask task)
    {
        var catalog = SimulatedCatalog.Create(_server.BaseUrl);
        var builder = new ServiceCollection().AddToolOrchestra(catalog, o => (o.RunsDirectory, o.TopK, o.CodeTimeoutSeconds) = (null, 5, 20))
            .UseRetriever(WorldRetrieval.Build(World, _dir, catalog.ToolPrices));
        if (policy is not null) builder.UsePolicy(_ => policy);
        await using var engine = builder.Services.BuildServiceProvider();
        var result = await engine.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest(task.Question) { Preferences = task.Preferences, MaxTurns = 8 });
        return result.Trajectory;
    }

    [Fact]
    public async Task The_heuristic_orchestrator_and_the_experts_answer_a_world_question_over_http_with_usage_and_prices()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Arithmetic && t.FactIds.Count == 1);

        var t = await RunAsync(null, task);

        t.StopReason.Should().Be(StopReason.Answered);
        t.Turns.Select(x => x.Call!.Name).Should().Equal("search", "enhance_reasoning", "answer");
        t.Turns.Select(x => x.Call!.Alias).Should().Equal("search-2", "reasoner-2", "answer-2");
        t.Turns[0].RawOutput.Should().Contain("simulated").And.Contain("heuristic orchestrator");
        t.Turns[1].Observation.Should().Contain("Exit code 0");
        t.Turns.SelectMany(x => x.ExpertCalls).Should().OnlyContain(e => e.RawOutput.Contains("simulated"));
        var calls = t.Ledger.Where(e => e.Kind is CallKind.Expert or CallKind.Orchestrator).ToList();
        calls.Should().OnlyContain(e => !e.TokensEstimated && e.InputTokens > 0 && e.OutputTokens > 0, "the server fills usage");
        var mini = calls.First(e => e.Model == "gpt-5-mini");
        mini.CostUsd.Should().Be((mini.InputTokens * 0.25m + mini.OutputTokens * 2m) / 1_000_000m);
        calls.Count(e => e.Kind == CallKind.Orchestrator).Should().Be(3);
    }

    [Fact]
    public async Task A_learned_policy_runs_against_the_sim_server_and_pays_only_for_its_experts()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Lookup);
        var policy = SoftmaxPolicy.Create(seed: 2);

        var t = await RunAsync(new LearnedQaPolicy(policy), task);

        t.StopReason.Should().BeOneOf(StopReason.Answered, StopReason.MaxTurns);
        t.Ledger.Should().NotContain(e => e.Kind == CallKind.Orchestrator);
        t.Ledger.Where(e => e.Kind == CallKind.Expert).Should().NotBeEmpty().And.OnlyContain(e => !e.TokensEstimated);
    }

    [Fact]
    public async Task The_wire_format_is_openai_compatible_and_says_simulated()
    {
        using var http = new HttpClient();
        var task = World.Tasks.First(t => t.Family == TaskFamily.Known);
        var (system, user) = ExpertPrompts.Answer("", task.Question, Core.Catalog.ModelFamily.Qwen);
        var body = JsonSerializer.Serialize(new { model = "Qwen/Qwen3-32B", messages = new[] { new { role = "system", content = system! }, new { role = "user", content = user } } });

        using var response = await http.PostAsync(_server.BaseUrl + "/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        json.GetProperty("model").GetString().Should().Be("qwen3-32b (simulated)");
        json.GetProperty("system_fingerprint").GetString().Should().Be(SimulatedExpertServer.Fingerprint);
        json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().Should().Contain("simulated qwen3-32b").And.Contain("\\boxed{");
        json.GetProperty("usage").GetProperty("completion_tokens").GetInt64().Should().BePositive();
        response.Headers.GetValues("x-simulated-latency-s").Single().Should().NotBeNullOrEmpty();

        var models = JsonDocument.Parse(await http.GetStringAsync(_server.BaseUrl + "/models")).RootElement.GetProperty("data");
        models.EnumerateArray().Select(m => m.GetProperty("id").GetString()).Should().Contain(["gpt-5", "Qwen/Qwen2.5-Math-7B-Instruct"]);
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_that_names_the_served_ones()
    {
        using var http = new HttpClient();
        var body = JsonSerializer.Serialize(new { model = "gpt-9", messages = new[] { new { role = "user", content = "hi" } } });

        using var response = await http.PostAsync(_server.BaseUrl + "/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Contain("gpt-9").And.Contain("served: gpt-5");
    }

    [Fact]
    public async Task A_taken_port_is_a_clear_error()
    {
        var act = () => SimulatedExpertServer.StartAsync(new SimulatedEndpoint(World), _server.Port);
        (await act.Should().ThrowAsync<UserError>()).WithMessage($"*127.0.0.1:{_server.Port}*another --port*");
    }

    [Fact]
    public void The_example_catalog_is_the_simulated_catalog_for_the_default_port()
    {
        var file = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "examples", "catalog.sim.json")).ReplaceLineEndings("\n");
        file.Should().Be(SimulatedCatalog.Json(), "regenerate it with: orchestra sim catalog > examples/catalog.sim.json");
        var catalog = SimulatedCatalog.Create();
        catalog.Aliases.Values.Should().OnlyContain(a => SimulatedEndpoint.Serves(catalog.Models[a.Model].Name));
        catalog.Aliases["answer-1"].Model.Should().Be("gpt-5");
        catalog.Aliases["answer-math-2"].Model.Should().Be("qwen2.5-math-7b");
    }
}
