using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>One metric of a run beside the baseline's.</summary>
public sealed record MetricDelta(string Metric, double Baseline, double Run, double Delta);

/// <summary>
/// A rerun beside its baseline (<c>--baseline RUN</c>), typically on a catalog with changed prices or models the
/// orchestrator never saw: each metric's delta, how the calls moved between aliases and models, how verdicts changed
/// on the samples both runs share, and what differs between the two catalogs when both files can be read.
/// </summary>
public sealed record RunComparison(
    string BaselineRunId,
    string RunId,
    IReadOnlyList<MetricDelta> Metrics,
    IReadOnlyList<MetricDelta> CallsPerAlias,
    IReadOnlyList<MetricDelta> CallsPerModel,
    int SharedSamples,
    int BothCorrect,
    int NewlyCorrect,
    int NewlyWrong,
    int BothWrong,
    IReadOnlyList<string> UnseenModels,
    IReadOnlyList<string> RepricedModels,
    string? CatalogNote)
{
    internal static RunComparison Between(RunMetrics baseline, RunMetrics run, IReadOnlyDictionary<string, bool?> baseVerdicts,
        IReadOnlyDictionary<string, bool?> runVerdicts)
    {
        var metrics = new List<MetricDelta>
        {
            Delta("accuracy", baseline.Accuracy, run.Accuracy),
            Delta("dollars_per_task", (double)baseline.DollarsPerTask, (double)run.DollarsPerTask),
            Delta("seconds_per_task", baseline.SecondsPerTask, run.SecondsPerTask),
            Delta("wall_seconds_per_task", baseline.WallSecondsPerTask, run.WallSecondsPerTask),
            Delta("turns_per_task", baseline.TurnsPerTask, run.TurnsPerTask),
            Delta("tool_calls_per_task", baseline.ToolCallsPerTask, run.ToolCallsPerTask),
            Delta("errors", baseline.Errors, run.Errors),
        };
        int shared = 0, both = 0, gained = 0, lost = 0, neither = 0;
        foreach (var (id, verdict) in runVerdicts)
        {
            if (!baseVerdicts.TryGetValue(id, out var before)) continue;
            shared++;
            var (was, now) = (before == true, verdict == true);
            if (was && now) both++;
            else if (now) gained++;
            else if (was) lost++;
            else neither++;
        }
        var (unseen, repriced, note) = CatalogChanges(baseline.Config, run.Config);
        return new RunComparison(baseline.RunId, run.RunId, metrics, Deltas(baseline.CallsPerAlias, run.CallsPerAlias),
            Deltas(baseline.CallsPerModel, run.CallsPerModel), shared, both, gained, lost, neither, unseen, repriced, note);
    }

    private static MetricDelta Delta(string name, double before, double after) => new(name, before, after, after - before);

    private static List<MetricDelta> Deltas(IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after) =>
        before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(k => Delta(k, before.GetValueOrDefault(k), after.GetValueOrDefault(k))).ToList();

    /// <summary>Models the rerun's catalog has and the baseline's lacks (unseen), and models whose prices changed.</summary>
    private static (IReadOnlyList<string>, IReadOnlyList<string>, string?) CatalogChanges(string baselinePath, string runPath)
    {
        if (baselinePath == runPath) return ([], [], "both runs used the same catalog file");
        var (before, after) = (RunAggregator.TryLoadCatalog(baselinePath), RunAggregator.TryLoadCatalog(runPath));
        if (before is null || after is null)
            return ([], [], $"catalog {(before is null ? baselinePath : runPath)} is not readable here; catalog changes not listed");
        var unseen = after.Models.Keys.Where(k => !before.Models.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var repriced = after.Models.Values.Where(m => before.Models.TryGetValue(m.Id, out var old) && old.Price != m.Price)
            .Select(m => $"{m.Id}: ${Price(before.Models[m.Id].Price)} → ${Price(m.Price)} per million in/out")
            .Order(StringComparer.Ordinal).ToList();
        return (unseen, repriced, null);
    }

    private static string Price(Price p) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.InputPerMillion:0.####}/{p.OutputPerMillion:0.####}");
}
