using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests;

public sealed class QaEpisodeRunnerTests : QaServerTest
{

    [Fact]
    public async Task Answers_and_accounts_every_token_and_dollar_exactly()
    {
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("enhance_reasoning", "reasoner-1"), QaWorld.Call("answer", "answer-1", prompt: 1200, completion: 80));
        Server.Script(QaWorld.Big, new FakeReply("<think>6 times 7</think>\n<answer>\n42\n</answer>", PromptTokens: 2000, CompletionTokens: 300));

        var t = await World.Runner().RunAsync(QaWorld.Ask("What is 6*7?"));

        t.Answer.Should().Be("42");
        t.StopReason.Should().Be(StopReason.Answered);
        t.Turns.Should().HaveCount(2);
        t.Turns[0].Observation.Should().StartWith("Tool not configured: enhance_reasoning");
        // orchestrator: (1000+50 + 1200+80) × $0.2/M; expert: 2000 × $1.25/M + 300 × $10/M
        t.CostUsd.Should().Be(0.000466m + 0.0055m);
        t.Ledger.Select(e => (e.Turn, e.Kind, e.Tool, e.Alias, e.Model)).Should().Equal(
            (1, CallKind.Orchestrator, "orchestrator", (string?)null, "orch"),
            (2, CallKind.Orchestrator, "orchestrator", null, "orch"),
            (2, CallKind.Expert, "answer", "answer-1", "big"));
        t.LatencySeconds.Should().Be(t.Ledger.Where(e => e.Kind != CallKind.Orchestrator).Sum(e => e.LatencySeconds));
        t.WallSeconds.Should().BeGreaterThanOrEqualTo(t.LatencySeconds);
    }

    [Fact]
    public async Task Gpt_experts_get_answer_tags_and_qwen_experts_get_boxed()
    {
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("answer", "answer-2"));
        Server.Script(QaWorld.Local, new FakeReply("Reasoning... so \\boxed{\\frac{1}{2}}"));

        var t = await World.Runner(variant: QaProtocolVariant.Legacy).RunAsync(QaWorld.Ask("Half of one?"));

        t.Answer.Should().Be("\\frac{1}{2}");
        var expertRequest = Server.Requests.Single(r => r.Model == QaWorld.Local);
        expertRequest.Messages[0]!["role"]!.GetValue<string>().Should().Be("system");
        expertRequest.Messages[0]!["content"]!.GetValue<string>().Should().Contain("\\boxed{}");
        expertRequest.LastUserText.Should().EndWith("Problem:\nHalf of one?");
    }

    [Fact]
    public async Task By_default_qwen_experts_get_the_boxed_instruction_after_the_problem_as_in_training()
    {
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("answer", "answer-2"));
        Server.Script(QaWorld.Local, new FakeReply("Reasoning... so \\boxed{\\frac{1}{2}}"));

        var t = await World.Runner().RunAsync(QaWorld.Ask("Half of one?"));

        t.Answer.Should().Be("\\frac{1}{2}");
        var expertRequest = Server.Requests.Single(r => r.Model == QaWorld.Local);
        expertRequest.Messages.Should().ContainSingle();
        expertRequest.LastUserText.Should().EndWith("Half of one?\nLet's think step by step and output the final answer within \\boxed{}.");
    }

    [Fact]
    public async Task Hermes_calls_in_content_drive_the_protocol_and_reasoning_is_kept_out_of_the_answer()
    {
        Server.Script(QaWorld.Orchestrator, new FakeReply(
            "<think>A strong model should answer.</think>\n\n<tool_call>\n{\"name\": \"answer\", \"arguments\": {\"model\": \"answer-1\"}}\n</tool_call>"));
        Server.Script(QaWorld.Big, new FakeReply("<think>easy</think><answer>Paris</answer>"));

        var t = await World.Runner().RunAsync(QaWorld.Ask("Capital of France?"));

        t.Answer.Should().Be("Paris");
        t.Turns[0].Reasoning.Should().Be("A strong model should answer.");
        t.Turns[0].RawOutput.Should().Contain("<tool_call>");
        t.Turns[0].Call!.Alias.Should().Be("answer-1");
    }

    [Fact]
    public async Task Malformed_output_is_fed_back_as_an_error_and_the_run_recovers()
    {
        Server.Script(QaWorld.Orchestrator,
            new FakeReply("<tool_call>{\"name\": \"answer\", \"arguments\": {model: answer-1}}</tool_call>"),
            QaWorld.Call("browse", "search-1"),
            QaWorld.Call("answer", "answer-9"),
            new FakeReply(""),
            new FakeReply("I think the answer is 4."),
            QaWorld.Call("answer", "answer-2"));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{4}"));

        // legacy: our opt-in that tells the orchestrator why its call was rejected (the reference variants resend the prompt)
        var t = await World.Runner(variant: QaProtocolVariant.Legacy).RunAsync(QaWorld.Ask("2+2?"));

        t.StopReason.Should().Be(StopReason.Answered);
        t.Answer.Should().Be("4");
        t.Turns.Select(x => x.Error).Should().SatisfyRespectively(
            e => e.Should().Contain("not valid JSON"),
            e => e.Should().Contain("unknown tool 'browse'"),
            e => e.Should().Contain("unknown alias 'answer-9'").And.Contain("answer-1, answer-2"),
            e => e.Should().Contain("empty output"),
            e => e.Should().Contain("no tool call found"),
            e => e.Should().BeNull());
        // each rejection is stated in the next prompt, and only there
        t.Turns[1].Prompt[1].Content.Should().Contain("Your previous output was rejected: tool call is not valid JSON");
        t.Turns[5].Prompt[1].Content.Should().Contain("no tool call found");
        t.Turns[0].Prompt[1].Content.Should().NotContain("rejected");
    }

    [Fact]
    public async Task Stops_with_no_valid_call_after_max_errors()
    {
        Server.Fallback = r => r.Model == QaWorld.Orchestrator ? new FakeReply("no idea") : null!;
        var t = await World.Runner().RunAsync(QaWorld.Ask("?", maxErrors: 3));
        t.StopReason.Should().Be(StopReason.NoValidCall);
        t.Turns.Should().HaveCount(3);
    }

    [Fact]
    public async Task Stops_at_max_turns_and_keeps_the_partial_trajectory()
    {
        Server.Fallback = r => QaWorld.Call("search", "search-1");
        var saved = new List<int>();
        var t = await World.Runner().RunAsync(QaWorld.Ask("?", maxTurns: 4), x => { saved.Add(x.Turns.Count); return Task.CompletedTask; });
        t.StopReason.Should().Be(StopReason.MaxTurns);
        t.Turns.Should().HaveCount(4);
        saved.Should().Equal(1, 2, 3, 4);
        t.Turns.Should().OnlyContain(x => x.Observation!.StartsWith("Tool not configured: search"));
    }

    [Fact]
    public async Task Stops_when_the_dollar_budget_is_spent_before_calling_the_expert()
    {
        // each orchestrator turn costs 1,000,000 × $0.2/M = $0.20; the budget is $0.30
        Server.Fallback = r => r.Model == QaWorld.Orchestrator ? QaWorld.Call("enhance_reasoning", "reasoner-1", prompt: 1_000_000, completion: 0) : null!;
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("search", "search-1", prompt: 1_000_000, completion: 0), QaWorld.Call("answer", "answer-1", prompt: 1_000_000, completion: 0));
        var t = await World.Runner().RunAsync(QaWorld.Ask("?", usd: 0.30m));
        t.StopReason.Should().Be(StopReason.BudgetUsd);
        t.Turns.Should().HaveCount(2);
        t.Turns[1].Observation.Should().Be("Not executed: the budget is spent.");
        Server.Requests.Should().NotContain(r => r.Model == QaWorld.Big);
        t.CostUsd.Should().Be(0.40m);
    }

    [Fact]
    public async Task Stops_when_the_seconds_budget_runs_out_even_inside_a_slow_call()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Slow(TimeSpan.FromSeconds(20), QaWorld.Call("answer", "answer-1")));
        var t = await World.Runner().RunAsync(QaWorld.Ask("?", seconds: 0.5));
        t.StopReason.Should().Be(StopReason.BudgetSeconds);
        t.WallSeconds.Should().BeLessThan(10);
        t.Turns.Should().ContainSingle();
    }

    [Fact]
    public async Task Hard_constraints_hide_aliases_and_are_enforced_at_execution()
    {
        var prefs = new Preferences(new Dictionary<string, double> { ["cost"] = 1 }, OnlyTags: ["local"], ExcludeAliases: []);
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("answer", "answer-1"), QaWorld.Call("answer", "answer-2"));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{yes}"));

        var t = await World.Runner().RunAsync(QaWorld.Ask("ok?", prefs));

        var offered = Server.Requests.First(r => r.Model == QaWorld.Orchestrator).ToolsJson;
        offered.Should().Contain("answer-2").And.NotContain("answer-1").And.NotContain("search-1").And.NotContain("reasoner-1");
        t.Turns[0].Error.Should().Contain("only_tags");
        Server.Requests.Should().NotContain(r => r.Model == QaWorld.Big);
        t.Answer.Should().Be("yes");
        t.Turns[0].Prompt[1].Content.Should().Contain("keep the dollar cost low");
    }

    [Fact]
    public async Task An_orchestrator_endpoint_failure_stops_with_endpoint_error_and_keeps_the_turns()
    {
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("search", "search-2"), FakeReply.Error(500));
        var t = await World.Runner().RunAsync(QaWorld.Ask("?"));
        t.StopReason.Should().Be(StopReason.EndpointError);
        t.StopDetail.Should().Contain(Server.BaseUrl).And.Contain("500");
        t.Turns.Should().HaveCount(2);
    }

    [Fact]
    public async Task An_expert_failure_is_an_observation_not_a_crash()
    {
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("answer", "answer-1"), QaWorld.Call("answer", "answer-2"));
        Server.Script(QaWorld.Big, FakeReply.Error(503));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{3}"));
        var t = await World.Runner().RunAsync(QaWorld.Ask("?"));
        t.Turns[0].Observation.Should().Contain("the expert answer-1 failed").And.Contain("503");
        t.Answer.Should().Be("3");
    }

    [Fact]
    public async Task Retries_transient_orchestrator_failures_within_a_turn()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Error(429, 0), FakeReply.Error(502), QaWorld.Call("answer", "answer-2", prompt: 10, completion: 5));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{ok}", PromptTokens: 10, CompletionTokens: 5));
        var t = await World.Runner(retries: 3).RunAsync(QaWorld.Ask("?"));
        t.Answer.Should().Be("ok");
        t.Turns.Should().ContainSingle();
        t.CostUsd.Should().Be(15 * 0.2m / 1_000_000m + 15 * 0.8m / 1_000_000m);
    }
}
