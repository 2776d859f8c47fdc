using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Qa;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Environments.Servers;

/// <summary>
/// One OpenEnv session (a WebSocket, or the default one of plain HTTP): at most one running episode, driven one message
/// at a time. <c>reset</c> starts an episode on its own task and returns the first prompt; <c>step</c> hands the action
/// to the waiting turn and returns the next prompt, or the end with its reward. Closing the session cancels a running
/// episode, which is still stored (stop reason <c>cancelled</c>).
/// </summary>
internal sealed class QaEnvSession(QaEnvironment env, string id, TimeProvider time) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private Episode? _episode;
    private long _lastActive = time.GetTimestamp();

    public string Id => id;
    public int StepCount { get; private set; }
    public CancellationToken Closed => _closed.Token;
    /// <summary>A message is being handled (a step may wait minutes on an expert): not idle.</summary>
    public bool Busy => _gate.CurrentCount == 0;
    public TimeSpan Idle => time.GetElapsedTime(Volatile.Read(ref _lastActive));

    private sealed class Episode(QaTask task, EpisodeBridge bridge, CancellationTokenSource stop, string? episodeId, string? groupId, Preferences preferences)
    {
        public QaTask Task { get; } = task;
        public EpisodeBridge Bridge { get; } = bridge;
        public CancellationTokenSource Stop { get; } = stop;
        public string? EpisodeId { get; } = episodeId;
        public string? GroupId { get; } = groupId;
        public Preferences Preferences { get; } = preferences;
        public Task<OrchestrationResult>? Run { get; set; }
        public string? RunId { get; set; }
        public QaObservation? Current { get; set; }
        public JsonObject? Final { get; set; }
    }

    public async Task<JsonObject> ResetAsync(JsonElement data, CancellationToken ct) => await Locked(async () =>
    {
        var (task, seed, episodeId, groupId, preferences) = ReadReset(data);
        await EndEpisodeAsync().ConfigureAwait(false);
        var bridge = new EpisodeBridge();
        var episode = new Episode(task, bridge, CancellationTokenSource.CreateLinkedTokenSource(_closed.Token), episodeId, groupId, preferences);
        var request = new OrchestrationRequest(task.Question) { Preferences = preferences, Seed = seed, Eid = task.Eid };
        episode.Run = System.Threading.Tasks.Task.Run(async () =>
        {
            RemoteQaPolicy.Enter(bridge);
            try
            {
                // Read to the end (not just to RunFinished), so the run completes on its own rather than being cancelled.
                OrchestrationResult? result = null;
                await foreach (var e in env.Orchestrator.RunEventsAsync(request, episode.Stop.Token).ConfigureAwait(false))
                {
                    switch (e)
                    {
                        case TurnStarted t: episode.RunId ??= t.RunId; bridge.TurnStarted(t.Turn); break;
                        case ToolObserved o: bridge.LastOutcome = new TurnOutcome(o.Turn, o.Tool, o.Alias, o.Observation, o.IsError); break;
                        case RunFinished f: result = f.Result; break;
                    }
                }
                return result ?? throw new InvalidOperationException("the episode ended without its result.");
            }
            finally { bridge.Ended(); }
        });
        _episode = episode;
        StepCount = 0;
        return await AdvanceAsync(episode).ConfigureAwait(false);
    }, ct).ConfigureAwait(false);

    public async Task<JsonObject> StepAsync(JsonElement action, CancellationToken ct) => await Locked(async () =>
    {
        var decision = EnvAction.Parse(action);
        var episode = _episode ?? throw new InvalidOperationException("no episode is running; send reset first.");
        if (episode.Final is not null) throw new InvalidOperationException("the episode is done; send reset to start another.");
        StepCount++;
        episode.Bridge.Act(decision);
        return await AdvanceAsync(episode).ConfigureAwait(false);
    }, ct).ConfigureAwait(false);

    public JsonObject State()
    {
        Touch();
        var e = _episode;
        return new JsonObject
        {
            ["episode_id"] = e?.EpisodeId ?? e?.RunId,
            ["step_count"] = StepCount,
            ["session_id"] = id,
            ["run_id"] = e?.RunId,
            ["task_id"] = e?.Task.Id,
            ["turn"] = e?.Current?.Turn,
            ["done"] = e?.Final is not null,
            ["cost_usd"] = e?.Final?["observation"]?["cost_usd"]?.DeepClone() ?? (e?.Current is { } c ? c.CostUsd : null),
        };
    }

    /// <summary>
    /// Waits for the episode's next prompt, or its end; the end is scored and stored. A caller that leaves meanwhile
    /// (an HTTP request aborted) does not stop the wait: the turn's observation must not be left behind for the next step.
    /// Only closing the session does.
    /// </summary>
    private async Task<JsonObject> AdvanceAsync(Episode episode)
    {
        var ct = _closed.Token;
        if (await episode.Bridge.NextAsync(ct).ConfigureAwait(false) is { } observation)
        {
            episode.Current = observation;
            return EnvWire.Step(EnvWire.Observation(observation, episode.Task.Id, episode.RunId, episode.Bridge.LastOutcome), null, false);
        }
        var result = await episode.Run!.WaitAsync(ct).ConfigureAwait(false);
        var correct = result.StopReason == StopReason.Answered && await env.ScoreAsync(episode.Task, result.Answer, ct).ConfigureAwait(false);
        await QaEnvironment.StoreOutcomeAsync(result, new TrajectoryOutcome(episode.Task.Id, correct, episode.Task.Answer, episode.GroupId ?? episode.Task.Id)).ConfigureAwait(false);
        var reward = correct ? 1.0 : 0.0;
        episode.Final = EnvWire.Step(EnvWire.Final(result, episode.Task.Id, correct, episode.Preferences, episode.GroupId ?? episode.Task.Id, episode.Bridge.LastOutcome), reward, true);
        return episode.Final;
    }

    private (QaTask Task, long? Seed, string? EpisodeId, string? GroupId, Preferences Preferences) ReadReset(JsonElement data)
    {
        if (data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            var next = env.Pick(null, null);
            return (next, null, null, null, next.Preferences);
        }
        if (data.ValueKind != JsonValueKind.Object) throw new EnvValidationException("reset data must be a JSON object (task_id, seed, episode_id, group_id, preferences).");
        string? taskId = null, episodeId = null, groupId = null;
        long? seed = null;
        JsonElement? preferences = null;
        foreach (var p in data.EnumerateObject())
        {
            switch (p.Name)
            {
                case "task_id": taskId = Text(p); break;
                case "episode_id": episodeId = Text(p); break;
                case "group_id": groupId = Text(p); break;
                case "seed":
                    if (p.Value.ValueKind == JsonValueKind.Null) break;
                    if (!p.Value.TryGetInt64(out var s) || s < 0) throw new EnvValidationException("seed must be a non-negative integer.");
                    seed = s;
                    break;
                case "preferences": if (p.Value.ValueKind != JsonValueKind.Null) preferences = p.Value; break;
                default: break; // OpenEnv's reset allows extra fields; they are ignored
            }
        }
        var task = env.Pick(taskId, seed);
        return (task, seed, episodeId, groupId, preferences is { } pe ? env.ReadPreferences(pe) : task.Preferences);

        static string? Text(JsonProperty p) => p.Value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String when p.Value.GetString()!.Length is > 0 and <= 255 => p.Value.GetString(),
            _ => throw new EnvValidationException($"{p.Name} must be a string of 1 to 255 characters."),
        };
    }

    private async Task<JsonObject> Locked(Func<Task<JsonObject>> body, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Touch();
            return await body().ConfigureAwait(false);
        }
        finally
        {
            Touch();
            _gate.Release();
        }
    }

    private void Touch() => Volatile.Write(ref _lastActive, time.GetTimestamp());

    /// <summary>Cancels a running episode and waits for it to be stored.</summary>
    private async Task EndEpisodeAsync()
    {
        if (_episode is not { } e) return;
        _episode = null;
        await e.Stop.CancelAsync().ConfigureAwait(false);
        try { if (e.Run is not null) await e.Run.ConfigureAwait(false); }
        catch (Exception) { /* the run ended; its trajectory is stored with its reason */ }
        e.Stop.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_closed.IsCancellationRequested) return;
        await _closed.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try { await EndEpisodeAsync().ConfigureAwait(false); }
        finally { _gate.Release(); }
    }
}
