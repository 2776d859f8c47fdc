using ToolOrchestra.Core;

namespace ToolOrchestra.Training.Grpo;

/// <summary>
/// The reference's "correct sample advantage boost" (§5.2, verl <c>boost_high_score_advantages</c>): a sample whose
/// score is at least <see cref="Threshold"/> (with a 1e-5 tolerance) gets <see cref="Value"/> added to its advantage.
/// The reference's score is the value it writes into the reward tensor, which is the clipped group-normalised
/// advantage itself, so the boost applies to rollouts whose advantage is ≥ 1.
/// </summary>
public sealed record AdvantageBoost(double Value = 0.1, double Threshold = 1.0)
{
    /// <summary>The reference's constants: +0.1 at score ≥ 1.0.</summary>
    public static readonly AdvantageBoost Reference = new();
}

/// <summary>What a group's centred rewards are divided by.</summary>
public enum AdvantageScale
{
    /// <summary>
    /// The group's sample standard deviation (+ ε), as the reference. Every group then speaks equally loud whatever its
    /// spread, which erases the preference weights wherever accuracy does not vary: in a group that solved every time
    /// the reward is w_cost·cost + w_latency·latency, and dividing by its spread makes a cost weight of 0.1 push as hard
    /// as a weight of 1. Default (the reference's sample export).
    /// </summary>
    GroupStd,

    /// <summary>
    /// Nothing: the advantage is the reward minus the group mean, in the reward's own units (as "Dr. GRPO" does). A
    /// group where only dollars differ at cost weight 0.1 then pushes a tenth as hard as one at weight 1, and much
    /// less than a group where correctness differs, so the learned trade-off follows the weights continuously.
    /// </summary>
    None,
}

/// <param name="Epsilon">Added to the group standard deviation (reference 1e-6).</param>
/// <param name="Clip">Advantages are clipped to [−Clip, Clip] (reference 3).</param>
/// <param name="Boost">Optional boost of high-scoring rollouts; off by default, <see cref="AdvantageBoost.Reference"/> matches the reference's training script.</param>
/// <param name="Scale">What centred rewards are divided by (<see cref="AdvantageScale"/>); the reference divides by the group's standard deviation.</param>
public sealed record AdvantageOptions(double Epsilon = 1e-6, double Clip = 3.0, AdvantageBoost? Boost = null, AdvantageScale Scale = AdvantageScale.GroupStd)
{
    public static readonly AdvantageOptions Default = new();

    /// <summary>Advantages in the reward's units (<see cref="AdvantageScale.None"/>), so preference weights keep their size.</summary>
    public static readonly AdvantageOptions WeightPreserving = new(Scale: AdvantageScale.None);

    /// <summary>Everything as in the reference's training run, boost included.</summary>
    public static readonly AdvantageOptions Reference = new(Boost: AdvantageBoost.Reference);
}

/// <summary>A group's reward mean and sample standard deviation, and each rollout's advantage (input order).</summary>
public sealed record GroupAdvantages(double Mean, double StdDev, IReadOnlyList<double> Advantages);

/// <summary>
/// Group-relative advantage of GRPO as the reference computes it in its rollout code (§5.2):
/// A = (R − mean) / (sample std + ε), sample std with n − 1, clipped to ±3, then the optional boost; with
/// <see cref="AdvantageScale.None"/>, A = R − mean (clipped and boosted the same way).
/// </summary>
public static class GroupAdvantage
{
    /// <summary>
    /// Advantages of one group. A group needs at least 2 rollouts: with one there is nothing to compare and the sample
    /// standard deviation is undefined. (The reference asserts more than 2; 2 is the smallest size where the formula
    /// is defined, so we accept it.)
    /// </summary>
    public static GroupAdvantages Compute(IReadOnlyList<double> rewards, AdvantageOptions? options = null, string? taskId = null)
    {
        options ??= AdvantageOptions.Default;
        var where = taskId is null ? "GRPO" : $"task '{taskId}'";
        if (rewards.Count < 2)
            throw new UserError($"{where}: GRPO compares the rollouts of a group, so a group needs at least 2 rollouts, got {rewards.Count}; use --group 2 or more (the reference uses 8).");
        foreach (var r in rewards)
            if (!double.IsFinite(r)) throw new ArgumentException($"{where}: reward {r} is not a finite number.", nameof(rewards));

        var n = rewards.Count;
        var sum = 0.0;
        for (var i = 0; i < n; i++) sum += rewards[i];
        var mean = sum / n;
        var squares = 0.0;
        for (var i = 0; i < n; i++) squares += (rewards[i] - mean) * (rewards[i] - mean);
        var std = Math.Sqrt(squares / (n - 1));

        var advantages = new double[n];
        var divisor = options.Scale == AdvantageScale.GroupStd ? std + options.Epsilon : 1.0;
        for (var i = 0; i < n; i++)
        {
            var a = Math.Clamp((rewards[i] - mean) / divisor, -options.Clip, options.Clip);
            if (options.Boost is { } boost && a >= boost.Threshold - 1e-5) a += boost.Value;
            advantages[i] = a;
        }
        return new GroupAdvantages(mean, std, advantages);
    }
}
