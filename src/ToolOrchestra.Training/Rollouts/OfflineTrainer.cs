using ToolOrchestra.Core.Text;
using ToolOrchestra.Training.Grpo;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Rollouts;

/// <summary>How the small policy is trained in the offline world.</summary>
/// <param name="Steps">GRPO steps (one update each).</param>
/// <param name="TasksPerStep">Training tasks per step; each gets a group of <paramref name="Group"/> rollouts.</param>
/// <param name="Group">Rollouts per task (the reference uses 8).</param>
/// <param name="Parallelism">Episodes run at once (results do not depend on it).</param>
/// <param name="Grpo">Reward, advantage and filter settings; null is <see cref="GrpoOptions.PreferenceDial"/>, so the
/// preference weights act as a dial (the reference's group-std advantages make any cost weight act like a large one).</param>
/// <param name="Curriculum">When set, each training group gets a profile drawn from these (by share, seeded) instead
/// of its task's own, so every profile meets every kind of task: the policy learns what a preference changes rather
/// than which tasks happen to carry it. Held-out tasks keep their own preferences.</param>
public sealed record OfflineTrainingOptions(
    int Steps = 100,
    int TasksPerStep = 8,
    int Group = 8,
    int Seed = 1,
    int Parallelism = 4,
    GrpoOptions? Grpo = null,
    GrpoUpdateOptions? Update = null,
    IReadOnlyList<PreferenceProfile>? Curriculum = null)
{
    public void Validate()
    {
        if (Steps < 0) throw new Core.UserError($"--steps must be 0 or more, got {Steps}.");
        if (TasksPerStep < 1) throw new Core.UserError($"--tasks-per-step must be at least 1, got {TasksPerStep}.");
        if (Group < 2) throw new Core.UserError($"--group must be at least 2 (GRPO compares the rollouts of a group), got {Group}.");
        if (Parallelism < 1) throw new Core.UserError($"--parallel must be at least 1, got {Parallelism}.");
        if (Curriculum is { Count: 0 }) throw new Core.UserError("the preference curriculum needs at least one profile, or none to keep each task's own.");
    }
}

/// <summary>One training step as the progress bar and the curve CSV show it.</summary>
public sealed record TrainingStepReport(
    int Step,
    int Episodes,
    double MeanReward,
    double Accuracy,
    decimal DollarsPerEpisode,
    double SecondsPerEpisode,
    double TurnsPerEpisode,
    FilterCounts Filtered,
    UpdateStats Update);

/// <summary>
/// GRPO for the small learned policy in the offline world, stage by stage: rollout groups through the real runtime
/// (<see cref="OfflineEpisodes"/> with <see cref="LearnedQaPolicy"/> sampling), then the shared reward → advantage →
/// filter stages (<see cref="GrpoStages.Prepare{TStep}"/>), then the clipped-ratio update
/// (<see cref="PolicyTrainer"/>). Seeded: tasks, sampling and experts follow from <see cref="OfflineTrainingOptions.Seed"/>,
/// so the same options give the same weights bit for bit, however many episodes run at once.
/// </summary>
public sealed class OfflineTrainer(OfflineEpisodes episodes, SoftmaxPolicy policy, OfflineTrainingOptions? options = null)
{
    private readonly OfflineTrainingOptions _options = options ?? new();
    private List<EpisodeOutcome> _lastStep = [];

    public SoftmaxPolicy Policy => policy;

    /// <summary>The episodes of the most recent step (for saving sample trajectories).</summary>
    public IReadOnlyList<EpisodeOutcome> LastStepEpisodes => _lastStep;

    /// <summary>The reward each episode of the most recent step got, by trajectory id (what re-scoring must reproduce).</summary>
    public IReadOnlyDictionary<string, double> LastStepRewards { get; private set; } = new Dictionary<string, double>();

    public async Task<IReadOnlyList<TrainingStepReport>> TrainAsync(IProgress<TrainingStepReport>? progress = null, CancellationToken ct = default)
    {
        _options.Validate();
        var train = episodes.World.TrainTasks.ToList();
        if (train.Count == 0) throw new Core.UserError("the offline world has no training tasks; use a larger world.");
        var trainer = new PolicyTrainer(policy, _options.Update);
        var order = new Random(_options.Seed);
        var queue = new Queue<WorldTask>();
        var reports = new List<TrainingStepReport>();
        for (var step = 1; step <= _options.Steps; step++)
        {
            var tasks = new List<WorldTask>();
            while (tasks.Count < _options.TasksPerStep)
            {
                if (queue.Count == 0)
                    foreach (var t in train.OrderBy(_ => order.Next())) queue.Enqueue(t); // a fresh shuffle each pass over the tasks
                tasks.Add(queue.Dequeue());
            }

            var groups = await RolloutAsync(step, tasks, ct).ConfigureAwait(false);
            var batch = GrpoStages.Prepare(groups.Select(g => g.Group), _options.Grpo ?? GrpoOptions.PreferenceDial);
            var update = trainer.Update(batch.Samples.Select(s => new PolicySample(s.Step, s.Advantage)).ToList());

            var all = groups.SelectMany(g => g.Outcomes).ToList();
            _lastStep = all;
            LastStepRewards = batch.Groups.Zip(groups).SelectMany(p => p.Second.Outcomes.Zip(p.First.Reward.Rewards))
                .ToDictionary(p => p.First.Trajectory.Id, p => p.Second);
            var report = new TrainingStepReport(step, all.Count,
                batch.Groups.SelectMany(g => g.Reward.Rewards).DefaultIfEmpty().Average(),
                all.Count(o => o.Solved) / (double)all.Count,
                all.Sum(o => o.Trajectory.CostUsd) / all.Count,
                all.Average(o => o.Trajectory.LatencySeconds),
                all.Average(o => o.Trajectory.Turns.Count),
                batch.Counts, update);
            reports.Add(report);
            progress?.Report(report);
        }
        return reports;
    }

    private sealed record GroupRun(RolloutGroup<PolicyStep> Group, IReadOnlyList<EpisodeOutcome> Outcomes);

    private async Task<IReadOnlyList<GroupRun>> RolloutAsync(int step, IReadOnlyList<WorldTask> tasks, CancellationToken ct)
    {
        var preferences = tasks.Select((task, t) => PreferencesFor(task, step, t)).ToList();
        var group = _options.Group;
        var results = await EpisodeBatch.RunAsync(tasks.Count * group, _options.Parallelism, (i, c) =>
        {
            var (t, g) = (i / group, i % group);
            return RunOneAsync(tasks[t], preferences[t], EpisodeSeed(_options.Seed, step, t, g), g, $"step{step}-slot{t}-{tasks[t].Id}", c);
        }, ct).ConfigureAwait(false);
        var groups = new List<GroupRun>();
        for (var t = 0; t < tasks.Count; t++)
        {
            var slice = results.Skip(t * group).Take(group).ToList();
            groups.Add(new GroupRun(new RolloutGroup<PolicyStep>(tasks[t].Id, preferences[t].Weights, slice.Select(r => r.Record).ToList()),
                slice.Select(r => r.Outcome).ToList()));
        }
        return groups;
    }

    /// <summary>The task's own preferences, or the curriculum's draw for this (step, task slot).</summary>
    private Core.Preferences PreferencesFor(WorldTask task, int step, int slot) =>
        _options.Curriculum is { } profiles ? PreferenceProfile.Pick(profiles, EpisodeSeed(_options.Seed, step, slot, -1)).Preferences : task.Preferences;

    private async Task<(EpisodeOutcome Outcome, RolloutRecord<PolicyStep> Record)> RunOneAsync(WorldTask task, Core.Preferences preferences, int seed, int index,
        string groupId, CancellationToken ct)
    {
        var learner = new LearnedQaPolicy(policy, new Random(seed));
        var outcome = await episodes.RunAsync(task, _ => learner, seed, preferences, ct).ConfigureAwait(false);
        // The group it was compared within, so its reward can be recomputed from the saved trajectory.
        outcome = outcome with { Trajectory = outcome.Trajectory with { Outcome = outcome.Trajectory.Outcome! with { GroupId = groupId } } };
        return (outcome, ToRecord(outcome, learner.Steps, index));
    }

    /// <summary>A trajectory as the GRPO stages see it: each turn's first call and the policy step that chose it.</summary>
    public static RolloutRecord<PolicyStep> ToRecord(EpisodeOutcome outcome, IReadOnlyList<PolicyStep> steps, int index)
    {
        var turns = outcome.Trajectory.Turns;
        if (turns.Count != steps.Count)
            throw new InvalidOperationException($"episode {outcome.Trajectory.Id}: {turns.Count} turns but {steps.Count} policy decisions.");
        var records = turns.Select((turn, i) => new TurnRecord<PolicyStep>(turn.Turn, turn.Call is not null, turn.Call?.Alias, steps[i])).ToList();
        var t = outcome.Trajectory;
        return new RolloutRecord<PolicyStep>(index, records, outcome.Answered, outcome.Solved, t.CostUsd, t.LatencySeconds);
    }

    /// <summary>A seed per (run seed, step, task slot, rollout), spread so nearby episodes do not share random streams.</summary>
    public static int EpisodeSeed(int seed, int step, int task, int rollout)
    {
        var h = FeatureHashing.Combine(FeatureHashing.Combine((ulong)(uint)seed, (ulong)step), FeatureHashing.Combine((ulong)task, (ulong)rollout));
        return (int)(h & 0x7FFF_FFFF);
    }
}
