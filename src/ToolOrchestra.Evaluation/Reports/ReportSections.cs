using static ToolOrchestra.Evaluation.Reports.ReportFormat;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>A table of the report: header and rows of display text.</summary>
public sealed record ReportTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>One section of the report as Markdown and HTML show it: a title, the notes its numbers depend on, its tables.</summary>
public sealed record ReportSection(string Id, string Title, IReadOnlyList<string> Notes, IReadOnlyList<ReportTable> Tables);

/// <summary>The report's sections in reading order, with display formatting, shared by the Markdown and HTML writers.</summary>
public static class ReportSections
{
    public static IReadOnlyList<ReportSection> Of(EvalReport report)
    {
        var sections = new List<ReportSection>
        {
            new("table1", "Table 1",
                ["Each stored sample counts once; accuracy counts failed samples as wrong and leaves out samples not evaluated (no judge for tau2's NL assertions); $ is the orchestrator's (the judge's apart); seconds are tool-call seconds " +
                 "(the paper's latency, orchestrator generation excluded); calls are the experts' model calls per task, and the searches and code runs they asked for are tool executions, counted apart."],
                [Table(["run", "benchmark", "setup", "orchestrator", "samples", "accuracy", "$/task", "judge $/task", "tool s/task", "wall s/task", "turns/task",
                        "calls per alias", "calls per model", "tool executions", "errors"],
                    report.Runs.Select(r => Row(r.RunId + (r.Simulated ? " (simulated)" : ""), r.Benchmark, r.Setup, r.Orchestrator,
                        r.NotEvaluated == 0 ? $"{r.Samples}" : $"{r.Samples} ({r.NotEvaluated} not evaluated)", Pct(r.Accuracy),
                        Dollars(r.DollarsPerTask), Dollars(r.JudgeDollarsPerTask), Num(r.SecondsPerTask), Num(r.WallSecondsPerTask), Num(r.TurnsPerTask),
                        PerTask(r.CallsPerAlias), PerTask(r.CallsPerModel), PerTask(r.ToolExecutionsPerTask), Errors(r))))]),
            new("turn-limits", "Turn-limit sweep", [report.TurnLimitNote],
                [Table(["run", "max turns", "accuracy", "$/task", "tool s/task", "note"],
                    report.TurnLimits.SelectMany(s => s.Points.Select(p => Row(s.RunId, $"{p.MaxTurns}", Pct(p.Accuracy), Dollars(p.DollarsPerTask),
                        Num(p.SecondsPerTask), p.BeyondRunLimit ? $"above the run's own limit ({s.RunMaxTurns})" : ""))))]),
            new("call-shares", "Call shares", [report.StrongestModelNote],
                [Table(["run", "tool calls", "per tool", "per alias", "per model", "tool executions", "strongest model", "steps to it"],
                    report.CallShares.Select(c => Row(c.RunId, $"{c.ToolCalls}", Shares(c.Tools), Shares(c.Aliases), Shares(c.Models), Shares(c.Executions),
                        $"{c.StrongestModel ?? "–"} ({c.StrongestModelRule})",
                        c.StrongestStepShare is { } f ? $"{Pct(f)} ({c.StrongestSteps}/{c.Steps})" : "no tool steps")))]),
            new("cost-accuracy", "Accuracy against dollars",
                ["On the Pareto frontier: no other run is at most as expensive and at least as accurate, better in one of the two."],
                [Table(["run", "$/task", "accuracy", "Pareto frontier"],
                    report.CostAccuracy.Select(p => Row(p.RunId, Dollars(p.DollarsPerTask), Pct(p.Accuracy), p.OnFrontier ? "yes" : "")))]),
        };
        if (report.GaiaLevels.Count > 0)
            sections.Add(new("gaia-levels", "GAIA by level",
                ["Accuracy is over the scored samples (the test split's are unscored); $ and tool seconds are per done sample."],
                [Table(["run", "level", "tasks", "scored", "accuracy", "$/task", "tool s/task"],
                    report.GaiaLevels.SelectMany(g => g.Levels.Select(l => Row(g.RunId, l.Level == 0 ? "all" : $"{l.Level}", $"{l.Tasks}", $"{l.Scored}",
                        Pct(l.Accuracy), Dollars(l.DollarsPerTask), Num(l.SecondsPerTask)))))]));
        if (report.Preferences.Count > 0)
            sections.Add(new("preferences", "Preference adherence", [report.PreferenceNote],
                [Table(["preferences", "weights", "run", "trajectories", "mean reward", "preferred calls", "avoided calls"],
                    report.Preferences.SelectMany(p => p.Runs.Select(r => Row(p.Name, string.Join(", ", p.Weights.Select(w => $"{w.Key} {Num(w.Value, "0.##")}")), r.RunId,
                        r.Skipped > 0 ? $"{r.Trajectories} ({r.Skipped} failed, skipped)" : $"{r.Trajectories}", Num(r.MeanReward, "0.0000"),
                        Pct(r.PreferredCallShare), Pct(r.AvoidedCallShare)))))]));
        foreach (var c in report.Comparisons)
        {
            var notes = new List<string>();
            if (c.UnseenModels.Count > 0) notes.Add($"Models the baseline's catalog lacks (unseen): {string.Join(", ", c.UnseenModels)}.");
            if (c.RepricedModels.Count > 0) notes.Add($"Repriced: {string.Join("; ", c.RepricedModels)}.");
            if (c.CatalogNote is { } note) notes.Add($"Catalogs: {note}.");
            notes.Add($"On the {c.SharedSamples} samples both runs have: {c.BothCorrect} correct in both, {c.NewlyCorrect} newly correct, {c.NewlyWrong} newly wrong, {c.BothWrong} wrong in both.");
            sections.Add(new($"compare-{c.RunId}", $"Side by side: {c.RunId} against baseline {c.BaselineRunId}", notes,
                [Table(["metric", "baseline", "run", "delta"],
                    c.Metrics.Concat(c.CallsPerAlias.Select(d => d with { Metric = $"calls/task to alias {d.Metric}" }))
                        .Concat(c.CallsPerModel.Select(d => d with { Metric = $"calls/task to model {d.Metric}" }))
                        .Select(d => Row(d.Metric, Num(d.Baseline, "0.######"), Num(d.Run, "0.######"), Signed(d.Delta, "0.######"))))]));
        }
        foreach (var (t, i) in report.Training.Select((t, i) => (t, i)))
            sections.Add(new($"training-{i + 1}", $"Training curve: {t.Name}", [$"From {t.Source} ({t.Steps.Count} GRPO steps; up to 20 shown here)."],
                [Table(["step", "mean reward", "accuracy", "$/episode", "s/episode", "loss", "KL", "clip fraction"],
                    Sampled(t.Steps.Count, 20).Select(i => t.Steps[i]).Select(s => Row($"{s.Step}", Num(s.MeanReward, "0.0000"), Pct(s.Accuracy),
                        Num(s.DollarsPerEpisode, "0.000000"), Num(s.SecondsPerEpisode, "0.0"), Num(s.Loss, "0.0000"), Num(s.Kl, "0.000000"), Num(s.ClipFraction, "0.000"))))]));
        return sections;
    }

    private static ReportTable Table(string[] header, IEnumerable<IReadOnlyList<string>> rows) => new(header, rows.ToList());

    private static IReadOnlyList<string> Row(params string[] cells) => cells;

    private static string Shares(IReadOnlyList<Share> shares) =>
        shares.Count == 0 ? "–" : string.Join(", ", shares.Select(s => $"{s.Name} {Pct(s.Fraction)}"));
}
