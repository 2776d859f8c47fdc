using ToolOrchestra.Core;
using ToolOrchestra.Training.Grpo;

namespace ToolOrchestra.Training.Reward;

/// <summary>
/// A saved trajectory's reward recomputed from what it stored, with the group it was compared within; in JSON the
/// paper's latency is <c>latency_s</c>, as in every other output.
/// </summary>
public sealed record RescoredTrajectory(string Id, string Group, string? TaskId, bool Correct, decimal CostUsd,
    [property: System.Text.Json.Serialization.JsonPropertyName("latency_s")] double LatencySeconds, double Reward);

/// <summary>
/// Recomputes the reward of saved trajectories exactly as training did: each trajectory stores its preferences and its
/// judged outcome (task, group, correct), so its group is rebuilt from the files and scored by the same
/// <see cref="GrpoStages.Reward{TStep}"/> stage (each turn's first call, correctness, dollars, tool seconds).
/// </summary>
public static class TrajectoryRescoring
{
    public static IReadOnlyList<RescoredTrajectory> Rescore(IEnumerable<(string Source, Trajectory Trajectory)> saved, RewardOptions? options = null)
    {
        var list = saved.ToList();
        foreach (var (source, t) in list)
        {
            if (t.Outcome is null)
                throw new UserError($"{source}: trajectory '{t.Id}' has no outcome (it was never judged); re-scoring needs trajectories written by training or evaluation.");
            if (t.Preferences is null)
                throw new UserError($"{source}: trajectory '{t.Id}' stores no preferences (written before they were kept); rerun it to re-score it.");
        }
        var scored = new List<RescoredTrajectory>();
        foreach (var group in list.GroupBy(x => x.Trajectory.Outcome!.GroupId ?? x.Trajectory.Outcome!.TaskId ?? x.Trajectory.Id, StringComparer.Ordinal))
        {
            var members = group.Select(x => x.Trajectory).ToList();
            var weights = members[0].Preferences!.Weights;
            if (members.Any(m => !SameWeights(m.Preferences!.Weights, weights)))
                throw new UserError($"group '{group.Key}': its trajectories were run under different preferences; a group shares one preference vector.");
            var records = members.Select((t, i) => new RolloutRecord<int>(i,
                t.Turns.Select(turn => new TurnRecord<int>(turn.Turn, turn.Call is not null, turn.Call?.Alias, 0)).ToList(),
                t.StopReason == StopReason.Answered, t.Outcome!.Correct, t.CostUsd, t.LatencySeconds)).ToList();
            var rewards = GrpoStages.Reward(new RolloutGroup<int>(group.Key, weights, records), options).Reward.Rewards;
            scored.AddRange(members.Select((t, i) => new RescoredTrajectory(t.Id, group.Key, t.Outcome!.TaskId, t.Outcome.Correct, t.CostUsd, t.LatencySeconds, rewards[i])));
        }
        return scored;
    }

    private static bool SameWeights(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v.Equals(kv.Value));
}
