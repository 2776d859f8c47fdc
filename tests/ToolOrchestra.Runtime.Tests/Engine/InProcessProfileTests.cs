using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Engine;

/// <summary>
/// Recursive orchestration in one process: a catalog model with <c>"profile"</c> is another orchestrator. The outer
/// ledger bills what the inner run reports (once; never its tokens at the outer catalog's absurd price) and links the
/// inner run; a profile that would run inside itself is refused as an observation, and the run goes on.
/// </summary>
public sealed class InProcessProfileTests : EngineTest
{
    private const string InnerOrchestrator = "inner-orch-8b";

    private string Outer(string profile)
    {
        File.WriteAllText(Path.Combine(Dir, "inner.json"), $$"""
        {
          "orchestrator": { "model": "iorch" },
          "models": {
            "iorch": { "endpoint": "{{Server.BaseUrl}}", "name": "{{InnerOrchestrator}}", "price": { "input_per_million": 0.5, "output_per_million": 0.5 } },
            "small": { "endpoint": "{{Server.BaseUrl}}", "name": "{{QaWorld.Local}}", "price": { "input_per_million": 0.8, "output_per_million": 0.8 }, "family": "qwen" }
          },
          "aliases": { "search-2": { "model": "small" }, "reasoner-2": { "model": "small" }, "answer-2": { "model": "small" } },
          "limits": { "max_retries": 0, "request_timeout_s": 30 }
        }
        """);
        var path = Path.Combine(Dir, "outer.json");
        File.WriteAllText(path, $$"""
        {
          "orchestrator": { "model": "orch" },
          "models": {
            "orch": { "endpoint": "{{Server.BaseUrl}}", "name": "{{QaWorld.Orchestrator}}", "price": { "input_per_million": 0.2, "output_per_million": 0.2 }, "family": "qwen" },
            "inner": { "profile": "{{profile}}", "name": "orchestrator", "price": { "input_per_million": 1000, "output_per_million": 1000 } },
            "small": { "endpoint": "{{Server.BaseUrl}}", "name": "{{QaWorld.Local}}", "price": { "input_per_million": 0.8, "output_per_million": 0.8 }, "family": "qwen" }
          },
          "aliases": { "search-2": { "model": "small" }, "reasoner-2": { "model": "small" }, "answer-1": { "model": "inner" }, "answer-2": { "model": "small" } },
          "limits": { "max_retries": 0, "request_timeout_s": 30 }
        }
        """);
        return path;
    }

    private ServiceProvider Engine(string catalog) =>
        new ServiceCollection().AddToolOrchestra(catalog, o => { o.RunsDirectory = RunsDir; o.Code = false; }).Services.BuildServiceProvider();

    [Fact]
    public async Task A_nested_profile_is_billed_what_its_run_reports_once_and_linked()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("answer", new { model = "answer-1" }, 1000, 100));
        Server.Script(InnerOrchestrator, FakeReply.Call("answer", new { model = "answer-2" }, 2000, 40));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{42}", PromptTokens: 300, CompletionTokens: 20));
        await using var sp = Engine(Outer("inner.json"));

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("What is six times seven?"));

        result.StopReason.Should().Be(StopReason.Answered, result.StopDetail);
        result.Answer.Should().Be("42");
        var nested = result.Calls.Single(c => c.Model == "inner");
        nested.InnerRunId.Should().NotBeNullOrEmpty();
        var inner = RunStore.Load(Path.Combine(RunsDir, nested.InnerRunId + ".jsonl"));
        inner.Ledger.Select(e => e.Model).Should().Equal("iorch", "small");
        inner.CostUsd.Should().Be(2040 * 0.5m / 1_000_000 + 320 * 0.8m / 1_000_000, "the inner run priced its own calls");
        nested.CostUsd.Should().Be(inner.CostUsd, "the outer ledger bills what the inner run reports");
        nested.CostUsd.Should().NotBe((nested.InputTokens + nested.OutputTokens) * 1000m / 1_000_000, "never the tokens at the outer catalog's price");
        nested.LatencySeconds.Should().Be(inner.WallSeconds);
        result.CostUsd.Should().Be(1100 * 0.2m / 1_000_000 + inner.CostUsd, "each leaf call paid exactly once");
    }

    [Fact]
    public async Task A_profile_that_would_run_inside_itself_is_refused_and_the_run_goes_on()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("answer", new { model = "answer-1" }), FakeReply.Call("answer", new { model = "answer-2" }));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{7}"));
        await using var sp = Engine(Outer("outer.json"));

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("Seven?"));

        result.Answer.Should().Be("7");
        result.Calls.Should().NotContain(c => c.Model == "inner", "a refused call costs nothing");
        result.Trajectory.Turns[0].Observation.Should().Contain("cycle");
    }

    [Fact]
    public void A_profile_that_does_not_exist_or_comes_with_an_endpoint_is_a_catalog_error()
    {
        FluentActions.Invoking(() => Core.Catalog.CatalogLoader.Load(Outer("missing.json"))).Should().Throw<UserError>().WithMessage("*missing.json*does not exist*");
        var both = File.ReadAllText(Outer("inner.json")).Replace("\"profile\": \"inner.json\"", $"\"profile\": \"inner.json\", \"endpoint\": \"{Server.BaseUrl}\"");
        File.WriteAllText(Path.Combine(Dir, "both.json"), both);
        FluentActions.Invoking(() => Core.Catalog.CatalogLoader.Load(Path.Combine(Dir, "both.json"))).Should().Throw<UserError>().WithMessage("*either*not both*");
    }
}
