using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Demo;

/// <summary>
/// The acceptance numbers, computed from the demo's tables so an outside check can read them directly:
/// the trained policy against the strongest expert alone (accuracy gap in points, dollar and second ratios), hard
/// constraint violations over every evaluated policy, the local-call share without preferences and under
/// "prefer local", the smallest accuracy ratio kept on the unseen catalogs, and the preference dial (<see cref="SweepChecks"/>). Each <c>*Met</c> says whether the
/// issue's bound holds; they are reported, never forced.
/// </summary>
public sealed record DemoChecks(
    string StrongestAlonePolicy,
    string TrainedPolicy,
    double AccuracyGapPoints,
    double DollarsRatio,
    double SecondsRatio,
    bool CostBoundMet,
    int ConstraintViolations,
    double LocalShareNoPreference,
    double LocalSharePreferLocal,
    double LocalShareRatio,
    bool PreferLocalDoublesLocalShare,
    double LocalAnswerShareNoPreference,
    double LocalAnswerSharePreferLocal,
    double GeneralisationAccuracyRetained,
    bool GeneralisationMet,
    SweepChecks Sweep)
{
    public const double MaxAccuracyLossPoints = 2, MaxDollarsRatio = 0.4, MaxSecondsRatio = 0.5, MinRetained = 0.9;

    /// <summary>The share of answer calls that went to local aliases (searches excluded), a finer view of adherence.</summary>
    public static double LocalAnswerShare(EvaluationRow row)
    {
        var answers = row.CallsPerAlias.Where(kv => kv.Key.StartsWith("answer-", StringComparison.Ordinal)).ToList();
        var total = answers.Sum(kv => kv.Value);
        return total == 0 ? 0 : answers.Where(kv => PreferenceProfiles.LocalAliases.Contains(kv.Key)).Sum(kv => kv.Value) / total;
    }

    public static DemoChecks From(IReadOnlyList<EvaluationRow> evaluation, IReadOnlyList<EvaluationRow> adherence, IReadOnlyList<GeneralisationRow> generalisation,
        IReadOnlyList<PreferenceSweepPoint> sweep)
    {
        var strongest = evaluation.First(r => r.Policy == OfflineDemo.StrongestAlone);
        var trained = evaluation.First(r => r.Policy == OfflineDemo.Trained);
        var gap = Math.Round((trained.Accuracy - strongest.Accuracy) * 100, 2);
        var dollars = strongest.DollarsPerTask == 0 ? 0 : (double)(trained.DollarsPerTask / strongest.DollarsPerTask);
        var seconds = strongest.SecondsPerTask == 0 ? 0 : trained.SecondsPerTask / strongest.SecondsPerTask;
        var noneRow = adherence.First(r => r.Policy.EndsWith(" " + PreferenceProfiles.None.Name, StringComparison.Ordinal));
        var localRow = adherence.First(r => r.Policy.EndsWith(" prefer-local", StringComparison.Ordinal));
        var (none, local) = (noneRow.LocalCallShare, localRow.LocalCallShare);
        var ratio = none == 0 ? (local > 0 ? double.PositiveInfinity : 1) : local / none;
        var retained = generalisation.Count == 0 ? 1 : generalisation.Min(g => g.AccuracyRetained);
        return new DemoChecks(strongest.Policy, trained.Policy, gap, dollars, seconds,
            gap >= -MaxAccuracyLossPoints && dollars <= MaxDollarsRatio && seconds <= MaxSecondsRatio,
            evaluation.Concat(adherence).Concat(generalisation.Select(g => g.Evaluation)).Sum(r => r.ConstraintViolations),
            none, local, double.IsPositiveInfinity(ratio) ? double.MaxValue : ratio, ratio >= 2,
            LocalAnswerShare(noneRow), LocalAnswerShare(localRow),
            retained, retained >= MinRetained,
            PreferenceSweep.Check(sweep, adherence, trained.Policy));
    }
}
