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
    public async Task A_spent_budget_stops_the_qa_loop_before_the_next_paid_step()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("answer", new { model = "answer-1" }, 1000, 100)); // $0.00022 > the budget
        await using var sp = Engine();

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("Q?") { BudgetUsd = 0.0001m });

        result.StopReason.Should().Be(StopReason.BudgetUsd);
        Server.Requests.Should().NotContain(r => r.Model == QaWorld.Big);
        result.CostUsd.Should().Be(0.00022m);
    }

    [Fact]
    public async Task Within_one_turn_the_budget_decorator_refuses_the_experts_call_after_the_orchestrators()
    {
        var models = new ModelClientFactory(CatalogLoader.Load(CatalogPath), EstimatingTokenCounter.Instance, new RetrySettings(0));
        var loop = new FunctionCallingOrchestrator(models, new FunctionCallingSetup("You orchestrate.", "You are the agent.",
            [AIFunctionFactory.CreateDeclaration("lookup", "Looks up.", JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone())],
            new HashSet<string>(), new ChatOptions()));
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("call_expert", new { expert = "expert-1" }, 1000, 100));

        var episode = loop.Begin("fc-budget", "a conversation", Preferences.None, new EpisodeLimits(10, 10, BudgetUsd: 0.0001m));
        await episode.RespondAsync([new ChatMessage(ChatRole.User, "Help.")], 1, CancellationToken.None);
        var result = await episode.CompleteAsync(StopReason.Answered, "done");

        result.StopReason.Should().Be(StopReason.BudgetUsd);
        Server.Requests.Should().NotContain(r => r.Model == QaWorld.Big, "the expert call was refused before it was sent");
        result.Calls.Should().ContainSingle(c => c.Kind == CallKind.Orchestrator);
    }
}
