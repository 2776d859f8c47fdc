using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Evaluation.Harness.Offline;

/// <summary>
/// The offline world's held-out tasks as a benchmark, answered by the simulated experts over real HTTP (the server of
/// <c>orchestra sim serve</c>, started on 127.0.0.1 for the run), through the same episodes as <c>orchestra demo</c>
/// (<see cref="OfflineEpisodes"/>: the world's BM25 index, python3 in the sandbox on a virtual clock, the same per-task
/// seeds). Orchestrators: an LLM orchestrator (<c>--orchestrator MODEL</c>; the simulated models orchestrate with the
/// heuristic, so the default, qwen3-8b, is the demo's "heuristic LLM orchestrator") or the learned policy
/// (<c>--policy FILE</c>, weights from <c>orchestra train</c>/<c>demo</c>). For the same seed and policy the numbers
/// equal the demo's evaluation table. Everything it produces is simulated and says so.
/// </summary>
public sealed class OfflineBenchmark : IEvalBenchmark
{
    private readonly SimulatedExpertServer _server;
    private readonly OfflineEpisodes _episodes;
    private readonly IReadOnlyList<WorldTask> _tasks;
    private readonly Dictionary<string, int> _index;
    private readonly EvalSetup _setup;
    private readonly ModelEntry _model;
    private readonly Func<EpisodeContext, IQaPolicy> _policy;
    private readonly int _seed;
    private readonly string _directory;

    private OfflineBenchmark(SimulatedExpertServer server, OfflineEpisodes episodes, EvalSetup setup, ModelEntry model,
        Func<EpisodeContext, IQaPolicy> policy, string orchestrator, int seed, string directory, World world)
    {
        (_server, _episodes, _setup, _model, _policy, _seed, _directory) = (server, episodes, setup, model, policy, seed, directory);
        _tasks = world.TestTasks.ToList();
        _index = _tasks.Select((t, i) => (t.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        Items = _tasks.Select(t => new EvalItem(t.Id, t.Id)).ToList();
        Orchestrator = orchestrator;
        Notes = [$"Offline world (seed {seed}, {world.Documents.Count} documents, {_tasks.Count} held-out tasks): every model is simulated (calibrated profiles over HTTP at {server.BaseUrl}), no real model runs."];
        Settings = new Dictionary<string, string?>
        {
            ["world_seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["world_fingerprint"] = world.Fingerprint,
            ["experts"] = "simulated",
        };
    }

    public string Orchestrator { get; }
    public bool Simulated => true;
    public IReadOnlyList<EvalItem> Items { get; }
    public IReadOnlyList<string> Notes { get; }
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public static async Task<IEvalBenchmark> CreateAsync(EvalRunOptions options, EvalStore store, CancellationToken ct)
    {
        if (options.Config is not null)
            throw new UserError("--benchmark offline runs on the offline world's simulated catalog (./orchestra sim catalog); drop --config.");
        if (options.Protocol is not null || options.BudgetUsd is not null)
            throw new UserError("--benchmark offline runs the demo's episodes (legacy protocol, no dollar budget) so its numbers match the demo's; drop --protocol and --budget-usd.");
        var setup = EvalSetups.Parse(options.Setup);
        if (options.Policy is not null && setup != EvalSetup.Orchestrated)
            throw new UserError("--policy orchestrates the full catalog: use it with --setup orchestrated.");
        var worldOptions = options.WorldSize switch
        {
            "default" => WorldOptions.Default,
            "small" => WorldOptions.Small,
            _ => throw new UserError($"--world-size must be default or small, not '{options.WorldSize}'."),
        };
        var policyWeights = options.Policy is { } p ? PolicyWeightsFile.Load(p) : null;
        var world = World.Generate(options.Seed, worldOptions);
        var server = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(world), 0, options.LatencyScale, ct).ConfigureAwait(false);
        var directory = Path.Combine(Path.GetTempPath(), $"orchestra-eval-offline-{Guid.NewGuid():N}");
        try
        {
            var catalog = SimulatedCatalog.Create(server.BaseUrl);
            var model = options.Orchestrator ?? catalog.Orchestrator.Model;
            var derived = EvalSetups.Derive(catalog, setup, model);
            var retriever = WorldRetrieval.Build(world, directory, catalog.ToolPrices, ct);
            var code = new CachingCodeRunner(new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10, MemoryMb = 512 }, catalog.ToolPrices),
                Path.Combine(directory, "code-cache"));
            var episodeOptions = options.MaxTurns is { } turns ? OfflineEpisodeOptions.Default with { MaxTurns = turns } : OfflineEpisodeOptions.Default;
            var timeout = TimeSpan.FromSeconds(derived.Limits.RequestTimeoutSeconds);
            var episodes = new OfflineEpisodes(world, derived, retriever, code, episodeOptions, transport: m => new SimulatedHttpTransport(
                new OpenAiCompatibleChatClient(new Uri(m.Endpoint + "/"), m.Name, "not-needed", timeout), m.Id,
                ExpertCalibration.Find(m.Name) ?? throw new UserError($"no simulated profile for model '{m.Name}'.")));
            Func<EpisodeContext, IQaPolicy> policy = policyWeights is not null
                ? _ => new LearnedQaPolicy(policyWeights)
                : c => new LlmQaPolicy(c.Models.For(derived.Orchestrator.Model), derived.Orchestrator);
            var name = options.Policy is not null ? $"learned:{Path.GetFileName(options.Policy)}" : $"{model} (simulated)";
            return new OfflineBenchmark(server, episodes, setup, derived.Models[model], policy, name, options.Seed, directory, world);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The seed of the i-th held-out task's episode: the demo's evaluation seed, so the numbers match it.</summary>
    public static int EpisodeSeed(int seed, int taskIndex) => OfflineTrainer.EpisodeSeed(seed, 0, taskIndex, 0);

    public async Task<EvalSample> RunAsync(string runId, EvalItem item, CancellationToken ct)
    {
        var i = _index[item.SampleId];
        var task = _tasks[i];
        var seed = EpisodeSeed(_seed, i);
        Trajectory? trajectory = null;
        string? answer;
        bool solved;
        StopReason stop;
        IReadOnlyList<LedgerEntry> calls;
        string trajectoryJson;
        if (_setup == EvalSetup.Direct)
        {
            var ledger = new Ledger();
            DirectReply reply;
            using (new WorldEpisode(seed).Enter())
                reply = await DirectAnswer.AskAsync(_episodes.Models.For(_model.Id), _model, task.Question, QaProtocolVariant.Legacy, ledger, null, ct).ConfigureAwait(false);
            (answer, stop, calls) = (reply.Answer, StopReason.Answered, ledger.Entries);
            solved = task.IsCorrect(reply.Answer);
            trajectoryJson = new JsonObject
            {
                ["setup"] = "direct", ["model"] = _model.Id, ["problem"] = task.Question, ["simulated"] = true,
                ["prompt"] = JsonSerializer.SerializeToNode(reply.Prompt, OrchestraJson.Compact), ["raw_output"] = reply.Raw, ["answer"] = reply.Answer,
            }.ToJsonString(OrchestraJson.Compact);
        }
        else
        {
            var outcome = await _episodes.RunAsync(task, _policy, seed, null, ct).ConfigureAwait(false);
            trajectory = outcome.Trajectory;
            if (trajectory.StopReason == StopReason.Cancelled) ct.ThrowIfCancellationRequested(); // in flight: runs again on a rerun
            (answer, stop, calls, solved) = (trajectory.Answer, trajectory.StopReason ?? StopReason.Error, trajectory.Ledger, outcome.Solved);
            trajectoryJson = JsonSerializer.Serialize(trajectory, OrchestraJson.Compact);
        }
        var sample = new EvalSample(runId, item.SampleId)
        {
            TaskId = task.Id,
            Answer = answer,
            Gold = task.Answer,
            Correct = solved,
            Reward = solved ? 1 : 0,
            VerdictSource = "exact",
            CostUsd = calls.Sum(c => c.CostUsd),
            ToolSeconds = calls.Sum(c => c.ToolSeconds),
            Turns = trajectory?.Turns.Count ?? 1,
            StopReason = JsonNamingPolicy.SnakeCaseLower.ConvertName(stop.ToString()),
            CallsJson = SampleCall.ToJson(calls),
            TrajectoryJson = trajectoryJson,
        };
        return stop is StopReason.EndpointError or StopReason.Error or StopReason.Cancelled
            ? sample with { Status = SampleStatus.Failed, Correct = null, Reward = null, Error = trajectory?.StopDetail ?? stop.ToString() }
            : sample;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
