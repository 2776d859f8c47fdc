using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Engine;

public sealed class OrchestratorApiTests : EngineTest
{
    [Fact]
    public async Task RunAsync_gives_answer_stop_reason_dollars_ledger_and_a_stored_trajectory_with_its_preferences()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("answer", new { model = "answer-1" }, 1000, 100));
        Server.Script(QaWorld.Big, new FakeReply("<answer>Paris</answer>", PromptTokens: 4000, CompletionTokens: 250));
        await using var sp = Engine();
        var prefs = new Preferences(new Dictionary<string, double> { ["accuracy"] = 1, ["cost"] = 0.5 }, [], ["search-1"]);

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("Capital of France?") { Preferences = prefs });

        result.Answer.Should().Be("Paris");
        result.StopReason.Should().Be(StopReason.Answered);
        result.StopDetail.Should().BeNull("a tagged answer needs no detail");
        result.CostUsd.Should().Be(0.00022m + 0.0075m);
        result.Calls.Select(c => (c.Kind, c.Alias)).Should().Equal((CallKind.Orchestrator, null), (CallKind.Expert, "answer-1"));
        var stored = RunStore.Load(result.TrajectoryPath!);
        stored.Preferences!.Weights.Should().Equal(prefs.Weights);
        stored.Preferences.ExcludeAliases.Should().Equal("search-1");
        stored.Policy.Should().Be("llm:orch");
        stored.Answer.Should().Be("Paris");
        stored.CostUsd.Should().Be(result.CostUsd);
        stored.Ledger.Should().Equal(result.Calls);
    }

    [Fact]
    public async Task RunEventsAsync_yields_the_episode_as_it_happens()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("search", new { model = "search-2" }), FakeReply.Call("answer", new { model = "answer-2" }));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{42}"));
        await using var sp = Engine();

        var events = new List<OrchestrationEvent>();
        await foreach (var e in sp.GetRequiredService<IOrchestrator>().RunEventsAsync(new OrchestrationRequest("Answer?")))
            events.Add(e);

        events.Select(e => e.GetType().Name).Should().Equal(
            "TurnStarted", "CallMade", "ToolObserved",          // turn 1: orchestrator call, search not configured
            "TurnStarted", "CallMade", "CallMade", "ToolObserved", "Answered", "RunFinished");
        events.OfType<CallMade>().Last().Entry.Alias.Should().Be("answer-2");
        events.OfType<RunFinished>().Single().Result.Answer.Should().Be("42");
        events.Select(e => e.RunId).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task The_orchestrator_is_a_drop_in_chat_client_with_usage_ledger_and_stop_reason()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("answer", new { model = "answer-1" }, 1000, 100));
        Server.Script(QaWorld.Big, new FakeReply("<answer>Paris</answer>", PromptTokens: 4000, CompletionTokens: 250));
        await using var sp = Engine();
        IChatClient chat = sp.GetRequiredService<OrchestratorChatClient>();

        var response = await chat.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "I am planning a trip."), new ChatMessage(ChatRole.Assistant, "Where to?"), new ChatMessage(ChatRole.User, "Capital of France?")],
            new ChatOptions { AdditionalProperties = new() { [OrchestratorChatClient.PreferencesKey] = """{"pref_vec":{"accuracy":1,"answer-1":1}}""" } });

        response.Text.Should().Be("Paris");
        response.Usage!.InputTokenCount.Should().Be(5000);
        response.Usage.OutputTokenCount.Should().Be(350);
        response.AdditionalProperties![OrchestratorChatClient.StopReasonKey].Should().Be("answered");
        response.AdditionalProperties[OrchestratorChatClient.CostUsdKey].Should().Be(0.00022m + 0.0075m);
        ((IReadOnlyList<LedgerEntry>)response.AdditionalProperties[OrchestratorChatClient.CallsKey]!).Should().HaveCount(2);
        var problem = Server.Requests.First(r => r.Model == QaWorld.Orchestrator).LastUserText;
        problem.Should().Contain("user: I am planning a trip.").And.Contain("assistant: Where to?").And.Contain("Capital of France?").And.Contain("Prefer using answer-1");
    }

    [Fact]
    public async Task An_orchestrator_endpoint_that_fails_stops_the_run_with_endpoint_error_and_keeps_the_trajectory()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("search", new { model = "search-2" }), FakeReply.Error(500));
        await using var sp = Engine();

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("Answer?"));

        result.StopReason.Should().Be(StopReason.EndpointError);
        result.StopDetail.Should().Contain(Server.BaseUrl.TrimEnd('/'));
        var stored = RunStore.Load(result.TrajectoryPath!);
        stored.Turns.Should().HaveCount(2);
        stored.StopReason.Should().Be(StopReason.EndpointError);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_what_to_fix()
    {
        await using var sp = Engine();
        var orchestrator = sp.GetRequiredService<IOrchestrator>();

        (await FluentActions.Awaiting(() => orchestrator.RunAsync(new OrchestrationRequest("  "))).Should().ThrowAsync<UserError>())
            .Which.Message.Should().Contain("problem is empty");
        (await FluentActions.Awaiting(() => orchestrator.RunAsync(new OrchestrationRequest("q") { MaxTurns = -1 })).Should().ThrowAsync<UserError>())
            .Which.Message.Should().Contain("--max-turns");
        var typo = new Preferences(new Dictionary<string, double> { ["answer-9"] = 1 }, [], []);
        (await FluentActions.Awaiting(() => orchestrator.RunAsync(new OrchestrationRequest("q") { Preferences = typo })).Should().ThrowAsync<UserError>())
            .Which.Message.Should().Contain("'answer-9' is not an alias");
        Server.Requests.Should().BeEmpty();
    }
}
