using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Environments.OfflineWorld;

namespace ToolOrchestra.Training.Rollouts;

/// <summary>A policy to evaluate: its table name and how to build it for one episode.</summary>
public sealed record EvaluatedPolicy(string Name, Func<EpisodeContext, IQaPolicy> Create);

/// <summary>
/// One row of the results table (the paper's Table 1 shape): accuracy, dollars and seconds per task (seconds are the
/// paper's latency: tool calls only), turns per task, first calls per alias per task, the share of first calls that
/// went to local models, and calls the hard constraints should have stopped (must be 0).
/// </summary>
public sealed record EvaluationRow(
    string Policy,
    int Tasks,
    double Accuracy,
    decimal DollarsPerTask,
    double SecondsPerTask,
    double TurnsPerTask,
    IReadOnlyDictionary<string, double> CallsPerAlias,
    double LocalCallShare,
    int ConstraintViolations);

/// <summary>
/// Runs a policy greedily over a task set in the offline world and summarises it. Every policy meets the same
/// episode seeds, so differences come from the policies, not from the experts' dice.
/// </summary>
public static class PolicyEvaluation
{
    public static async Task<(EvaluationRow Row, IReadOnlyList<EpisodeOutcome> Episodes)> RunAsync(
        OfflineEpisodes episodes, EvaluatedPolicy policy, IReadOnlyList<WorldTask> tasks, int seed, int parallelism = 4,
        Preferences? preferences = null, CancellationToken ct = default)
    {
        if (tasks.Count == 0) throw new UserError("no tasks to evaluate on; use a larger world.");
        var outcomes = await EpisodeBatch.RunAsync(tasks.Count, parallelism,
            (i, c) => episodes.RunAsync(tasks[i], policy.Create, OfflineTrainer.EpisodeSeed(seed, 0, i, 0), preferences, c), ct).ConfigureAwait(false);
        return (Summarise(policy.Name, outcomes, episodes.Catalog, preferences), outcomes);
    }

    public static EvaluationRow Summarise(string name, IReadOnlyList<EpisodeOutcome> outcomes, Core.Catalog.Catalog catalog, Preferences? preferences = null)
    {
        var calls = new SortedDictionary<string, double>(StringComparer.Ordinal);
        int local = 0, total = 0, violations = 0;
        foreach (var o in outcomes)
        {
            var prefs = preferences ?? o.Task.Preferences;
            foreach (var (alias, count) in FirstCalls(o.Trajectory.Ledger))
            {
                calls[alias] = calls.GetValueOrDefault(alias) + count;
                total += count;
                if (catalog.Aliases.TryGetValue(alias, out var a) && catalog.Models[a.Model].HasTag("local")) local += count;
                if (!prefs.Allows(alias, catalog, out _)) violations += count;
            }
        }
        var n = outcomes.Count;
        return new EvaluationRow(name, n,
            outcomes.Count(o => o.Solved) / (double)n,
            outcomes.Sum(o => o.Trajectory.CostUsd) / n,
            outcomes.Average(o => o.Trajectory.LatencySeconds),
            outcomes.Average(o => o.Trajectory.Turns.Count),
            calls.ToDictionary(kv => kv.Key, kv => kv.Value / n),
            total == 0 ? 0 : local / (double)total,
            violations);
    }

    private static IReadOnlyDictionary<string, int> FirstCalls(IReadOnlyList<LedgerEntry> ledger)
    {
        var l = new Ledger();
        foreach (var e in ledger) l.Record(e);
        return l.FirstCallsPerAlias();
    }
}
