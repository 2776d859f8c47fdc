using ToolOrchestra.Training.Reward;

namespace ToolOrchestra.Training.Grpo;

/// <summary>Options of the three batch stages between rollout and update.</summary>
public sealed record GrpoOptions(RewardOptions? Reward = null, AdvantageOptions? Advantage = null, FilterOptions? Filter = null)
{
    /// <summary>The reference's stages (group-std advantages, groups with reward std ≤ 0.1 dropped).</summary>
    public static readonly GrpoOptions Default = new();

    /// <summary>
    /// Stages that keep preference weights as a dial: advantages in the reward's units
    /// (<see cref="AdvantageOptions.WeightPreserving"/>) and only truly homogeneous groups dropped, since a small spread
    /// now gives a proportionally small push instead of a full-size one (the reference's 0.1 floor guarded against
    /// that and would silence every group where only a small cost weight varies). The offline trainer's default.
    /// </summary>
    public static readonly GrpoOptions PreferenceDial = new(Advantage: AdvantageOptions.WeightPreserving, Filter: new FilterOptions(MinGroupStd: 0));
}

/// <summary>
/// The GRPO stages between rollout and update, each a pure function over plain batches:
/// <see cref="Reward{TStep}"/> → <see cref="Advantage{TStep}"/> → <see cref="Filter{TStep}"/>, or all three in
/// <see cref="Prepare{TStep}"/>. The same path feeds the small learned policy and the sample export for LLM trainers.
/// </summary>
public static class GrpoStages
{
    public static RewardedGroup<TStep> Reward<TStep>(RolloutGroup<TStep> group, RewardOptions? options = null) =>
        new(group, PreferenceReward.Score(group.Rollouts.Select(r => r.Measures).ToList(), group.Preference, options, group.TaskId));

    public static AdvantagedGroup<TStep> Advantage<TStep>(RewardedGroup<TStep> rewarded, AdvantageOptions? options = null) =>
        new(rewarded.Group, rewarded.Reward, GroupAdvantage.Compute(rewarded.Reward.Rewards, options, rewarded.Group.TaskId));

    public static TrainingBatch<TStep> Filter<TStep>(IEnumerable<AdvantagedGroup<TStep>> groups, FilterOptions? options = null) =>
        SampleFilter.Select(groups, options);

    /// <summary>Reward, advantage and filter for a batch of groups.</summary>
    public static TrainingBatch<TStep> Prepare<TStep>(IEnumerable<RolloutGroup<TStep>> groups, GrpoOptions? options = null)
    {
        options ??= GrpoOptions.Default;
        return Filter(groups.Select(g => Advantage(Reward(g, options.Reward), options.Advantage)), options.Filter);
    }
}
