using System.Globalization;
using CsvHelper;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// The report as CSV, one file per table (Table 1, the turn-limit sweep, call shares, preference adherence,
/// comparisons), RFC 4180 quoting, invariant numbers. Per-alias and per-model counts are one row each in
/// <c>call-shares.csv</c> and a <c>name=value;…</c> cell in <c>table1.csv</c>.
/// </summary>
public static class CsvReport
{
    public static IReadOnlyDictionary<string, string> Tables(EvalReport report)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["table1.csv"] = Csv(["run_id", "benchmark", "setup", "orchestrator", "simulated", "samples", "tasks", "errors", "correct", "not_evaluated", "accuracy", "dollars_per_task",
                    "judge_dollars_per_task", "seconds_per_task", "wall_seconds_per_task", "turns_per_task", "tool_calls_per_task", "calls_per_alias", "calls_per_model", "tool_executions_per_task"],
                report.Runs.Select(r => new object[]
                {
                    r.RunId, r.Benchmark, r.Setup, r.Orchestrator, r.Simulated, r.Samples, r.Tasks, r.Errors, r.Correct, r.NotEvaluated, r.Accuracy, r.DollarsPerTask,
                    r.JudgeDollarsPerTask, r.SecondsPerTask, r.WallSecondsPerTask, r.TurnsPerTask, r.ToolCallsPerTask, Map(r.CallsPerAlias), Map(r.CallsPerModel), Map(r.ToolExecutionsPerTask),
                })),
            ["turn-limits.csv"] = Csv(["run_id", "max_turns", "accuracy", "dollars_per_task", "seconds_per_task", "beyond_run_limit"],
                report.TurnLimits.SelectMany(s => s.Points.Select(p => new object[] { s.RunId, p.MaxTurns, p.Accuracy, p.DollarsPerTask, p.SecondsPerTask, p.BeyondRunLimit }))),
            ["call-shares.csv"] = Csv(["run_id", "by", "name", "calls", "share", "order"],
                report.CallShares.SelectMany(c => Rows(c, "tool", c.Tools).Concat(Rows(c, "alias", c.Aliases)).Concat(Rows(c, "model", c.Models)).Concat(Rows(c, "execution", c.Executions))
                    .Append([c.RunId, "strongest_model_steps", c.StrongestModel ?? "", c.StrongestSteps, c.StrongestStepShare as object ?? "", 0]))),
            ["cost-accuracy.csv"] = Csv(["run_id", "dollars_per_task", "accuracy", "pareto_frontier"],
                report.CostAccuracy.Select(p => new object[] { p.RunId, p.DollarsPerTask, p.Accuracy, p.OnFrontier })),
        };
        if (report.Preferences.Count > 0)
            files["preferences.csv"] = Csv(["preferences", "run_id", "trajectories", "skipped", "mean_reward", "preferred_call_share", "avoided_call_share"],
                report.Preferences.SelectMany(p => p.Runs.Select(r => new object[] { p.Name, r.RunId, r.Trajectories, r.Skipped, r.MeanReward, r.PreferredCallShare, r.AvoidedCallShare })));
        if (report.Comparisons.Count > 0)
            files["comparison.csv"] = Csv(["baseline_run_id", "run_id", "metric", "baseline", "run", "delta"],
                report.Comparisons.SelectMany(c => c.Metrics.Concat(c.CallsPerAlias.Select(d => d with { Metric = "calls_per_alias:" + d.Metric }))
                    .Concat(c.CallsPerModel.Select(d => d with { Metric = "calls_per_model:" + d.Metric }))
                    .Select(d => new object[] { c.BaselineRunId, c.RunId, d.Metric, d.Baseline, d.Run, d.Delta })));
        return files;
    }

    private static IEnumerable<object[]> Rows(CallShares c, string by, IReadOnlyList<Share> shares) =>
        shares.Select((s, i) => new object[] { c.RunId, by, s.Name, s.Calls, s.Fraction, i + 1 });

    private static string Map(IReadOnlyDictionary<string, double> counts) =>
        string.Join(";", counts.Select(kv => $"{kv.Key}={kv.Value.ToString("0.####", CultureInfo.InvariantCulture)}"));

    private static string Csv(string[] header, IEnumerable<object[]> rows)
    {
        // CsvHelper does the RFC 4180 quoting; the line ending stays the platform's, as the files always had, and a
        // negative delta ("-0.5") is data, not a formula to escape.
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var options = new CsvWriterOptions { NewLine = Environment.NewLine, Injection = CsvInjection.None };
        using (var csv = CsvWriter.Create(text, options, leaveOpen: true))
        {
            csv.WriteRecord(header);
            foreach (var row in rows) csv.WriteRecord([.. row.Select(Field)]);
        }
        return text.ToString();
    }

    private static string Field(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
