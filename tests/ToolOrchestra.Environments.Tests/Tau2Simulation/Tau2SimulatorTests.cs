using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Environments.Tau2.Results;
using ToolOrchestra.Environments.Tau2.Simulation;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Environments.Tests.Tau2Simulation;

/// <summary>Whole tau2 simulations on the mock domain against scripted models on the fake OpenAI-compatible server.</summary>
public sealed class Tau2SimulatorTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private Tau2Domain _domain = null!;
    private ModelClientFactory _models = null!;
    private ServiceProvider _engine = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _domain = Tau2Domain.Load(SharedData.File("tau2", "data"), "mock");
        var catalog = new Catalog(new OrchestratorSettings("orch"),
            new Dictionary<string, ModelEntry>
            {
                ["orch"] = new("orch", _server.BaseUrl, "orch-8b", new Price(0.2m, 0.2m), ["local"]),
                ["big"] = new("big", _server.BaseUrl, "big-gpt", new Price(1.25m, 10m), ["proprietary"]),
                ["small"] = new("small", _server.BaseUrl, "small-qwen", new Price(0.8m, 0.8m), ["local"]),
                ["user"] = new("user", _server.BaseUrl, "user-sim", new Price(1m, 1m), ["proprietary"]),
            },
            new Dictionary<string, AliasEntry> { ["expert-1"] = new("expert-1", "big"), ["expert-2"] = new("expert-2", "small") },
            new ToolPrices(), new Limits());
        _engine = new ServiceCollection().AddToolOrchestra(catalog, o => (o.RunsDirectory, o.Code, o.Retry) = (null, false, new RetrySettings(0)))
            .Services.BuildServiceProvider();
        _models = _engine.GetRequiredService<ModelClientFactory>();
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Tau2Simulator Simulator(Preferences? prefs = null, int maxSteps = 30, int maxErrors = 10)
    {
        var env = _domain.CreateEnvironment();
        var tools = env.AgentToolSchemas().Select(Tau2ChatView.Declaration).ToList();
        var agent = new OrchestratorTau2Agent(_engine.GetRequiredService<IOrchestrator>(), _domain.Policy, tools, prefs ?? Preferences.None, new Tau2Decoding());
        return new Tau2Simulator(_domain, agent,
            task => new Tau2UserSimulator(_models.For("user"), "user", Tau2Prompts.UserSystemPrompt(_domain, task), [], new Tau2Decoding()),
            new Tau2Evaluator(_domain), maxSteps, maxErrors);
    }

    private Tau2Task Task(string id) => Tau2TaskSet.Load(_domain).Get(id);

    [Fact]
    public async Task The_chosen_expert_acts_in_the_orchestrators_place_and_the_task_is_solved()
    {
        _server.Script("user-sim", new FakeReply("Please create a task called 'Important Meeting' for user_1."), new FakeReply("Great, thanks! ###STOP###"));
        _server.Script("orch-8b",
            FakeReply.Call("call_expert", new { expert = "expert-1" }),
            new FakeReply("<think>The tool succeeded.</think>\n<message>Your task 'Important Meeting' is created.</message>"));
        _server.Script("big-gpt", FakeReply.Call("create_task", new { user_id = "user_1", title = "Important Meeting" }, prompt: 2000, completion: 40));

        var run = await Simulator().RunAsync(Task("create_task_1"), trial: 0, seed: 1, CancellationToken.None);

        run.TerminationReason.Should().Be(TerminationReasons.UserStop);
        run.Reward!.Reward.Should().Be(1.0);
        run.Messages.Select(m => (m.Role, m.ToolCalls?.Single().Name, m.Content)).Should().Equal(
            ("assistant", null, "Hi! How can I help you today?"),
            ("user", null, "Please create a task called 'Important Meeting' for user_1."),
            ("assistant", "create_task", null),
            ("tool", null, run.Messages[3].Content),
            ("assistant", null, "Your task 'Important Meeting' is created."),
            ("user", null, "Great, thanks! ###STOP###"));
        run.Messages[3].Error.Should().BeFalse();

        var orchestratorRequest = _server.Requests.First(r => r.Model == "orch-8b");
        orchestratorRequest.ToolNames.Should().Contain("call_expert").And.NotContain("transfer_to_human_agents");
        orchestratorRequest.Messages[0]!["content"]!.GetValue<string>().Should().EndWith(Tau2Prompts.OrchestratorSuffix);
        var expertRequest = _server.Requests.Single(r => r.Model == "big-gpt");
        expertRequest.ToolNames.Should().Contain("transfer_to_human_agents").And.NotContain("call_expert");
        expertRequest.Messages[0]!["content"]!.GetValue<string>().Should().Be(Tau2Prompts.AgentSystemPrompt(_domain.Policy));
        var userRequest = _server.Requests.First(r => r.Model == "user-sim");
        userRequest.Messages[1]!["role"]!.GetValue<string>().Should().Be("user"); // the agent's greeting, flipped
        userRequest.Messages[0]!["content"]!.GetValue<string>().Should().Contain("<scenario>").And.Contain("Important Meeting");

        var expertEntry = run.AgentLedger.Entries.Single(e => e.Kind == CallKind.Expert);
        (expertEntry.Alias, expertEntry.CostUsd).Should().Be(("expert-1", 2000 * 1.25m / 1_000_000m + 40 * 10m / 1_000_000m));
        run.UserLedger.Entries.Should().HaveCount(2);
        _server.Requests.Should().OnlyContain(r => r.Body["seed"]!.GetValue<long>() == 1, "every call carries the trial's seed");
    }

    [Fact]
    public async Task Forbidden_experts_are_not_offered_and_never_called()
    {
        var prefs = new Preferences(new Dictionary<string, double>(), OnlyTags: ["local"], ExcludeAliases: []);
        _server.Script("user-sim", new FakeReply("Create 'Important Meeting' for user_1 please."), new FakeReply("###STOP###"));
        _server.Script("orch-8b", FakeReply.Call("call_expert", new { expert = "expert-1" }), new FakeReply("<message>Done.</message>"));
        _server.Script("small-qwen", FakeReply.Call("create_task", new { user_id = "user_1", title = "Important Meeting" }));

        var run = await Simulator(prefs).RunAsync(Task("create_task_1"), 0, 1, CancellationToken.None);

        _server.Requests.First(r => r.Model == "orch-8b").ToolsJson.Should().Contain("expert-2").And.NotContain("expert-1");
        _server.Requests.Should().NotContain(r => r.Model == "big-gpt");
        run.AgentLedger.Entries.Single(e => e.Kind == CallKind.Expert).Alias.Should().Be("expert-2");
    }

    [Fact]
    public async Task A_failing_simulation_is_an_infrastructure_error_and_the_others_still_run()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tau2-run-{Guid.NewGuid():N}.json");
        try
        {
            // the first simulation's user endpoint fails on every attempt; the second converses and stops
            _server.Script("user-sim", FakeReply.Error(500), FakeReply.Error(500), FakeReply.Error(500), new FakeReply("###STOP###"));
            var set = new Tau2RunSet(Simulator(), new Tau2RunSettings("mock", "orchestrator", "orch", "user", Trials: 2, Concurrency: 1), _domain.Policy);

            var runs = await set.RunAsync([Task("create_task_1")], path, null, CancellationToken.None);

            runs.Select(r => r.TerminationReason).Should().Equal(TerminationReasons.InfrastructureError, TerminationReasons.UserStop);
            runs[0].Error.Should().Contain("500");
            var file = Tau2Results.Read(path);
            file.Simulations.Should().HaveCount(2);
            file.NumTrials.Should().Be(2);
            runs.Select(r => r.Seed).Distinct().Should().HaveCount(2, "each trial gets its own seed");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task A_tool_error_is_returned_to_the_agent_and_too_many_errors_end_the_run()
    {
        _server.Script("user-sim", new FakeReply("Create 'Important Meeting' for user_1."));
        _server.Script("orch-8b", FakeReply.Call("create_task", new { user_id = "nobody", title = "Important Meeting" }),
            FakeReply.Call("create_task", new { title = "Important Meeting" }));

        var run = await Simulator(maxErrors: 2).RunAsync(Task("create_task_1"), 0, 1, CancellationToken.None);

        run.TerminationReason.Should().Be(TerminationReasons.TooManyErrors);
        run.Reward!.Reward.Should().Be(0);
        var errors = run.Messages.Where(m => m.Role == Tau2Roles.Tool).ToList();
        errors.Should().HaveCount(2).And.OnlyContain(m => m.Error == true && m.Content!.StartsWith("Error: "));
        // the agent saw the first error before its second call
        _server.Requests.Where(r => r.Model == "orch-8b").Last().Messages.Last()!["content"]!.GetValue<string>().Should().StartWith("Error: ");
    }

    [Fact]
    public async Task The_step_limit_ends_a_conversation_that_does_not_stop()
    {
        _server.Fallback = r => r.Model == "user-sim" ? new FakeReply("Can you check again?") : new FakeReply("<message>Let me check.</message>");

        var run = await Simulator(maxSteps: 6).RunAsync(Task("create_task_1"), 0, 1, CancellationToken.None);

        run.TerminationReason.Should().Be(TerminationReasons.MaxSteps);
        run.Reward!.Reward.Should().Be(0, "runs that end early score 0 without checks, as upstream");
        run.Messages.Should().HaveCount(7); // the greeting, then one message per step
    }
}
