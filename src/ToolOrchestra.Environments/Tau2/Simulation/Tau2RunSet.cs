using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;

namespace ToolOrchestra.Environments.Tau2.Simulation;

/// <summary>What a set of simulations was run with; recorded in the results file's <c>info</c>.</summary>
public sealed record Tau2RunSettings(string Domain, string AgentImplementation, string AgentModel, string UserModel,
    int Trials = 1, int MaxSteps = 200, int MaxErrors = 10, int Seed = 300, int Concurrency = 1, int Attempts = 3);

/// <summary>
/// Runs tasks × trials with bounded concurrency. Trial seeds come from one RNG seeded with the run seed, as upstream.
/// A simulation that throws is retried (3 attempts), then recorded as <c>infrastructure_error</c> without stopping
/// the others. The results file, in upstream's format (readable by <c>tau2 report</c> and <c>tau2 rescore</c>), is
/// rewritten after every finished simulation so an interrupted run keeps what it did.
/// </summary>
public sealed class Tau2RunSet(Tau2Simulator simulator, Tau2RunSettings settings, string policy)
{
    private readonly Lock _gate = new();

    public async Task<IReadOnlyList<Tau2SimulationRun>> RunAsync(IReadOnlyList<Tau2Task> tasks, string resultsPath, Action<Tau2SimulationRun>? onDone, CancellationToken ct)
    {
        var rng = new Random(settings.Seed);
        var seeds = Enumerable.Range(0, settings.Trials).Select(_ => (long)rng.Next(0, 1_000_001)).ToList();
        var work = seeds.SelectMany((seed, trial) => tasks.Select(task => (Task: task, Trial: trial, Seed: seed))).ToList();
        var done = new List<Tau2SimulationRun>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = ct }, async (w, c) =>
        {
            var run = await RunOneAsync(w.Task, w.Trial, w.Seed, c).ConfigureAwait(false);
            lock (_gate)
            {
                done.Add(run);
                Write(resultsPath, tasks, done);
            }
            onDone?.Invoke(run);
        }).ConfigureAwait(false);
        return done.OrderBy(r => r.Trial).ThenBy(r => tasks.ToList().FindIndex(t => t.Id == r.Task.Id)).ToList();
    }

    private async Task<Tau2SimulationRun> RunOneAsync(Tau2Task task, int trial, long seed, CancellationToken ct)
    {
        var start = DateTimeOffset.UtcNow;
        Exception? last = null;
        for (var attempt = 1; attempt <= settings.Attempts; attempt++)
        {
            try
            {
                return await simulator.RunAsync(task, trial, seed, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                last = e;
            }
        }
        return new Tau2SimulationRun(Guid.NewGuid().ToString(), task, trial, seed, [], TerminationReasons.InfrastructureError, null,
            new Ledger(), new Ledger(), start, (DateTimeOffset.UtcNow - start).TotalSeconds, $"{last!.GetType().Name}: {last.Message}");
    }

    private void Write(string path, IReadOnlyList<Tau2Task> tasks, IReadOnlyList<Tau2SimulationRun> runs)
    {
        var root = new JsonObject
        {
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["info"] = new JsonObject
            {
                ["num_trials"] = settings.Trials,
                ["max_steps"] = settings.MaxSteps,
                ["max_errors"] = settings.MaxErrors,
                ["seed"] = settings.Seed,
                ["agent_info"] = new JsonObject { ["implementation"] = settings.AgentImplementation, ["llm"] = settings.AgentModel },
                ["user_info"] = new JsonObject { ["implementation"] = "user_simulator", ["llm"] = settings.UserModel },
                ["environment_info"] = new JsonObject { ["domain_name"] = settings.Domain, ["policy"] = policy },
            },
            ["tasks"] = new JsonArray(tasks.Select(t => (JsonNode?)t.ToJson()).ToArray()),
            ["simulations"] = new JsonArray(runs.Select(r => (JsonNode?)ToJson(r)).ToArray()),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, root.ToJsonString(OrchestraJson.Options));
        File.Move(temp, path, overwrite: true);
    }

    private static JsonObject ToJson(Tau2SimulationRun r) => new()
    {
        ["id"] = r.Id,
        ["task_id"] = r.Task.Id,
        ["trial"] = r.Trial,
        ["seed"] = r.Seed,
        ["start_time"] = r.Start.ToString("O"),
        ["end_time"] = r.Start.AddSeconds(r.DurationSeconds).ToString("O"),
        ["duration"] = r.DurationSeconds,
        ["termination_reason"] = r.TerminationReason,
        ["agent_cost"] = (double)r.AgentLedger.CostUsd,
        ["user_cost"] = (double)r.UserLedger.CostUsd,
        ["reward_info"] = r.Reward?.ToJson(),
        ["messages"] = new JsonArray(r.Messages.Select(m => (JsonNode?)m.ToJson()).ToArray()),
        ["error"] = r.Error,
        ["ledger"] = new JsonObject
        {
            ["agent_cost_usd"] = r.AgentLedger.CostUsd,
            ["agent_seconds"] = r.AgentLedger.Entries.Sum(e => e.LatencySeconds),
            ["orchestrator_cost_usd"] = r.AgentLedger.Entries.Where(e => e.Kind == CallKind.Orchestrator).Sum(e => e.CostUsd),
            ["expert_cost_usd"] = r.AgentLedger.Entries.Where(e => e.Kind == CallKind.Expert).Sum(e => e.CostUsd),
            ["expert_seconds"] = r.AgentLedger.Entries.Where(e => e.Kind == CallKind.Expert).Sum(e => e.LatencySeconds),
            ["expert_calls"] = new JsonObject(r.AgentLedger.Entries.Where(e => e.Kind == CallKind.Expert && e.Alias is not null)
                .GroupBy(e => e.Alias!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))),
            ["user_cost_usd"] = r.UserLedger.CostUsd,
            ["calls"] = JsonSerializer.SerializeToNode(r.AgentLedger.Entries, OrchestraJson.Options),
        },
    };
}
