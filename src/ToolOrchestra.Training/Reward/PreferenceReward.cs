using ToolOrchestra.Core;

namespace ToolOrchestra.Training.Reward;

/// <summary>
/// Which rollouts set the min and max of an alias's call count within a group.
/// </summary>
public enum AliasCountRange
{
    /// <summary>
    /// Every rollout of the group, a rollout that never called the alias counting 0. This is the paper's
    /// M^τ = [m_1..m_n, outcome, −$, −s] min-max normalised over the group: every normalised value lies in [0, 1],
    /// and "called the preferred alias once" versus "never called it" still earns the preference weight. Default.
    /// </summary>
    Group,

    /// <summary>
    /// The released code's behaviour (reference §5.2): min and max only over rollouts that called the alias, while a
    /// rollout that never called it still contributes (0 − min)/(max − min), which is negative. When every caller
    /// called the alias equally often the alias contributes nothing, so "used it vs. not" carries no signal.
    /// Kept for comparison with the reference.
    /// </summary>
    UsersOnly,
}

public sealed record RewardOptions(AliasCountRange AliasCountRange = AliasCountRange.Group)
{
    public static readonly RewardOptions Default = new();
}

/// <summary>One feature's range over the group and the preference weight it is multiplied by.</summary>
public sealed record FeatureRange(string Feature, double Min, double Max, double Weight)
{
    /// <summary>A feature whose group max equals its min says nothing about the rollouts and adds nothing.</summary>
    public bool Contributes => Max > Min;
}

/// <summary>The reward of each rollout of a group (same order as the input) and the ranges used to normalise.</summary>
public sealed record GroupReward(IReadOnlyList<double> Rewards, IReadOnlyList<FeatureRange> Features);

/// <summary>
/// The multi-objective reward of ToolOrchestra in the form the paper intends (reference §5.2, without the released
/// code's sign bug and spurious terms): per rollout the feature vector
/// M = [calls per alias…, outcome ∈ {0,1}, −dollars, −seconds] is min-max normalised over its group and dotted with
/// the task's preference vector P (keyed by alias names and "accuracy", "cost", "latency", as
/// <see cref="Preferences.Weights"/>); an unsolved rollout gets 0. A feature with max = min contributes nothing.
/// Cost and latency enter negated, so the cheapest and fastest rollouts of a group score 1 on those features.
/// Ranges are taken over all rollouts of the group, solved or not, as in the reference.
/// </summary>
public static class PreferenceReward
{
    /// <summary>Reward of every rollout of one group.</summary>
    public static GroupReward Score(
        IReadOnlyList<RolloutMeasures> group,
        IReadOnlyDictionary<string, double> preference,
        RewardOptions? options = null,
        string? taskId = null)
    {
        options ??= RewardOptions.Default;
        var where = taskId is null ? "reward" : $"task '{taskId}'";
        if (group.Count == 0) throw new ArgumentException($"{where}: a group needs at least one rollout.", nameof(group));
        foreach (var (key, w) in preference)
            if (!double.IsFinite(w))
                throw new UserError($"{where}: preference weight '{key}' is {w}; weights must be finite numbers.");

        var aliases = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var r in group)
        {
            if (r.CostUsd < 0) throw new ArgumentOutOfRangeException(nameof(group), $"{where}: a rollout cost ${r.CostUsd}; dollars cannot be negative.");
            if (!double.IsFinite(r.LatencySeconds) || r.LatencySeconds < 0)
                throw new ArgumentOutOfRangeException(nameof(group), $"{where}: a rollout took {r.LatencySeconds} s; seconds must be finite and non-negative.");
            foreach (var (alias, count) in r.FirstCallsPerAlias)
            {
                if (count < 0) throw new ArgumentOutOfRangeException(nameof(group), $"{where}: alias '{alias}' has call count {count}.");
                if (alias is Preferences.Accuracy or Preferences.Cost or Preferences.Latency)
                    throw new UserError($"{where}: an alias is named '{alias}', which is also a preference key; rename the alias in the catalog.");
                if (count > 0) aliases.Add(alias);
            }
        }

        // Feature columns in a fixed order (aliases sorted, then the objectives) so sums are reproducible bit for bit.
        var columns = new List<(string Name, Func<RolloutMeasures, double> Value, bool UsersOnly)>();
        foreach (var alias in aliases)
            columns.Add((alias, r => r.FirstCallsPerAlias.GetValueOrDefault(alias), options.AliasCountRange == AliasCountRange.UsersOnly));
        columns.Add((Preferences.Accuracy, r => r.Solved ? 1 : 0, false));
        columns.Add((Preferences.Cost, r => -(double)r.CostUsd, false));
        columns.Add((Preferences.Latency, r => -r.LatencySeconds, false));

        var ranges = new List<FeatureRange>(columns.Count);
        foreach (var (name, value, usersOnly) in columns)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (var r in group)
            {
                var v = value(r);
                if (usersOnly && v == 0) continue;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            ranges.Add(new FeatureRange(name, min, max, preference.GetValueOrDefault(name)));
        }

        var rewards = new double[group.Count];
        for (var i = 0; i < group.Count; i++)
        {
            if (!group[i].Solved) continue;
            var sum = 0.0;
            for (var f = 0; f < columns.Count; f++)
            {
                var range = ranges[f];
                if (!range.Contributes || range.Weight == 0) continue;
                sum += range.Weight * (columns[f].Value(group[i]) - range.Min) / (range.Max - range.Min);
            }
            rewards[i] = sum;
        }
        return new GroupReward(rewards, ranges);
    }
}
