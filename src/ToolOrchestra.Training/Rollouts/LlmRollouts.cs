using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Models.Tokenization;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Training.Grpo;

namespace ToolOrchestra.Training.Rollouts;

/// <summary>
/// Settings of <c>orchestra rollout</c>. <see cref="Protocol"/> null takes the catalog's <c>orchestrator.protocol</c>,
/// else <see cref="QaProtocolVariant.Default"/>; <see cref="TopK"/> null takes that variant's documents per search.
/// <see cref="Cache"/>, when given, replays repeated model calls (keyed with each rollout's seed) instead of paying again.
/// </summary>
public sealed record LlmRolloutOptions(int Group = 8, int Seed = 1, int MaxTurns = 12, int MaxErrors = 5, int? TopK = null, int Parallelism = 4,
    QaProtocolVariant? Protocol = null, Models.Caching.ResponseCache? Cache = null)
{
    public void Validate()
    {
        if (Group < 2) throw new UserError($"--group must be at least 2 (GRPO compares rollouts within a group), got {Group}.");
        if (MaxTurns < 1) throw new UserError($"--max-turns must be at least 1, got {MaxTurns}.");
        if (Parallelism < 1) throw new UserError($"--concurrency must be at least 1, got {Parallelism}.");
        if (TopK is < 1) throw new UserError($"--top-k must be at least 1, got {TopK}.");
    }
}

/// <summary>
/// One JSONL line of <c>orchestra rollout</c>: a kept orchestrator turn as an LLM trainer consumes it. Field meanings
/// are in the README ("Samples for LLM trainers").
/// </summary>
public sealed record LlmTurnSample(
    string GroupId,
    string TaskId,
    int Rollout,
    int Turn,
    IReadOnlyList<PromptMessage> Messages,
    JsonArray Tools,
    string Response,
    double Reward,
    double Advantage,
    bool Solved,
    string OrchestratorModel,
    bool SimulatedModels);

/// <summary>What a rollout run produced this time: the kept samples and the filter counts of the groups it ran, and
/// how many groups it skipped because the sample log already held them.</summary>
public sealed record LlmRolloutReport(int Tasks, int Rollouts, double Accuracy, FilterCounts Counts, IReadOnlyList<LlmTurnSample> Samples, int SkippedGroups = 0);

/// <summary>
/// Groups of episodes with the catalog's LLM orchestrator through the real runtime (<see cref="QaEpisodeRunner"/>,
/// the catalog's endpoints: real ones or <c>orchestra sim serve</c>), then the same reward → advantage → filter
/// stages that train the small policy (<see cref="GrpoStages"/>), giving one sample per kept turn. Every request of
/// rollout g carries its own seed, so a sampling server (or the simulated experts) can vary across the group.
/// Reward, advantage and filter only look inside one group, so each group is scored and handed to the
/// <see cref="RolloutSampleLog"/> as soon as its rollouts finish: a kill loses at most the groups in flight.
/// An orchestrator endpoint that fails after its retries ends that rollout with <c>endpoint_error</c> (no answer,
/// reward 0); its group still scores.
/// </summary>
public static class LlmRollouts
{
    public static async Task<LlmRolloutReport> RunAsync(
        Catalog catalog, IReadOnlyList<RolloutTask> tasks, QaToolServices tools, LlmRolloutOptions options, RolloutSampleLog? log = null,
        ITokenCounter? tokens = null, Func<ModelEntry, IChatClient>? transport = null, CancellationToken ct = default)
    {
        options.Validate();
        tokens ??= EstimatingTokenCounter.Instance;
        if (options.TopK is { } topK) tools = tools with { TopK = topK };
        using var gate = new SemaphoreSlim(options.Parallelism);
        // One failing group (a bug, a missing API key) stops the others promptly; what finished is already written.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var simulated = catalog.Models.Values.Any(m => m.HasTag("simulated"));
        var runs = new List<Task<(RolloutGroupRecord Record, IReadOnlyList<LlmTurnSample> Samples)>>();
        var skipped = 0;
        for (var t = 0; t < tasks.Count; t++)
        {
            var seeds = GroupSeeds(options, t);
            if (log?.IsDone(tasks[t].Id, seeds) == true) { skipped++; continue; }
            runs.Add(RunGroupAsync(catalog, tasks[t], seeds, tools, options, tokens, transport, gate, simulated, log, stop));
        }
        try
        {
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        catch when (runs.FirstOrDefault(r => r.IsFaulted && r.Exception!.InnerException is not OperationCanceledException) is { } failed)
        {
            // The cause, not the cancellations it set off in the other groups.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed.Exception!.InnerException!);
        }
        var groups = runs.Select(r => r.Result).ToList();
        var rollouts = groups.Sum(g => g.Record.Rollouts);
        var counts = groups.Select(g => g.Record.Counts).Aggregate(new FilterCounts(0, 0, 0, 0, 0), Add);
        return new LlmRolloutReport(tasks.Count, rollouts, rollouts == 0 ? 0 : groups.Sum(g => g.Record.Solved) / (double)rollouts, counts,
            groups.SelectMany(g => g.Samples).ToList(), skipped);
    }

    /// <summary>The seeds of task t's rollouts: what identifies a group across reruns, with the task id.</summary>
    public static IReadOnlyList<int> GroupSeeds(LlmRolloutOptions options, int taskIndex) =>
        Enumerable.Range(0, options.Group).Select(g => OfflineTrainer.EpisodeSeed(options.Seed, 0, taskIndex, g)).ToList();

    public static FilterCounts Add(FilterCounts a, FilterCounts b) =>
        new(a.Turns + b.Turns, a.Kept + b.Kept, a.HomogeneousGroup + b.HomogeneousGroup, a.NoValidAnswer + b.NoValidAnswer, a.NoParsableCall + b.NoParsableCall);

    private static async Task<(RolloutGroupRecord, IReadOnlyList<LlmTurnSample>)> RunGroupAsync(
        Catalog catalog, RolloutTask task, IReadOnlyList<int> seeds, QaToolServices tools, LlmRolloutOptions options, ITokenCounter tokens,
        Func<ModelEntry, IChatClient>? transport, SemaphoreSlim gate, bool simulated, RolloutSampleLog? log, CancellationTokenSource stop)
    {
        try
        {
            var trajectories = await Task.WhenAll(seeds.Select(seed => RunOneAsync(catalog, task, tools, options, seed, tokens, transport, gate, stop.Token))).ConfigureAwait(false);
            var rollouts = new List<RolloutRecord<TrajectoryTurn>>();
            for (var g = 0; g < trajectories.Length; g++)
            {
                var tr = trajectories[g];
                var answered = tr.StopReason == StopReason.Answered;
                var solved = answered && task.IsCorrect(tr.Answer);
                var turns = tr.Turns.Select(turn => new TurnRecord<TrajectoryTurn>(turn.Turn, turn.Call is not null, turn.Call?.Alias, turn)).ToList();
                rollouts.Add(new RolloutRecord<TrajectoryTurn>(g, turns, answered, solved, tr.CostUsd, tr.LatencySeconds));
            }
            var batch = GrpoStages.Prepare([new RolloutGroup<TrajectoryTurn>(task.Id, task.Preferences.Weights, rollouts)]);
            var declared = ToolsJson(new QaToolset(catalog, task.Preferences));
            var groupId = GroupId(task.Id, options.Seed);
            var samples = batch.Samples.Select(s => new LlmTurnSample(groupId, s.TaskId, s.Rollout, s.Turn, s.Step.Prompt,
                (JsonArray)declared.DeepClone(), s.Step.RawOutput, s.Reward, s.Advantage, rollouts[s.Rollout].Solved,
                catalog.Orchestrator.Model, simulated)).ToList();
            var record = new RolloutGroupRecord(task.Id, seeds, groupId, rollouts.Count, rollouts.Count(r => r.Solved), batch.Counts, 0);
            return (log?.Append(samples, record) ?? record, samples);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A group is one task's G rollouts under one run seed.</summary>
    public static string GroupId(string taskId, int seed) => $"{taskId}@seed{seed}";

    /// <summary>The QA tools as offered to the orchestrator, in the OpenAI "tools" shape chat templates render.</summary>
    public static JsonArray ToolsJson(QaToolset toolset) =>
        new(toolset.Declarations.Select(d => (JsonNode)new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = d.Name,
                ["description"] = d.Description,
                ["parameters"] = JsonNode.Parse(d.JsonSchema.GetRawText()),
            },
        }).ToArray());

    private static async Task<Trajectory> RunOneAsync(Catalog catalog, RolloutTask task, QaToolServices tools, LlmRolloutOptions options, int seed,
        ITokenCounter tokens, Func<ModelEntry, IChatClient>? transport, SemaphoreSlim gate, CancellationToken ct)
    {
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var wire = transport ?? (model => Wire(model, catalog));
            // The seed is set outermost, so the response cache keys each rollout's requests with it.
            var models = new ModelClientFactory(catalog, tokens, transport: wire, configure: (b, _) => b.Use(inner => new SeededChatClient(inner, seed)), cache: options.Cache);
            var policy = new LlmQaPolicy(models.For(catalog.Orchestrator.Model), catalog.Orchestrator);
            var runner = new QaEpisodeRunner(catalog, models, policy, tools, tokens, variant: options.Protocol ?? QaProtocolVariant.FromCatalog(catalog));
            var request = new QaRunRequest(task.Question, task.Preferences, options.MaxTurns, options.MaxErrors, Id: $"{task.Id}-seed{seed}");
            return await runner.RunAsync(request, null, ct).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The catalog's own wire client for a model (chat or raw completions), as the runtime builds it.</summary>
    private static IChatClient Wire(ModelEntry model, Catalog catalog)
    {
        var key = model.ApiKeyEnv is null ? "not-needed"
            : Environment.GetEnvironmentVariable(model.ApiKeyEnv) is { Length: > 0 } k ? k
            : throw new UserError($"{catalog.SourcePath ?? "catalog"}: $.models.{model.Id}.api_key_env names {model.ApiKeyEnv}, which is not set.");
        SecretRedactor.Register(key); // an upstream error may echo it; see EndpointException
        var timeout = TimeSpan.FromSeconds(catalog.Limits.RequestTimeoutSeconds + 5);
        return model.Api == ModelApi.Completions
            ? new RawCompletionsChatClient(new Uri(model.Endpoint), model.Name, key, Qwen3Tokenizer.Load(model.Tokenizer!))
            : new OpenAiCompatibleChatClient(new Uri(model.Endpoint + "/"), model.Name, key, timeout);
    }

    /// <summary>Gives every request of one rollout the rollout's seed (unless the caller set one).</summary>
    private sealed class SeededChatClient(IChatClient inner, int seed) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var o = options?.Clone() ?? new ChatOptions();
            o.Seed ??= seed;
            return base.GetResponseAsync(messages, o, cancellationToken);
        }
    }
}
