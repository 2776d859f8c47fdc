using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Models;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Environments.Tests.Tau2Simulation;

public sealed class LlmNlAssertionJudgeTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private LlmNlAssertionJudge _judge = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        var catalog = new Catalog(new OrchestratorSettings("judge"),
            new Dictionary<string, ModelEntry> { ["judge"] = new("judge", _server.BaseUrl, "judge-model", new Price(1m, 1m), []) },
            new Dictionary<string, AliasEntry>(), new ToolPrices(), new Limits());
        _judge = new LlmNlAssertionJudge(new ModelClientFactory(catalog, EstimatingTokenCounter.Instance, new RetrySettings(0)).For("judge"), "judge");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static FakeReply Verdict(bool met) => new(
        $$"""{"results": [{"expectedOutcome": "Agent should tell the user that there are 10 t-shirt options available.", "reasoning": "checked", "metExpectation": {{(met ? "true" : "false")}}}]}""");

    [Theory]
    [InlineData(true, 1.0)]
    [InlineData(false, 0.0)]
    public async Task The_judges_verdict_decides_the_nl_component_of_a_retail_task(bool met, double reward)
    {
        var domain = Tau2Domain.Load(SharedData.File("tau2", "data"), "retail");
        var task = Tau2TaskSet.Load(domain).Get("2");
        _server.Script("judge-model", Verdict(met));

        var info = await new Tau2Evaluator(domain, _judge).EvaluateAsync(task, GoldTrajectory.Build(domain, task));

        info.Reward.Should().Be(reward);
        info.NlAssertions!.Single().Met.Should().Be(met);
        var prompt = _server.Requests.Single().LastUserText;
        prompt.Should().StartWith("conversation:\nassistant: Hi! How can I help you today?")
            .And.EndWith("expectedOutcomes:\n['Agent should tell the user that there are 10 t-shirt options available.']");
    }

    [Fact]
    public void A_reply_that_is_not_the_expected_json_fails_every_assertion()
    {
        var checks = LlmNlAssertionJudge.Parse("I think the agent did fine.", ["a", "b"]);
        checks.Should().HaveCount(2).And.OnlyContain(c => !c.Met && c.Justification.Contains("not the expected JSON"));
        LlmNlAssertionJudge.Parse("```json\n{\"results\": [{\"expectedOutcome\": \"a\", \"reasoning\": \"r\", \"metExpectation\": true}]}\n```", ["a"])
            .Single().Met.Should().BeTrue();
    }
}
