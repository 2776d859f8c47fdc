using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.FunctionCalling;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Engine;

/// <summary>A dollar budget stops the episode between steps, and the client pipeline's budget decorator refuses a paid call within one.</summary>
public sealed class BudgetTests : EngineTest
{
    [Fact]
    public async Task A_paid_call_whose_worst_case_would_cross_the_budget_is_never_sent()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("answer", new { model = "answer-1" }, 1000, 100));
        await using var sp = Engine();

        // The orchestrator's call may bill 12000 output tokens at $0.2/M ($0.0024): more than the whole budget.
        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("Q?") { BudgetUsd = 0.0001m });

        result.StopReason.Should().Be(StopReason.BudgetUsd);
        result.StopDetail.Should().Contain("worst case");
        Server.Requests.Should().BeEmpty();
        result.CostUsd.Should().Be(0);
    }

    [Fact]
    public async Task Within_one_turn_the_budget_decorator_refuses_the_experts_call_after_the_orchestrators()
    {
        var models = new ModelClientFactory(CatalogLoader.Load(CatalogPath), EstimatingTokenCounter.Instance, new RetrySettings(0));
        var loop = new FunctionCallingOrchestrator(models, new FunctionCallingSetup("You orchestrate.", "You are the agent.",
            [AIFunctionFactory.CreateDeclaration("lookup", "Looks up.", JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone())],
            new HashSet<string>(), new ChatOptions()));
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("call_expert", new { expert = "expert-1" }, 1000, 100));

        // Room for the orchestrator's worst case ($0.0024 of output and its prompt), not for the GPT expert's (8000 tokens at $10/M).
        var episode = loop.Begin("fc-budget", "a conversation", Preferences.None, new EpisodeLimits(10, 10, BudgetUsd: 0.01m));
        await episode.RespondAsync([new ChatMessage(ChatRole.User, "Help.")], 1, CancellationToken.None);
        var result = await episode.CompleteAsync(StopReason.Answered, "done");

        result.StopReason.Should().Be(StopReason.BudgetUsd);
        Server.Requests.Should().NotContain(r => r.Model == QaWorld.Big, "the expert call was refused before it was sent");
        result.Calls.Should().ContainSingle(c => c.Kind == CallKind.Orchestrator);
        result.CostUsd.Should().Be(0.00022m);
    }
}
