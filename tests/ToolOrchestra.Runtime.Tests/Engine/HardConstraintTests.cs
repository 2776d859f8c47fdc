using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.FunctionCalling;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Engine;

/// <summary>
/// Hard constraints are checked in one place (<c>EpisodeCore.Authorize</c>), for what is offered and what runs, under
/// both protocols: a forbidden alias is never offered, and naming it anyway never reaches its model.
/// </summary>
public sealed class HardConstraintTests : EngineTest
{
    private static readonly Preferences LocalOnly = new(new Dictionary<string, double>(), ["local"], []);

    [Fact]
    public async Task Qa_protocol_never_offers_nor_calls_a_forbidden_alias()
    {
        Server.Script(QaWorld.Orchestrator,
            FakeReply.Call("answer", new { model = "answer-1" }),   // forbidden: proprietary
            FakeReply.Call("answer", new { model = "answer-2" }));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{yes}"));
        await using var sp = Engine();

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("Local?") { Preferences = LocalOnly });

        var offered = Server.Requests.First(r => r.Model == QaWorld.Orchestrator).ToolsJson;
        offered.Should().Contain("answer-2").And.NotContain("answer-1").And.NotContain("search-1");
        result.Trajectory.Turns[0].Error.Should().Contain("only_tags");
        Server.Requests.Should().NotContain(r => r.Model == QaWorld.Big);
        result.Answer.Should().Be("yes");
        result.Calls.Where(c => c.Alias is not null).Should().OnlyContain(c => c.Alias == "answer-2");
    }

    [Fact]
    public async Task Function_calling_protocol_never_offers_nor_calls_a_forbidden_expert()
    {
        var catalog = CatalogLoader.Load(CatalogPath);
        var models = new ModelClientFactory(catalog, EstimatingTokenCounter.Instance, new RetrySettings(0));
        var lookup = AIFunctionFactory.CreateDeclaration("lookup", "Looks a thing up.", JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone());
        var loop = new FunctionCallingOrchestrator(models, new FunctionCallingSetup("You orchestrate.", "You are the agent.", [lookup], new HashSet<string>(), new ChatOptions()));
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("call_expert", new { expert = "expert-1" }));   // forbidden: proprietary
        Server.Script(QaWorld.Local, new FakeReply("Done locally."));

        FunctionCallingSetup.ExpertsFor(catalog, LocalOnly).Should().Equal("expert-2");
        var episode = loop.Begin("fc-1", "a conversation", LocalOnly);
        var reply = await episode.RespondAsync([new ChatMessage(ChatRole.User, "Please help.")], seed: 7, CancellationToken.None);
        var result = await episode.CompleteAsync(StopReason.Answered, "done");

        reply!.Text.Should().Be("Done locally.");
        Server.Requests.First(r => r.Model == QaWorld.Orchestrator).ToolsJson.Should().Contain("expert-2").And.NotContain("expert-1");
        Server.Requests.Should().NotContain(r => r.Model == QaWorld.Big);
        result.Calls.Single(c => c.Kind == CallKind.Expert).Alias.Should().Be("expert-2");
        result.Trajectory.Turns.Single().Error.Should().Contain("expert-1");
    }
}
