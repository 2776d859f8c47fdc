using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tau2.Evaluation;

/// <summary>One task's gold trajectory scored.</summary>
public sealed record GoldResult(string TaskId, double RewardOfEvaluated, string Status, string Detail, RewardInfo Info);

/// <summary>The check-gold report: <c>{"domain","tasks","passed","failed":[ids],"not_evaluated":[{"id","reason"}]}</c>.</summary>
public sealed record GoldReport(string Domain, IReadOnlyList<GoldResult> Results)
{
    public const string StatusPassed = "passed";
    public const string StatusFailed = "failed";
    public const string StatusNotEvaluated = "not_evaluated";

    public int Passed => Results.Count(r => r.Status == StatusPassed);
    public IReadOnlyList<string> Failed => Results.Where(r => r.Status == StatusFailed).Select(r => r.TaskId).ToList();
    public IReadOnlyList<GoldResult> NotEvaluated => Results.Where(r => r.Status == StatusNotEvaluated).ToList();

    public JsonObject ToJson() => new()
    {
        ["domain"] = Domain,
        ["tasks"] = Results.Count,
        ["passed"] = Passed,
        ["failed"] = new JsonArray(Failed.Select(f => (JsonNode?)f).ToArray()),
        ["not_evaluated"] = new JsonArray(NotEvaluated.Select(n => (JsonNode?)new JsonObject { ["id"] = n.TaskId, ["reason"] = n.Detail }).ToArray()),
        ["results"] = new JsonArray(Results.Select(r => (JsonNode?)new JsonObject
        {
            ["id"] = r.TaskId,
            ["status"] = r.Status,
            ["reward_without_llm"] = r.RewardOfEvaluated,
            ["detail"] = r.Detail,
        }).ToArray()),
    };
}

/// <summary>
/// Builds each task's gold trajectory and scores it with the evaluator. A task passes when every basis component that
/// needs no LLM gives 1; tasks whose basis needs NL assertions graded are "not evaluated" when those pass.
/// </summary>
public static class GoldCheck
{
    public static async Task<GoldReport> RunAsync(Tau2Domain domain, IReadOnlyList<Tau2Task> tasks, string? exportDir, CancellationToken ct)
    {
        var evaluator = new Tau2Evaluator(domain);
        var results = new List<GoldResult>();
        foreach (var task in tasks)
        {
            ct.ThrowIfCancellationRequested();
            var trajectory = GoldTrajectory.Build(domain, task);
            if (exportDir is not null)
            {
                var path = Path.Combine(exportDir, task.Id.Replace('/', '_') + ".json");
                await File.WriteAllTextAsync(path, GoldTrajectory.ToJson(trajectory).ToJsonString(OrchestraJson.Options), ct);
            }
            var info = await evaluator.EvaluateAsync(task, trajectory, TerminationReasons.UserStop, ct);
            results.Add(Classify(task, info));
        }
        return new GoldReport(domain.Name, results);
    }

    private static GoldResult Classify(Tau2Task task, RewardInfo info)
    {
        var failures = new List<string>();
        if (info.DbCheck is { DbMatch: false } db && (info.RewardBasis?.Contains(RewardType.DB) ?? false))
            failures.Add($"DB differs from the gold replay ({(db.AgentDbMatch ? "" : "agent ")}{(db.UserDbMatch ? "" : "user ")}database)");
        if (info.RewardBasis?.Contains(RewardType.ENV_ASSERTION) ?? false)
            failures.AddRange((info.EnvAssertions ?? []).Where(e => !e.Met).Select(e => $"env assertion {e.EnvAssertion.FuncName} not met{(e.Error is null ? "" : ": " + e.Error)}"));
        if (info.RewardBasis?.Contains(RewardType.ACTION) ?? false)
            failures.AddRange((info.ActionChecks ?? []).Where(a => !a.ActionMatch).Select(a => $"action {a.Action.Name} not matched"));
        if (info.RewardBasis?.Contains(RewardType.COMMUNICATE) ?? false)
            failures.AddRange((info.CommunicateChecks ?? []).Where(c => !c.Met).Select(c => $"'{c.Info}' not communicated"));
        if (info.ReplayMismatches.Count > 0)
            failures.Add($"{info.ReplayMismatches.Count} replayed call(s) gave other results than the gold run");

        return info.Verdict switch
        {
            RewardVerdict.Failed => new GoldResult(task.Id, info.RewardOfEvaluated, GoldReport.StatusFailed, failures.Count > 0 ? string.Join("; ", failures) : "reward 0", info),
            RewardVerdict.NotEvaluated => new GoldResult(task.Id, info.RewardOfEvaluated, GoldReport.StatusNotEvaluated,
                string.Join("; ", info.NotEvaluated.Select(n => $"{n.Component}: {n.Reason}")) + "; every other component passes", info),
            _ => new GoldResult(task.Id, info.RewardOfEvaluated, GoldReport.StatusPassed, string.Join("; ", failures), info),
        };
    }
}
