using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Environments.Tau2.Results;

namespace ToolOrchestra.Environments.Tau2.Simulation;

/// <summary>What a set of simulations was run with; recorded in the results file's <c>info</c>.</summary>
public sealed record Tau2RunSettings(string Domain, string AgentImplementation, string AgentModel, string UserModel,
    int Trials = 1, int MaxSteps = 200, int MaxErrors = 10, int Seed = 300, int Concurrency = 1, int Attempts = 3);

/// <summary>
/// Runs tasks × trials with bounded concurrency. Trial seeds come from one RNG seeded with the run seed, as upstream.
/// A simulation that throws is retried (3 attempts), then recorded as <c>infrastructure_error</c> without stopping
/// the others. Each finished simulation goes to the <see cref="Tau2ResultsJournal"/> at once, so a killed run keeps
/// it and a rerun with the same results path runs only the missing (task, trial) pairs; at the end the results file,
/// in upstream's format (readable by <c>tau2 report</c> and <c>tau2 rescore</c>), holds them all.
/// </summary>
public sealed class Tau2RunSet(Tau2Simulator simulator, Tau2RunSettings settings, string policy)
{
    /// <summary>Opens the results file's journal: what an earlier, interrupted run with these settings finished.</summary>
    public Tau2ResultsJournal OpenJournal(string resultsPath) => Tau2ResultsJournal.Open(resultsPath, Info());

    /// <summary>Runs every (task, trial) pair the results file does not hold yet; returns the simulations run now.</summary>
    public async Task<IReadOnlyList<Tau2SimulationRun>> RunAsync(IReadOnlyList<Tau2Task> tasks, string resultsPath, Action<Tau2SimulationRun>? onDone, CancellationToken ct)
    {
        using var journal = OpenJournal(resultsPath);
        return await RunAsync(tasks, journal, onDone, ct).ConfigureAwait(false);
    }

    /// <summary>As above, into a journal the caller opened (to report a resume before the run starts).</summary>
    public async Task<IReadOnlyList<Tau2SimulationRun>> RunAsync(IReadOnlyList<Tau2Task> tasks, Tau2ResultsJournal journal, Action<Tau2SimulationRun>? onDone, CancellationToken ct)
    {
        var rng = new Random(settings.Seed);
        var seeds = Enumerable.Range(0, settings.Trials).Select(_ => (long)rng.Next(0, 1_000_001)).ToList();
        var work = seeds.SelectMany((seed, trial) => tasks.Select(task => (Task: task, Trial: trial, Seed: seed)))
            .Where(w => !journal.IsDone(w.Task.Id, w.Trial)).ToList();
        var done = new List<Tau2SimulationRun>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = ct }, async (w, c) =>
        {
            var run = await RunOneAsync(w.Task, w.Trial, w.Seed, c).ConfigureAwait(false);
            journal.Append(ToJson(run));
            lock (done) done.Add(run);
            onDone?.Invoke(run);
        }).ConfigureAwait(false);
        journal.Complete(tasks.Select(t => t.ToJson()).ToList());
        var order = tasks.Select((t, i) => (t.Id, i)).ToDictionary(x => x.Id, x => x.i);
        return done.OrderBy(r => r.Trial).ThenBy(r => order[r.Task.Id]).ToList();
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

    /// <summary>Upstream's <c>info</c> object: what the run was made with.</summary>
    private JsonObject Info() => new()
    {
        ["num_trials"] = settings.Trials,
        ["max_steps"] = settings.MaxSteps,
        ["max_errors"] = settings.MaxErrors,
        ["seed"] = settings.Seed,
        ["agent_info"] = new JsonObject { ["implementation"] = settings.AgentImplementation, ["llm"] = settings.AgentModel },
        ["user_info"] = new JsonObject { ["implementation"] = "user_simulator", ["llm"] = settings.UserModel },
        ["environment_info"] = new JsonObject { ["domain_name"] = settings.Domain, ["policy"] = policy },
    };

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
            ["expert_calls"] = new JsonObject(CallCount.PerName(r.AgentLedger.Entries.Where(e => e.Kind == CallKind.Expert && e.Alias is not null))
                .ModelCalls.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["user_cost_usd"] = r.UserLedger.CostUsd,
            ["calls"] = JsonSerializer.SerializeToNode(r.AgentLedger.Entries, OrchestraJson.Options),
        },
    };
}
