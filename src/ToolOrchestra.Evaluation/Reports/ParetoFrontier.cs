namespace ToolOrchestra.Evaluation.Reports;

/// <summary>A run placed by accuracy against dollars per task; <see cref="OnFrontier"/> when no other run is both cheaper and more accurate.</summary>
public sealed record CostAccuracyPoint(string RunId, decimal DollarsPerTask, double Accuracy, bool OnFrontier);

/// <summary>
/// The Pareto frontier of accuracy against dollars: a run is on it when no other run costs at most as much and is at
/// least as accurate, better in one of the two.
/// </summary>
public static class ParetoFrontier
{
    public static IReadOnlyList<CostAccuracyPoint> Of(IReadOnlyList<RunMetrics> runs) =>
        runs.Select(r => new CostAccuracyPoint(r.RunId, r.DollarsPerTask, r.Accuracy,
                !runs.Any(o => o.RunId != r.RunId && o.DollarsPerTask <= r.DollarsPerTask && o.Accuracy >= r.Accuracy
                                && (o.DollarsPerTask < r.DollarsPerTask || o.Accuracy > r.Accuracy))))
            .OrderBy(p => p.DollarsPerTask).ThenBy(p => p.Accuracy).ToList();
}
