using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Tools;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Tests.Rollouts;

/// <summary><c>orchestra rollout --protocol</c>: the episodes run the chosen variant, with its top_k unless one is given.</summary>
public sealed class LlmRolloutsProtocolTests : IDisposable
{
    private static readonly World World = World.Generate(3, WorldOptions.Small with { TasksPerFamily = 4 });
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "toolorchestra-rollout-protocol-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Remembers every top_k asked of the world's index.</summary>
    private sealed class RecordingRetriever(IRetriever inner) : IRetriever
    {
        public ConcurrentBag<int> TopKs { get; } = [];

        public Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct)
        {
            TopKs.Add(topK);
            return inner.RetrieveAsync(query, topK, eid, ct);
        }
    }

    /// <summary>Remembers the last message of every orchestrator request.</summary>
    private sealed class RecordingClient(IChatClient inner, ConcurrentBag<string> prompts) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            prompts.Add(list[^1].Text);
            return base.GetResponseAsync(list, options, cancellationToken);
        }
    }

    private async Task<(RecordingRetriever Retriever, ConcurrentBag<string> Prompts)> RollOut(QaProtocolVariant? protocol, int? topK)
    {
        var catalog = SimulatedCatalog.Create();
        var retriever = new RecordingRetriever(WorldRetrieval.Build(World, Path.Combine(_dir, Guid.NewGuid().ToString("N")), catalog.ToolPrices));
        var endpoint = new SimulatedEndpoint(World);
        var prompts = new ConcurrentBag<string>();
        var tasks = World.Tasks.Where(t => t.FactIds.Count > 0).Take(3)
            .Select(t => new RolloutTask(t.Id, t.Question, t.AcceptedAnswers, Preferences.None)).ToList();
        var options = new LlmRolloutOptions(Group: 2, MaxTurns: 4, Parallelism: 2, Protocol: protocol);

        // The in-process simulated models read the ambient episode (seed, call numbers, virtual clock): one for the run.
        using var episode = new WorldEpisode(1).Enter();
        await using var engine = new ServiceCollection().AddToolOrchestra(catalog, o => (o.RunsDirectory, o.Code, o.TopK) = (null, false, topK))
            .UseRetriever(retriever)
            .UseChatClients(model =>
            {
                IChatClient client = new SimulatedChatClient(endpoint, model.Id, model.Name);
                return model.Id == catalog.Orchestrator.Model ? new RecordingClient(client, prompts) : client;
            })
            .Services.BuildServiceProvider();
        await LlmRollouts.RunAsync(engine.GetRequiredService<IOrchestrator>(), tasks, options);
        return (retriever, prompts);
    }

    [Fact]
    public async Task The_chosen_variant_shapes_the_prompt_and_its_top_k_is_used()
    {
        var (retriever, prompts) = await RollOut(QaProtocolVariant.Hle, topK: null);

        prompts.Should().NotBeEmpty().And.OnlyContain(p => p.EndsWith("Choose an appropriate tool.'", StringComparison.Ordinal), "HLE's tail keeps its stray quote");
        retriever.TopKs.Should().NotBeEmpty().And.OnlyContain(k => k == 50);
    }

    [Fact]
    public async Task Without_a_protocol_rollouts_run_train_and_an_explicit_top_k_wins()
    {
        var (retriever, prompts) = await RollOut(protocol: null, topK: 7);

        prompts.Should().NotBeEmpty().And.OnlyContain(p => p.EndsWith("Choose an approriate tool.", StringComparison.Ordinal), "train is the default");
        retriever.TopKs.Should().NotBeEmpty().And.OnlyContain(k => k == 7);
    }
}
