using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Store;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>What to report: the runs, and optionally a baseline, preference vectors, training curves and the strongest model.</summary>
public sealed record ReportRequest(IReadOnlyList<string> RunIds)
{
    public string? Baseline { get; init; }
    public IReadOnlyList<(string Name, string Source, Preferences Preferences)> Preferences { get; init; } = [];
    public IReadOnlyList<TrainingCurve> Training { get; init; } = [];
    public string? Strongest { get; init; }
    public IReadOnlyList<int> TurnLimits { get; init; } = TurnLimitSweep.DefaultLimits;
}

/// <summary>
/// The whole report over one or more runs: Table 1, the turn-limit sweep, call shares, accuracy against dollars with
/// its Pareto frontier, preference adherence, the side-by-side comparison with a baseline and training curves.
/// Written as Markdown, HTML, CSV and JSON by the writers beside it.
/// </summary>
public sealed record EvalReport(
    string Store,
    IReadOnlyList<RunMetrics> Runs,
    IReadOnlyList<TurnLimitSweep> TurnLimits,
    IReadOnlyList<CallShares> CallShares,
    IReadOnlyList<CostAccuracyPoint> CostAccuracy,
    IReadOnlyList<PreferenceAdherence> Preferences,
    IReadOnlyList<RunComparison> Comparisons,
    IReadOnlyList<TrainingCurve> Training,
    bool Simulated)
{
    public string TurnLimitNote => TurnLimitSweep.Derivation;
    public string StrongestModelNote => Reports.CallShares.StrongestDefinition;
    public string PreferenceNote => PreferenceAdherence.Definition;

    /// <summary>GAIA runs broken down by level (accuracy, $/task, s/task), as GAIA's leaderboard reports them.</summary>
    public IReadOnlyList<GaiaRunLevels> GaiaLevels { get; init; } = [];

    /// <summary>
    /// Reads every requested run (every run in the store when none is named) from the store in one streaming pass each
    /// (plus one over trajectories when preferences are asked for).
    /// </summary>
    public static async Task<EvalReport> BuildAsync(EvalStore store, ReportRequest request, CancellationToken ct = default)
    {
        var known = await store.LoadRunsAsync(ct);
        var ids = (request.RunIds.Count == 0 ? known.Select(r => r.RunId) : request.RunIds).Distinct(StringComparer.Ordinal).ToList();
        if (request.Baseline is { } b && !ids.Contains(b)) ids.Insert(0, b);
        if (ids.Count == 0) throw new UserError("nothing to report on" + KnownRuns(known, store));
        var runs = ids.Select(id => known.FirstOrDefault(r => r.RunId == id)
                                    ?? throw new UserError($"run '{id}' is not in {store.Location}{KnownRuns(known, store)}")).ToList();

        var aggregators = new List<RunAggregator>();
        foreach (var run in runs)
        {
            var agg = new RunAggregator(run, request.TurnLimits);
            await foreach (var s in store.StreamSamplesAsync(run.RunId, withTrajectories: false, ct))
                agg.Add(s, keepVerdict: request.Baseline is not null);
            aggregators.Add(agg);
        }
        var summaries = aggregators.Select(a => a.Summary()).ToList();
        var comparisons = new List<RunComparison>();
        if (request.Baseline is { } baseline)
        {
            var baseAgg = aggregators.First(a => a.Run.RunId == baseline);
            var baseSummary = summaries.First(s => s.RunId == baseline);
            foreach (var (agg, summary) in aggregators.Zip(summaries).Where(p => p.First.Run.RunId != baseline))
                comparisons.Add(RunComparison.Between(baseSummary, summary, baseAgg.Verdicts, agg.Verdicts));
        }
        var adherence = await PreferenceAdherence.ScoreAsync(store, aggregators, request.Preferences, ct);
        var gaia = new List<GaiaRunLevels>();
        foreach (var run in runs.Where(r => r.Benchmark == "gaia"))
            gaia.Add(new GaiaRunLevels(run.RunId, Harness.GaiaLevels.Of(await store.LoadSamplesAsync(run.RunId, ct: ct))));
        return new EvalReport(store.Location.Display, summaries, aggregators.Select(a => a.Sweep()).ToList(),
            aggregators.Select(a => a.Shares(request.Strongest)).ToList(), ParetoFrontier.Of(summaries), adherence, comparisons,
            DistinctNames(request.Training), summaries.Any(s => s.Simulated)) { GaiaLevels = gaia };
    }

    /// <summary>Curves from folders of the same name (two <c>runs/train</c>) get a number, so each keeps its own section and charts.</summary>
    private static IReadOnlyList<TrainingCurve> DistinctNames(IReadOnlyList<TrainingCurve> curves) =>
        curves.Select((c, i) => curves.Count(o => o.Name == c.Name) > 1 ? c with { Name = $"{c.Name} ({i + 1})" } : c).ToList();

    /// <summary>"; it holds a, b." (or how to fill an empty store), for errors naming a run that is not there.</summary>
    internal static string KnownRuns(IReadOnlyList<EvalRunInfo> known, EvalStore store) =>
        known.Count == 0
            ? $"; the store {store.Location} holds no runs yet (fill it with 'orchestra eval run --store {store.Location}')."
            : $"; it holds {string.Join(", ", known.Select(r => r.RunId))}.";
}

/// <summary>One GAIA run's results by level (level 0 is the whole run).</summary>
public sealed record GaiaRunLevels(string RunId, IReadOnlyList<Harness.GaiaLevelMetrics> Levels);
