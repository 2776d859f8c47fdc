using ToolOrchestra.Training.Reward;

namespace ToolOrchestra.Training.Grpo;

// The plain batches that flow between the GRPO stages (verl style): rollout → reward → advantage → filter → update.
// TStep is whatever the update needs from one turn: rendered prompt and raw response for an LLM trainer, recorded
// features and chosen action for the small learned policy.

/// <summary>One turn of a rollout: whether its output held a parsable tool call, the alias of its first call, and the step payload.</summary>
public sealed record TurnRecord<TStep>(int Turn, bool HasParsableCall, string? FirstCallAlias, TStep Step);

/// <summary>
/// One rollout (trajectory) of a task. <see cref="HasValidAnswer"/>: an <c>answer</c> call executed (QA) or the
/// environment produced an outcome (function calling). <see cref="Solved"/>: the judged outcome.
/// </summary>
public sealed record RolloutRecord<TStep>(
    int Index,
    IReadOnlyList<TurnRecord<TStep>> Turns,
    bool HasValidAnswer,
    bool Solved,
    decimal CostUsd,
    double LatencySeconds)
{
    public RolloutMeasures Measures => RolloutMeasures.FromTurns(
        Turns.Select(t => t.HasParsableCall ? t.FirstCallAlias : null), Solved, CostUsd, LatencySeconds);
}

/// <summary>The G rollouts of one task and the task's preference vector.</summary>
public sealed record RolloutGroup<TStep>(string TaskId, IReadOnlyDictionary<string, double> Preference, IReadOnlyList<RolloutRecord<TStep>> Rollouts);

/// <summary>A group after the reward stage.</summary>
public sealed record RewardedGroup<TStep>(RolloutGroup<TStep> Group, GroupReward Reward);

/// <summary>A group after the advantage stage.</summary>
public sealed record AdvantagedGroup<TStep>(RolloutGroup<TStep> Group, GroupReward Reward, GroupAdvantages Advantages);

/// <summary>One kept turn: an independent training sample carrying its rollout's reward and advantage (reference §5.2).</summary>
public sealed record TrainingSample<TStep>(string TaskId, int Rollout, int Turn, TStep Step, double Reward, double Advantage);

/// <summary>How many turns each filter dropped; a turn is counted under the first filter it fails, in this order.</summary>
public sealed record FilterCounts(int Turns, int Kept, int HomogeneousGroup, int NoValidAnswer, int NoParsableCall);

/// <summary>What the filter stage hands to the update stage.</summary>
public sealed record TrainingBatch<TStep>(IReadOnlyList<TrainingSample<TStep>> Samples, FilterCounts Counts, IReadOnlyList<AdvantagedGroup<TStep>> Groups);
