using ToolOrchestra.Core;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Demo;

/// <summary>The trained policy on the held-out tasks with one cost weight imposed on all (accuracy 1, latency 0.2).</summary>
public sealed record PreferenceSweepPoint(double CostWeight, double Accuracy, decimal DollarsPerTask, double SecondsPerTask);

/// <summary>
/// Preferences as a dial: the same trained weights evaluated at a row of cost weights, so a user sees behaviour move
/// with the weight rather than flip at the first nonzero one. <see cref="Check"/> states the bounds.
/// </summary>
public static class PreferenceSweep
{
    /// <summary>The cost weights swept, increasing; accuracy and latency stay at <see cref="AccuracyWeight"/> and <see cref="LatencyWeight"/>.</summary>
    public static readonly IReadOnlyList<double> CostWeights = [0, 0.1, 0.25, 0.5, 1];

    public const double AccuracyWeight = 1, LatencyWeight = 0.2;

    /// <summary>Noise allowed along the sweep: accuracy may rise by 2 points, dollars by 2% of the previous point's.</summary>
    public const double NoisePoints = 2, NoiseDollarsFraction = 0.02;

    /// <summary>At cost weight 0.1: at most 5 points below weight 0, at no more than half its dollars.</summary>
    public const double DialCostWeight = 0.1, DialMaxLossPoints = 5, DialMaxDollarsRatio = 0.5;

    public static Preferences At(double costWeight) => new(new Dictionary<string, double>
    {
        [Preferences.Accuracy] = AccuracyWeight, [Preferences.Cost] = costWeight, [Preferences.Latency] = LatencyWeight,
    }, [], []);

    public static PreferenceSweepPoint Point(double costWeight, EvaluationRow row) =>
        new(costWeight, row.Accuracy, row.DollarsPerTask, row.SecondsPerTask);

    /// <summary>The sweep's bounds, and the latency dial: "low-latency" has the lowest seconds of the soft profiles in <paramref name="adherence"/>.</summary>
    public static SweepChecks Check(IReadOnlyList<PreferenceSweepPoint> sweep, IReadOnlyList<EvaluationRow> adherence, string trainedPolicy)
    {
        var dollarsOk = true;
        var accuracyOk = true;
        for (var i = 1; i < sweep.Count; i++)
        {
            var (before, after) = (sweep[i - 1], sweep[i]);
            if (after.DollarsPerTask > before.DollarsPerTask * (1 + (decimal)NoiseDollarsFraction)) dollarsOk = false;
            if ((after.Accuracy - before.Accuracy) * 100 > NoisePoints + 1e-9) accuracyOk = false;
        }
        var zero = sweep.FirstOrDefault(p => p.CostWeight == 0);
        var dial = sweep.FirstOrDefault(p => p.CostWeight == DialCostWeight);
        double gap = 0, ratio = 0;
        if (zero is not null && dial is not null)
        {
            gap = Math.Round((dial.Accuracy - zero.Accuracy) * 100, 2);
            ratio = zero.DollarsPerTask == 0 ? 0 : (double)(dial.DollarsPerTask / zero.DollarsPerTask);
        }
        var dialMet = zero is not null && dial is not null && gap >= -DialMaxLossPoints && ratio <= DialMaxDollarsRatio;

        // Soft profiles: every adherence row but the hard constraint's.
        var prefix = trainedPolicy + ", every task ";
        var soft = adherence.Where(r => !r.Policy.EndsWith(OfflineDemo.LocalOnlyHard.Name, StringComparison.Ordinal)).ToList();
        var lowLatency = soft.FirstOrDefault(r => r.Policy.EndsWith(" low-latency", StringComparison.Ordinal));
        var fastestOther = soft.Where(r => r != lowLatency).OrderBy(r => r.SecondsPerTask).FirstOrDefault();
        var latencyMet = lowLatency is not null && (fastestOther is null || lowLatency.SecondsPerTask <= fastestOther.SecondsPerTask);
        return new SweepChecks(dollarsOk, accuracyOk, gap, ratio, dialMet,
            lowLatency?.SecondsPerTask ?? 0,
            fastestOther is null ? "" : fastestOther.Policy.StartsWith(prefix, StringComparison.Ordinal) ? fastestOther.Policy[prefix.Length..] : fastestOther.Policy,
            fastestOther?.SecondsPerTask ?? 0, latencyMet);
    }
}

/// <summary>
/// What <see cref="PreferenceSweep.Check"/> found: dollars and accuracy non-increasing along the cost sweep (within
/// noise), the accuracy gap (points) and dollar ratio at cost weight 0.1 against weight 0, and whether "low-latency"
/// is the fastest soft profile (with the fastest other one beside it).
/// </summary>
public sealed record SweepChecks(
    bool DollarsNonIncreasing,
    bool AccuracyNonIncreasing,
    double DialAccuracyGapPoints,
    double DialDollarsRatio,
    bool DialMet,
    double LowLatencySeconds,
    string FastestOtherProfile,
    double FastestOtherSeconds,
    bool LowLatencyFastest)
{
    public bool Met => DollarsNonIncreasing && AccuracyNonIncreasing && DialMet && LowLatencyFastest;
}
