namespace ToolOrchestra.Training.Grpo;

/// <param name="MinGroupStd">A group is kept only when its reward standard deviation is strictly above this (reference 0.1): a homogeneous group teaches nothing.</param>
/// <param name="RequireValidAnswer">Drop every turn of a rollout that produced no valid answer.</param>
/// <param name="RequireParsableCall">Drop turns whose output held no parsable tool call (format filter).</param>
public sealed record FilterOptions(double MinGroupStd = 0.1, bool RequireValidAnswer = true, bool RequireParsableCall = true)
{
    public static readonly FilterOptions Default = new();
}

/// <summary>
/// The reference's per-turn sample filter (§5.3): keep a turn iff its group's reward std &gt; 0.1, its rollout produced a
/// valid answer, and the turn held at least one parsable tool call. Dropped rollouts still counted in their group's
/// reward statistics, as in the reference. (The reference's truncation to a multiple of the GPU count is a cluster
/// detail and is not done here.)
/// </summary>
public static class SampleFilter
{
    public static TrainingBatch<TStep> Select<TStep>(IEnumerable<AdvantagedGroup<TStep>> groups, FilterOptions? options = null)
    {
        options ??= FilterOptions.Default;
        var samples = new List<TrainingSample<TStep>>();
        var all = groups.ToList();
        int turns = 0, homogeneous = 0, noAnswer = 0, noCall = 0;
        foreach (var g in all)
        {
            var groupKept = g.Advantages.StdDev > options.MinGroupStd;
            for (var i = 0; i < g.Group.Rollouts.Count; i++)
            {
                var rollout = g.Group.Rollouts[i];
                foreach (var turn in rollout.Turns)
                {
                    turns++;
                    if (!groupKept) { homogeneous++; continue; }
                    if (options.RequireValidAnswer && !rollout.HasValidAnswer) { noAnswer++; continue; }
                    if (options.RequireParsableCall && !turn.HasParsableCall) { noCall++; continue; }
                    samples.Add(new TrainingSample<TStep>(g.Group.TaskId, rollout.Index, turn.Turn, turn.Step,
                        g.Reward.Rewards[i], g.Advantages.Advantages[i]));
                }
            }
        }
        return new TrainingBatch<TStep>(samples, new FilterCounts(turns, samples.Count, homogeneous, noAnswer, noCall), all);
    }
}
