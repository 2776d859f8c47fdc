using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Tools;
using ToolOrchestra.Training.OfflineWorld;
using ToolOrchestra.Training.OfflineWorld.SimulatedExperts;

namespace ToolOrchestra.Training.Rollouts;

/// <summary>Limits of an offline episode: turns, turns without a valid call, documents per search.</summary>
public sealed record OfflineEpisodeOptions(int MaxTurns = 8, int MaxErrors = 3, int TopK = 5)
{
    public static readonly OfflineEpisodeOptions Default = new();
}

/// <summary>What one episode of a world task produced: the full trajectory and whether its answer is the gold one.</summary>
public sealed record EpisodeOutcome(WorldTask Task, Trajectory Trajectory, bool Solved)
{
    public bool Answered => Trajectory.StopReason == StopReason.Answered;
}

/// <summary>What a policy factory gets for one episode: the model clients it may call (an LLM orchestrator does) and the seed.</summary>
public sealed record EpisodeContext(ModelClientFactory Models, int Seed);

/// <summary>
/// Runs world tasks through the real runtime: <see cref="QaEpisodeRunner"/> with the catalog's aliases served
/// in-process by the simulated experts (through the usual ledger → hermes → retry decorators of
/// <see cref="ModelClientFactory"/>), the real retrieval index and the real code sandbox. Each episode gets its own
/// <see cref="VirtualClock"/> and seed, so episodes can run concurrently and replay exactly.
/// </summary>
public sealed class OfflineEpisodes(
    World world,
    Catalog catalog,
    IRetriever retriever,
    ICodeRunner codeRunner,
    OfflineEpisodeOptions? options = null,
    ITokenCounter? tokens = null)
{
    private readonly OfflineEpisodeOptions _options = options ?? OfflineEpisodeOptions.Default;
    private readonly ITokenCounter _tokens = tokens ?? EstimatingTokenCounter.Instance;
    private readonly SimulatedEndpoint _endpoint = new(world, tokens);

    public World World => world;
    public Catalog Catalog => catalog;
    public OfflineEpisodeOptions Options => _options;

    /// <summary>
    /// One episode of <paramref name="task"/> under its own preferences (or <paramref name="preferences"/>), with the
    /// policy <paramref name="policy"/> builds for this episode.
    /// </summary>
    public async Task<EpisodeOutcome> RunAsync(WorldTask task, Func<EpisodeContext, IQaPolicy> policy, int seed,
        Preferences? preferences = null, CancellationToken ct = default)
    {
        var clock = new VirtualClock();
        var models = new ModelClientFactory(catalog, _tokens, new RetrySettings(MaxRetries: 0), clock,
            model => new SimulatedChatClient(_endpoint, model.Name, clock, seed));
        var tools = new QaToolServices(retriever, new VirtualTimeCodeRunner(codeRunner, clock), _options.TopK);
        var runner = new QaEpisodeRunner(catalog, models, policy(new EpisodeContext(models, seed)), tools, _tokens, time: clock);
        var request = new QaRunRequest(task.Question, preferences ?? task.Preferences, _options.MaxTurns, _options.MaxErrors,
            Id: $"{task.Id}-seed{seed}");
        var trajectory = await runner.RunAsync(request, null, ct).ConfigureAwait(false);
        var solved = trajectory.StopReason == StopReason.Answered && task.IsCorrect(trajectory.Answer);
        // The judged outcome travels with the trajectory, so a saved run can be re-scored (orchestra reward).
        return new EpisodeOutcome(task, trajectory with { Outcome = new TrajectoryOutcome(task.Id, solved, task.Answer) }, solved);
    }
}
