using System.Text;
using System.Text.Json;
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

/// <summary>Settings of <c>orchestra rollout</c>.</summary>
public sealed record LlmRolloutOptions(int Group = 8, int Seed = 1, int MaxTurns = 12, int MaxErrors = 5, int TopK = 5, int Parallelism = 4)
{
    public void Validate()
    {
        if (Group < 2) throw new UserError($"--group must be at least 2 (GRPO compares rollouts within a group), got {Group}.");
        if (MaxTurns < 1) throw new UserError($"--max-turns must be at least 1, got {MaxTurns}.");
        if (Parallelism < 1) throw new UserError($"--parallel must be at least 1, got {Parallelism}.");
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

/// <summary>What a rollout run produced: the kept samples and the filter counts.</summary>
public sealed record LlmRolloutReport(int Tasks, int Rollouts, double Accuracy, FilterCounts Counts, IReadOnlyList<LlmTurnSample> Samples);

/// <summary>
/// Groups of episodes with the catalog's LLM orchestrator through the real runtime (<see cref="QaEpisodeRunner"/>,
/// the catalog's endpoints: real ones or <c>orchestra sim serve</c>), then the same reward → advantage → filter
/// stages that train the small policy (<see cref="GrpoStages"/>), giving one sample per kept turn. Every request of
/// rollout g carries its own seed, so a sampling server (or the simulated experts) can vary across the group.
/// </summary>
public static class LlmRollouts
{
    public static async Task<LlmRolloutReport> RunAsync(
        Catalog catalog, IReadOnlyList<RolloutTask> tasks, QaToolServices tools, LlmRolloutOptions options,
        ITokenCounter? tokens = null, Func<ModelEntry, IChatClient>? transport = null, CancellationToken ct = default)
    {
        options.Validate();
        tokens ??= EstimatingTokenCounter.Instance;
        using var gate = new SemaphoreSlim(options.Parallelism);
        var runs = new List<Task<Trajectory>>();
        for (var t = 0; t < tasks.Count; t++)
            for (var g = 0; g < options.Group; g++)
                runs.Add(RunOneAsync(catalog, tasks[t], tools, options, OfflineTrainer.EpisodeSeed(options.Seed, 0, t, g), tokens, transport, gate, ct));
        var trajectories = await Task.WhenAll(runs).ConfigureAwait(false);

        var groups = new List<RolloutGroup<TrajectoryTurn>>();
        var solvedCount = 0;
        for (var t = 0; t < tasks.Count; t++)
        {
            var rollouts = new List<RolloutRecord<TrajectoryTurn>>();
            for (var g = 0; g < options.Group; g++)
            {
                var tr = trajectories[t * options.Group + g];
                var answered = tr.StopReason == StopReason.Answered;
                var solved = answered && tasks[t].IsCorrect(tr.Answer);
                if (solved) solvedCount++;
                var turns = tr.Turns.Select(turn => new TurnRecord<TrajectoryTurn>(turn.Turn, turn.Call is not null, turn.Call?.Alias, turn)).ToList();
                rollouts.Add(new RolloutRecord<TrajectoryTurn>(g, turns, answered, solved, tr.CostUsd, tr.LatencySeconds));
            }
            groups.Add(new RolloutGroup<TrajectoryTurn>(tasks[t].Id, tasks[t].Preferences.Weights, rollouts));
        }
        var batch = GrpoStages.Prepare(groups);

        var simulated = catalog.Models.Values.Any(m => m.HasTag("simulated"));
        var toolsByTask = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        var solvedByRollout = groups.SelectMany(g => g.Rollouts.Select(r => (g.TaskId, r.Index, r.Solved))).ToDictionary(x => (x.TaskId, x.Index), x => x.Solved);
        var samples = batch.Samples.Select(s =>
        {
            var task = tasks.First(x => x.Id == s.TaskId);
            if (!toolsByTask.TryGetValue(s.TaskId, out var declared))
                toolsByTask[s.TaskId] = declared = ToolsJson(new QaToolset(catalog, task.Preferences));
            return new LlmTurnSample(GroupId(s.TaskId, options.Seed), s.TaskId, s.Rollout, s.Turn, s.Step.Prompt,
                (JsonArray)declared.DeepClone(), s.Step.RawOutput, s.Reward, s.Advantage, solvedByRollout[(s.TaskId, s.Rollout)],
                catalog.Orchestrator.Model, simulated);
        }).ToList();
        return new LlmRolloutReport(tasks.Count, trajectories.Length, trajectories.Length == 0 ? 0 : solvedCount / (double)trajectories.Length, batch.Counts, samples);
    }

    /// <summary>A group is one task's G rollouts under one run seed.</summary>
    public static string GroupId(string taskId, int seed) => $"{taskId}@seed{seed}";

    /// <summary>Writes the samples as JSONL (snake_case, one object per line).</summary>
    public static void WriteJsonl(IEnumerable<LlmTurnSample> samples, string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using var w = new StreamWriter(full, false, new UTF8Encoding(false));
        foreach (var s in samples) w.Write(JsonSerializer.Serialize(s, OrchestraJson.Compact) + "\n");
    }

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
            var models = new ModelClientFactory(catalog, tokens, transport: model => new SeededChatClient(wire(model), seed));
            var policy = new LlmQaPolicy(models.For(catalog.Orchestrator.Model), catalog.Orchestrator);
            var runner = new QaEpisodeRunner(catalog, models, policy, tools, tokens);
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
