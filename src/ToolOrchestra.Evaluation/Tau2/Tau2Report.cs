using System.Numerics;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Environments.Tau2.Results;

namespace ToolOrchestra.Evaluation.Tau2;

/// <summary>One row of the tau2 report: a results file, or all files of a domain together.</summary>
public sealed record Tau2ReportRow(
    string Label,
    string Domain,
    int Simulations,
    int Tasks,
    int InfrastructureErrors,
    double AverageReward,
    IReadOnlyList<double> PassHatK,
    IReadOnlyDictionary<string, int> TerminationReasons,
    double ToolCallsPerSimulation,
    decimal? AgentDollars,
    decimal? UserDollars)
{
    public JsonObject ToJson() => new()
    {
        ["label"] = Label,
        ["domain"] = Domain,
        ["simulations"] = Simulations,
        ["tasks"] = Tasks,
        ["infrastructure_errors"] = InfrastructureErrors,
        ["avg_reward"] = AverageReward,
        ["pass_hat_k"] = new JsonObject(PassHatK.Select((v, i) => KeyValuePair.Create($"pass^{i + 1}", (JsonNode?)v))),
        ["termination_reasons"] = new JsonObject(TerminationReasons.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["tool_calls_per_simulation"] = ToolCallsPerSimulation,
        ["agent_dollars"] = AgentDollars,
        ["user_dollars"] = UserDollars,
    };
}

/// <summary>
/// The tau2 results table: per results file (and per domain when several files share one) the average reward,
/// pass^k as upstream defines it, termination reasons, tool calls per simulation and recorded dollars.
/// </summary>
public static class Tau2Report
{
    /// <summary>
    /// upstream pass^k (from τ-bench): per task with n trials and c successes, C(c,k)/C(n,k), averaged over tasks,
    /// for k = 1..(fewest trials of any task, capped by num_trials). Infrastructure errors are excluded; success is
    /// |reward − 1| ≤ 1e-6.
    /// </summary>
    public static IReadOnlyList<double> PassHatK(IEnumerable<(string TaskId, double Reward)> simulations, int? numTrials = null)
    {
        var perTask = simulations.GroupBy(s => s.TaskId)
            .Select(g => (n: g.Count(), c: g.Count(s => RewardInfo.IsSuccess(s.Reward)))).ToList();
        if (perTask.Count == 0) return [];
        var maxK = perTask.Min(t => t.n);
        if (numTrials is { } trials && trials > 0) maxK = Math.Min(maxK, trials);
        var result = new List<double>();
        for (var k = 1; k <= maxK; k++)
            result.Add(perTask.Average(t => (double)Choose(t.c, k) / (double)Choose(t.n, k)));
        return result;
    }

    private static BigInteger Choose(int n, int k)
    {
        if (k < 0 || k > n) return BigInteger.Zero;
        BigInteger r = BigInteger.One;
        for (var i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }

    public static Tau2ReportRow Row(string label, string domain, IReadOnlyList<Tau2Simulation> simulations, int? numTrials)
    {
        var counted = simulations.Where(s => s.TerminationReason != TerminationReasons.InfrastructureError).ToList();
        var terminations = counted.GroupBy(s => s.TerminationReason).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        decimal? Dollars(Func<Tau2Simulation, double?> cost) =>
            counted.Any(s => cost(s) is not null) ? counted.Sum(s => (decimal)(cost(s) ?? 0)) : null;
        return new Tau2ReportRow(
            label,
            domain,
            counted.Count,
            counted.Select(s => s.TaskId).Distinct().Count(),
            simulations.Count - counted.Count,
            counted.Count == 0 ? 0 : counted.Average(s => s.RecordedReward),
            PassHatK(counted.Select(s => (s.TaskId, s.RecordedReward)), numTrials),
            terminations,
            counted.Count == 0 ? 0 : counted.Average(s => (double)s.ToolCallCount),
            Dollars(s => s.AgentCost),
            Dollars(s => s.UserCost));
    }

    /// <summary>
    /// One row per file, then one per (domain, agent, agent model, user model) for those shared by several files: pass^k
    /// pools trials of one agent only — files of different agents or models are never pooled into one row.
    /// </summary>
    public static IReadOnlyList<Tau2ReportRow> Build(IReadOnlyList<Tau2Results> files)
    {
        var rows = files.Select(f => Row(Path.GetFileName(f.File), f.Domain, f.Simulations, f.NumTrials)).ToList();
        foreach (var group in files.GroupBy(f => (f.Domain, Agent: AgentOf(f))).Where(g => g.Count() > 1))
            rows.Add(Row($"all {group.Key.Domain} files of {group.Key.Agent}", group.Key.Domain, group.SelectMany(f => f.Simulations).ToList(), null));
        return rows;
    }

    /// <summary>Who produced a results file: the agent's implementation and model, and the user simulator's model (upstream's <c>info</c>).</summary>
    public static string AgentOf(Tau2Results file)
    {
        string Field(string obj, string key) => file.Info[obj]?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "?";
        return $"{Field("agent_info", "implementation")} {Field("agent_info", "llm")} (user {Field("user_info", "llm")})";
    }
}
