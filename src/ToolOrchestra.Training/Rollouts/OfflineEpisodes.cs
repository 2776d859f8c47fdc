using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Tools;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

namespace ToolOrchestra.Training.Rollouts;

/// <summary>
/// Limits of an offline episode: turns, turns without a valid call, documents per search, and the QA protocol shape.
/// The world chooses its own shape rather than taking the runtime's default: its simulated experts draw every reply
/// from a hash of the prompt text, and its calibration and seeded results (README, demo checks, tests) were set on the
/// <see cref="QaProtocolVariant.Legacy"/> prompts, so another shape redraws every dice roll. The learned policy reads
/// no prompt, so the shape changes no feature it learns from. <c>Protocol = QaProtocolVariant.Train</c> runs the
/// world under the reference's training prompts (seeds 1 and 2 of the demo meet every check there too).
/// </summary>
public sealed record OfflineEpisodeOptions(int MaxTurns = 8, int MaxErrors = 3, int TopK = 5, QaProtocolVariant? Protocol = null)
{
    public static readonly OfflineEpisodeOptions Default = new();

    /// <summary>The shape the world runs: <see cref="Protocol"/>, else legacy (see above).</summary>
    public QaProtocolVariant Variant => Protocol ?? QaProtocolVariant.Legacy;
}

/// <summary>What one episode of a world task produced: the full trajectory and whether its answer is the gold one.</summary>
public sealed record EpisodeOutcome(WorldTask Task, Trajectory Trajectory, bool Solved)
{
    public bool Answered => Trajectory.StopReason == StopReason.Answered;
}

/// <summary>What a policy factory gets for one episode: the model clients it may call (an LLM orchestrator does) and the seed.</summary>
public sealed record EpisodeContext(ModelClientFactory Models, int Seed);

/// <summary>
/// Runs world tasks through the engine (<c>AddToolOrchestra</c>, the one door) with the catalog's aliases served
/// in-process by the simulated experts (through the engine's usual client pipeline), the real retrieval index and the
/// real code sandbox on the world's virtual clock. The engine is built once; each episode is a <see cref="WorldEpisode"/>
/// with its own virtual clock, seed and policy, entered for the episode's async flow, so episodes can run concurrently
/// and replay exactly.
/// </summary>
public sealed class OfflineEpisodes
{
    private readonly World _world;
    private readonly Catalog _catalog;
    private readonly OfflineEpisodeOptions _options;
    private readonly IOrchestrator _orchestrator;
    private readonly ModelClientFactory _models;

    /// <param name="transport">The wire to each model: null serves the simulated experts in-process; the evaluation
    /// harness reaches them over HTTP instead (<c>orchestra sim serve</c>'s server), with the same replies.</param>
    public OfflineEpisodes(World world, Catalog catalog, IRetriever retriever, ICodeRunner codeRunner,
        OfflineEpisodeOptions? options = null, ITokenCounter? tokens = null, Func<ModelEntry, Microsoft.Extensions.AI.IChatClient>? transport = null)
    {
        _world = world;
        _catalog = catalog;
        _options = options ?? OfflineEpisodeOptions.Default;
        var endpoint = new SimulatedEndpoint(world, tokens);
        // Nothing in this engine holds a resource (no MCP server, no run store): it lives as long as the episodes.
        var engine = new ServiceCollection().AddToolOrchestra(catalog, o =>
            {
                (o.RunsDirectory, o.Retry, o.TopK, o.Protocol) = (null, new RetrySettings(MaxRetries: 0), _options.TopK, _options.Variant);
                (o.MaxTurns, o.MaxErrors) = (_options.MaxTurns, _options.MaxErrors);
            })
            .UseChatClients(transport ?? (model => new SimulatedChatClient(endpoint, model.Id, model.Name)))
            .UseRetriever(retriever)
            .UseCodeRunner(new VirtualTimeCodeRunner(codeRunner))
            .UseTokenCounter(tokens ?? EstimatingTokenCounter.Instance)
            .UseTimeProvider(WorldEpisode.Clock)
            .UsePolicy(_ => new CurrentPolicy())
            .Services.BuildServiceProvider();
        _orchestrator = engine.GetRequiredService<IOrchestrator>();
        _models = engine.GetRequiredService<ModelClientFactory>();
    }

    public World World => _world;
    public Catalog Catalog => _catalog;
    public OfflineEpisodeOptions Options => _options;

    /// <summary>The model clients episodes call (the ledger → hermes → retry stack over the transport).</summary>
    public ModelClientFactory Models => _models;

    /// <summary>
    /// One episode of <paramref name="task"/> under its own preferences (or <paramref name="preferences"/>), with the
    /// policy <paramref name="policy"/> builds for this episode.
    /// </summary>
    public async Task<EpisodeOutcome> RunAsync(WorldTask task, Func<EpisodeContext, IQaPolicy> policy, int seed,
        Preferences? preferences = null, CancellationToken ct = default)
    {
        using var episode = new WorldEpisode(seed) { Policy = policy(new EpisodeContext(_models, seed)) }.Enter();
        var request = new OrchestrationRequest(task.Question) { Preferences = preferences ?? task.Preferences, Id = $"{task.Id}-seed{seed}" };
        var trajectory = (await _orchestrator.RunAsync(request, ct).ConfigureAwait(false)).Trajectory;
        var solved = trajectory.StopReason == StopReason.Answered && task.IsCorrect(trajectory.Answer);
        // The judged outcome travels with the trajectory, so a saved run can be re-scored (orchestra reward).
        return new EpisodeOutcome(task, trajectory with { Outcome = new TrajectoryOutcome(task.Id, solved, task.Answer) }, solved);
    }

    /// <summary>The shared engine's policy: the current episode's own.</summary>
    private sealed class CurrentPolicy : IQaPolicy
    {
        public string Name => Own.Name;

        public Task<PolicyDecision> DecideAsync(QaObservation observation, Core.Accounting.Ledger ledger, CancellationToken ct) =>
            Own.DecideAsync(observation, ledger, ct);

        private static IQaPolicy Own => WorldEpisode.Current.Policy
            ?? throw new InvalidOperationException("the offline episode was entered without a policy.");
    }
}
