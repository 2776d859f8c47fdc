using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Declarative;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Synthesis.Llm;
using ToolOrchestra.Synthesis.Offline;
using ToolOrchestra.Synthesis.Verification;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Synthesis.Tests;

/// <summary>The LLM backend end to end against a scripted OpenAI-compatible endpoint over real HTTP.</summary>
public sealed class LlmBackendTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("synth-llm").FullName;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private Catalog WriteCatalog()
    {
        var path = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(path, $$$$"""
            {"orchestrator": {"model": "writer"},
             "models": {"writer": {"endpoint": "{{{{_server.BaseUrl}}}}", "name": "synth-model", "price": {"input_per_million": 1, "output_per_million": 2}}},
             "aliases": {"synth": "writer"},
             "limits": {"max_retries": 0}}
            """);
        return CatalogLoader.Load(path);
    }

    /// <summary>What a good model would answer: the bank blueprint's domain and records, and tasks that verify.</summary>
    private static (JsonObject Domain, JsonObject Db, List<JsonObject> Tasks) GoodAnswers(int tasks)
    {
        var bp = new DomainBlueprint(Themes.All[0], "bank", new Random(5));
        var domainJson = bp.DomainJson();
        var db = bp.DbJson(20);
        var domain = DeclarativeDomain.Create(DomainSpec.Parse(domainJson, "domain.json"), db, bp.Policy(), ".");
        var sampler = new GoalSampler(bp, domain.AgentDb.Root, new Random(3));
        var verifier = new TaskVerifier(domain);
        var answers = new List<JsonObject>();
        while (answers.Count < tasks)
        {
            var t = sampler.Next();
            if (!verifier.Verify(t).Kept) continue;
            answers.Add(new JsonObject
            {
                ["goal"] = t.Goal, ["reason_for_call"] = t.ReasonForCall, ["known_info"] = t.KnownInfo, ["task_instructions"] = t.TaskInstructions,
                ["actions"] = new JsonArray(t.Actions.Select(a => (JsonNode?)new JsonObject { ["name"] = a.Name, ["arguments"] = a.Arguments.DeepClone() }).ToArray()),
                ["communicate_info"] = new JsonArray(t.CommunicateInfo.Select(c => (JsonNode?)c).ToArray()),
            });
        }
        return (domainJson, db, answers);
    }

    [Fact]
    public async Task Every_stage_is_validated_and_a_stage_answering_invalid_json_is_asked_again_with_the_error()
    {
        var (domain, db, tasks) = GoodAnswers(3);
        var badTask = new JsonObject { ["reason_for_call"] = "x", ["known_info"] = "y", ["task_instructions"] = "z", ["actions"] = new JsonArray(new JsonObject { ["name"] = "rob_the_bank", ["arguments"] = new JsonObject() }) };
        _server.Script("synth-model",
            new FakeReply("Here is the domain: {\"name\": \"bank\", \"entities\": [ oops }"),
            new FakeReply("```json\n" + Without(domain, "tools").ToJsonString() + "\n```"),
            new FakeReply(new JsonObject { ["tools"] = domain["tools"]!.DeepClone() }.ToJsonString()),
            new FakeReply(db.ToJsonString()),
            new FakeReply(tasks[0].ToJsonString()),
            new FakeReply(badTask.ToJsonString()),
            new FakeReply(tasks[1].ToJsonString()),
            new FakeReply(tasks[2].ToJsonString()));

        var report = await new SynthesisPipeline(LlmBackend.FromCatalog(WriteCatalog()), new SynthOptions(1, 3, Path.Combine(_dir, "out")))
            .RunAsync(null, CancellationToken.None);

        report.Kept.Should().Be(3);
        _server.Remaining("synth-model").Should().Be(0);
        var requests = _server.Requests;
        requests.Should().HaveCount(8);
        var retry = requests[1].Body["messages"]!.AsArray();
        retry[^1]!["content"]!.GetValue<string>().Should().StartWith("That answer was rejected: the reply is not valid JSON");
        retry[^2]!["content"]!.GetValue<string>().Should().Contain("oops");
        requests[6].Body["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>().Should().Contain("'rob_the_bank' is not a tool of the domain");

        var loaded = Tau2Domain.Load(Path.Combine(_dir, "out"), "bank");
        var gold = await GoldCheck.RunAsync(loaded, Tau2TaskSet.Load(loaded).Tasks, null, CancellationToken.None);
        gold.Passed.Should().Be(3);
    }

    private static JsonObject Without(JsonObject o, string key)
    {
        var copy = (JsonObject)o.DeepClone();
        copy.Remove(key);
        return copy;
    }

    [Fact]
    public async Task A_stage_that_never_validates_fails_with_the_last_error()
    {
        _server.Script("synth-model", new FakeReply("no"), new FakeReply("{\"name\": \"bank\"}"), new FakeReply("{\"name\": \"Bank!\", \"entities\": []}"));
        var act = () => new SynthesisPipeline(LlmBackend.FromCatalog(WriteCatalog()), new SynthOptions(1, 1, Path.Combine(_dir, "out")))
            .RunAsync(null, CancellationToken.None);
        (await act.Should().ThrowAsync<UserError>()).Which.Message.Should()
            .Contain("schema stage failed validation 3 times").And.Contain("$.name: 'Bank!' is not a valid name");
        Directory.Exists(Path.Combine(_dir, "out", "domains", "bank")).Should().BeFalse();
    }

    [Fact]
    public void A_catalog_without_the_synth_alias_is_refused_with_the_fix()
    {
        var path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, $$$$$"""{"orchestrator": {"model": "w"}, "models": {"w": {"endpoint": "{{{{{_server.BaseUrl}}}}}", "name": "m", "price": {"input_per_million": 1, "output_per_million": 1}}}}""");
        var act = () => LlmBackend.FromCatalog(CatalogLoader.Load(path));
        act.Should().Throw<UserError>().Which.Message.Should().Contain("no 'synth' alias");
    }
}
