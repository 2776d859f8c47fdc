using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Results;

/// <summary>Our value and the recorded one for one component of one simulation.</summary>
public sealed record ComponentComparison(string Component, string Recorded, string Ours, bool Agree);

/// <summary>One simulation re-scored.</summary>
public sealed record RescoredSimulation(
    Tau2Simulation Simulation,
    string ScoredTaskId,
    bool Relabeled,
    double Recorded,
    double Ours,
    bool Agree,
    bool NlFromRecording,
    RewardInfo Info,
    IReadOnlyList<ComponentComparison> Components,
    int ToolResultsChecked,
    IReadOnlyList<ReplayMismatch> ToolResultMismatches);

/// <summary>The re-scoring of a whole results file.</summary>
public sealed record RescoreReport(string File, string Domain, IReadOnlyList<RescoredSimulation> Simulations, int Excluded)
{
    public int Agree => Simulations.Count(s => s.Agree);
    public IEnumerable<RescoredSimulation> Disagreements => Simulations.Where(s => !s.Agree);
    public int Relabeled => Simulations.Count(s => s.Relabeled);
    public int ToolResultsChecked => Simulations.Sum(s => s.ToolResultsChecked);
    public int ToolResultMismatches => Simulations.Sum(s => s.ToolResultMismatches.Count);

    /// <summary>Per component: how many simulations recorded it, and how many of those agree with ours.</summary>
    public IReadOnlyDictionary<string, (int Compared, int Agree)> ComponentAgreement =>
        Simulations.SelectMany(s => s.Components).GroupBy(c => c.Component)
            .ToDictionary(g => g.Key, g => (g.Count(), g.Count(c => c.Agree)));

    /// <summary>The JSON the CLI prints: <c>{"file","simulations","agree","disagree":[…]}</c> plus component detail.</summary>
    public JsonObject ToJson() => new()
    {
        ["file"] = File,
        ["domain"] = Domain,
        ["simulations"] = Simulations.Count,
        ["agree"] = Agree,
        ["disagree"] = new JsonArray(Disagreements.Select(d => (JsonNode?)new JsonObject
        {
            ["id"] = d.Simulation.Id,
            ["task_id"] = d.Simulation.TaskId,
            ["recorded"] = d.Recorded,
            ["ours"] = double.IsNaN(d.Ours) ? null : d.Ours,
            ["note"] = double.IsNaN(d.Ours) ? d.Info.Note : null,
            ["components"] = new JsonObject(d.Components.Where(c => !c.Agree).Select(c =>
                KeyValuePair.Create(c.Component, (JsonNode?)new JsonObject { ["recorded"] = c.Recorded, ["ours"] = c.Ours }))),
        }).ToArray()),
        ["excluded_infrastructure_errors"] = Excluded,
        ["relabeled"] = new JsonArray(Simulations.Where(s => s.Relabeled).Select(s => (JsonNode?)new JsonObject
        {
            ["id"] = s.Simulation.Id,
            ["task_id"] = s.Simulation.TaskId,
            ["scored_task_id"] = s.ScoredTaskId,
        }).ToArray()),
        ["components"] = new JsonObject(ComponentAgreement.Select(kv => KeyValuePair.Create(kv.Key,
            (JsonNode?)new JsonObject { ["compared"] = kv.Value.Compared, ["agree"] = kv.Value.Agree }))),
        ["nl_from_recording"] = Simulations.Count(s => s.NlFromRecording),
        ["tool_results_checked"] = ToolResultsChecked,
        ["tool_result_mismatches"] = ToolResultMismatches,
    };
}

/// <summary>
/// Re-scores the simulations of an upstream results file with our evaluator and compares with the recorded rewards
/// and components. The task of each simulation is the one embedded in the file under its <c>task_id</c>; when the
/// recorded checks name other gold actions/communicate items than that task has (B1's wrong labels), the task whose
/// criteria the recording was computed against is used and the simulation is reported as relabeled.
/// </summary>
public sealed class Tau2Rescorer(string dataDir, INlAssertionJudge? judge = null)
{
    /// <summary>Also replay every recorded tool call (reads included) and compare each result with the recorded one.</summary>
    public bool CheckToolResults { get; init; }

    /// <summary>Score every simulation against its labeled task, even when its recorded checks name another.</summary>
    public bool TrustLabels { get; init; }

    public async Task<RescoreReport> RescoreAsync(Tau2Results results, CancellationToken ct = default, int parallelism = 1)
    {
        if (!Tau2Domain.Exists(dataDir, results.Domain))
            throw new UserError($"{results.File}: domain '{results.Domain}' is not one we implement ({string.Join(", ", Tau2Domain.NamesIn(dataDir))}).");
        var domain = Tau2Domain.Load(dataDir, results.Domain);
        foreach (var task in results.Tasks) domain.Validate(task, results.File);
        var evaluator = new Tau2Evaluator(domain, judge);
        var included = results.Simulations.Where(s => s.TerminationReason != TerminationReasons.InfrastructureError).ToList();
        var scored = new RescoredSimulation[included.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, included.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            async (i, token) => scored[i] = await RescoreOneAsync(results, domain, evaluator, included[i], token));
        return new RescoreReport(results.File, results.Domain, scored, results.Simulations.Count - included.Count);
    }

    private async Task<RescoredSimulation> RescoreOneAsync(Tau2Results results, Tau2Domain domain, Tau2Evaluator evaluator, Tau2Simulation sim, CancellationToken ct)
    {
        var (task, relabeled) = TrustLabels
            ? (results.FindTask(sim.TaskId) ?? throw new UserError($"{results.File}: simulation '{sim.Id}' names task '{sim.TaskId}', which the file's tasks do not include."), false)
            : ChooseTask(results, sim);
        RewardInfo info;
        try
        {
            info = await evaluator.EvaluateAsync(task, sim.Messages, sim.TerminationReason, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException and not UserError)
        {
            // one simulation we cannot score must not lose the others: report it as a disagreement
            info = new RewardInfo { Reward = double.NaN, RewardOfEvaluated = double.NaN, Note = $"evaluation failed: {e.GetType().Name}: {e.Message}" };
        }
        var recorded = sim.RecordedRewardInfo;

        var ours = info.Reward ?? 0;
        var nlFromRecording = false;
        if (info.Reward is null)
        {
            // NL assertions without a judge: take the recorded NL verdict, keep ours for everything else
            nlFromRecording = true;
            ours = info.RewardOfEvaluated * RecordedNl(recorded);
        }
        var components = Compare(recorded, info);
        var count = 0;
        var mismatches = CheckToolResults ? ReplayAll(domain, task, sim.Messages, out count) : [];
        return new RescoredSimulation(sim, task.Id, relabeled, sim.RecordedReward, ours,
            Math.Abs(sim.RecordedReward - ours) <= 1e-6, nlFromRecording, info, components,
            CheckToolResults ? count : 0, mismatches);
    }

    private static double RecordedNl(JsonObject? recorded)
    {
        if (recorded?["reward_breakdown"]?["NL_ASSERTION"] is { } v && Py.IsNumber(v)) return Py.Num(v);
        if (recorded?["nl_assertions"] is JsonArray a) return a.All(n => n?["met"]?.GetValue<bool>() == true) ? 1 : 0;
        return 1;
    }

    /// <summary>The labeled task, unless the recorded checks show the reward was computed for another task.</summary>
    public static (Tau2Task Task, bool Relabeled) ChooseTask(Tau2Results results, Tau2Simulation sim)
    {
        var labeled = results.FindTask(sim.TaskId);
        var recorded = sim.RecordedRewardInfo;
        var hasChecks = recorded is not null && (recorded["db_check"] is not null || recorded["action_checks"] is not null || recorded["communicate_checks"] is not null);
        if (!hasChecks)
            return (labeled ?? throw new UserError($"{results.File}: simulation '{sim.Id}' names task '{sim.TaskId}', which the file's tasks do not include."), false);

        var actionIds = (recorded!["action_checks"] as JsonArray)?.Select(c => Py.ToStr(c?["action"]?["action_id"]) + "|" + Py.ToStr(c?["action"]?["name"])).ToList() ?? [];
        var infos = (recorded["communicate_checks"] as JsonArray)?.Select(c => Py.ToStr(c?["info"])).ToList() ?? [];
        bool Consistent(Tau2Task t) =>
            (t.EvaluationCriteria?.Actions ?? []).Select(a => a.ActionId + "|" + a.Name).SequenceEqual(actionIds)
            && (t.EvaluationCriteria?.CommunicateInfo ?? []).SequenceEqual(infos);

        if (labeled is not null && Consistent(labeled)) return (labeled, false);
        var candidate = results.Tasks.FirstOrDefault(Consistent);
        if (candidate is not null) return (candidate, true);
        return (labeled ?? throw new UserError($"{results.File}: simulation '{sim.Id}' names task '{sim.TaskId}', which the file's tasks do not include."), false);
    }

    private static IReadOnlyList<ComponentComparison> Compare(JsonObject? recorded, RewardInfo ours)
    {
        var list = new List<ComponentComparison>();
        if (recorded is null) return list;
        if (recorded["db_check"] is JsonObject db && ours.DbCheck is not null)
        {
            var r = db["db_match"]?.GetValue<bool>() ?? false;
            list.Add(new("DB", r.ToString(), ours.DbCheck.DbMatch.ToString(), r == ours.DbCheck.DbMatch));
        }
        if (recorded["env_assertions"] is JsonArray { Count: > 0 } ea)
        {
            var r = string.Join(",", ea.Select(e => e?["met"]?.GetValue<bool>().ToString()));
            var o = string.Join(",", (ours.EnvAssertions ?? []).Select(e => e.Met.ToString()));
            list.Add(new("ENV_ASSERTION", r, o, r == o));
        }
        if (recorded["action_checks"] is JsonArray ac)
        {
            var r = string.Join(",", ac.Select(e => e?["action_match"]?.GetValue<bool>().ToString()));
            var o = string.Join(",", (ours.ActionChecks ?? []).Select(e => e.ActionMatch.ToString()));
            list.Add(new("ACTION", r, o, r == o));
        }
        if (recorded["communicate_checks"] is JsonArray cc)
        {
            var r = string.Join(",", cc.Select(e => e?["met"]?.GetValue<bool>().ToString()));
            var o = string.Join(",", (ours.CommunicateChecks ?? []).Select(e => e.Met.ToString()));
            list.Add(new("COMMUNICATE", r, o, r == o));
        }
        return list;
    }

    /// <summary>Replays every recorded tool call in order on a fresh environment and lists the results that differ.</summary>
    public static IReadOnlyList<ReplayMismatch> ReplayAll(Tau2Domain domain, Tau2Task task, IReadOnlyList<Tau2Message> messages, out int count)
    {
        var env = domain.CreateEnvironment();
        env.SetState(task.InitialState is null ? null : task.InitialState with { MessageHistory = null }, []);
        var mismatches = new List<ReplayMismatch>();
        count = 0;
        foreach (var (call, result) in Tau2Environment.PairToolCalls(messages))
        {
            var replayed = env.Execute(call);
            if (result is null) continue;
            count++;
            if (!Tau2Environment.SameContent(replayed.Content, result.Content))
                mismatches.Add(new ReplayMismatch(call, result.Content ?? "", replayed.Content ?? ""));
        }
        return mismatches;
    }
}
