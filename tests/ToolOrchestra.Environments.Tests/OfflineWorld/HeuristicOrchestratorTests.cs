using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;

namespace ToolOrchestra.Environments.Tests.OfflineWorld;

/// <summary>
/// The simulated orchestrator facing a question its world knows nothing of: its searches find nothing, the rebuilt
/// prompt stays the same, and after a few such searches it answers instead of searching until max_turns.
/// </summary>
public sealed class HeuristicOrchestratorTests : IDisposable
{
    private static readonly World World = World.Generate(4, WorldOptions.Small);
    private const string OutOfWorld = "Who painted the Zorblaxian quadrant frescoes of Quembly?";
    private readonly string _dir = Directory.CreateTempSubdirectory("heuristic-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task An_out_of_world_question_is_answered_after_a_few_empty_searches_not_at_max_turns()
    {
        await using var experts = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(World), 0);
        var catalog = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(catalog, SimulatedCatalog.Json(experts.BaseUrl)); // max_turns 12, as examples/catalog.sim.json
        WorldRetrieval.Build(World, Path.Combine(_dir, "world"));
        await using var engine = new ServiceCollection().AddToolOrchestra(catalog, o =>
        {
            o.Index = Path.Combine(_dir, "world", WorldRetrieval.IndexFile);
            o.Code = false;
            o.RunsDirectory = null;
        }).Services.BuildServiceProvider();

        var orchestrator = engine.GetRequiredService<IOrchestrator>();

        // Twice: over HTTP there is no episode, and the second run of the question must not inherit the first's count.
        for (var run = 0; run < 2; run++)
        {
            var result = await orchestrator.RunAsync(new OrchestrationRequest(OutOfWorld));
            var tools = result.Trajectory.Turns.Select(t => t.Call?.Name).ToList();
            tools.Should().Equal(Enumerable.Repeat("search", HeuristicOrchestrator.EmptySearches).Append("answer"));
            result.Trajectory.Turns.Take(HeuristicOrchestrator.EmptySearches).Should().OnlyContain(t => t.Observation!.Contains("0 new"), "the searches found nothing");
            result.StopReason.Should().Be(StopReason.Answered);
        }

        // A question of the world asked again and again still starts with a search each time.
        var known = World.TestTasks.First(t => t.Family == TaskFamily.Lookup).Question;
        for (var run = 0; run < HeuristicOrchestrator.EmptySearches + 2; run++)
            (await orchestrator.RunAsync(new OrchestrationRequest(known))).Trajectory.Turns[0].Call!.Name.Should().Be("search");
    }

    [Fact]
    public async Task The_count_belongs_to_the_episode_in_process()
    {
        var endpoint = new SimulatedEndpoint(World);
        var client = new SimulatedChatClient(endpoint, SimulatedCatalog.OrchestratorModel, SimulatedCatalog.OrchestratorModel);
        var tools = new ChatOptions
        {
            Tools = new[] { "search", "answer" }.Select(name => (AITool)AIFunctionFactory.CreateDeclaration(name, name,
                System.Text.Json.JsonSerializer.SerializeToElement(new { type = "object", properties = new { model = new { type = "string", description = $"Choices: ['{name}-2']." } } }))).ToList(),
        };
        List<ChatMessage> prompt = [new(ChatRole.User, $"Problem: {OutOfWorld}\n\nChoose an appropriate tool.")];

        async Task<IReadOnlyList<string>> EpisodeAsync(int seed)
        {
            using var _ = new WorldEpisode(seed).Enter();
            var calls = new List<string>();
            for (var i = 0; i < 5; i++)
                calls.Add((await client.GetResponseAsync(prompt, tools)).Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().Name);
            return calls;
        }

        (await EpisodeAsync(1)).Should().Equal("search", "search", "search", "answer", "answer");
        (await EpisodeAsync(1)).Should().Equal("search", "search", "search", "answer", "answer"); // another episode starts afresh: replays stay exact
    }
}
