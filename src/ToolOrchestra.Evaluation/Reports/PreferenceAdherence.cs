using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Training.Reward;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>How well one run's trajectories follow one stated preference vector.</summary>
/// <param name="MeanReward">The mean training reward of the run's trajectories under the vector (see <see cref="PreferenceAdherence"/>).</param>
/// <param name="PreferredCallShare">Share of the run's tool calls that went to aliases the vector weights above 0.</param>
/// <param name="AvoidedCallShare">Share that went to aliases it weights below 0 or excludes.</param>
public sealed record AdherenceRow(string RunId, int Trajectories, int Skipped, double MeanReward, double PreferredCallShare, double AvoidedCallShare);

/// <summary>
/// Preference adherence: each run's trajectories scored under a stated preference vector (a <c>--preferences</c>
/// file) with the training reward itself (<see cref="TrajectoryRescoring"/> → the GRPO reward stage): the trajectories
/// of one task across all reported runs form a group, min-max normalised together, so a run earns more when, on the
/// same task, it is more accurate, cheaper, faster or calls the favoured aliases more than the other runs. With a
/// single run every group has one member and the reward says nothing; the call shares still do.
/// </summary>
public sealed record PreferenceAdherence(string Name, string Source, IReadOnlyDictionary<string, double> Weights, IReadOnlyList<AdherenceRow> Runs)
{
    public const string Definition =
        "Reward = the training reward (reward stage of GRPO, re-scored from the stored trajectories) under the stated vector; each task's trajectories across the " +
        "reported runs form one group, min-max normalised together, and an unsolved trajectory scores 0. Preferred/avoided = share of tool calls to aliases weighted above/below 0 (or excluded).";

    /// <summary>Loads each run's trajectories from the store (stripped to what the reward reads) and scores them under every vector.</summary>
    internal static async Task<IReadOnlyList<PreferenceAdherence>> ScoreAsync(EvalStore store, IReadOnlyList<RunAggregator> runs,
        IReadOnlyList<(string Name, string Source, Preferences Preferences)> vectors, CancellationToken ct)
    {
        if (vectors.Count == 0) return [];
        var saved = new List<(string RunId, Trajectory Trajectory)>();
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var id = run.Run.RunId;
            var direct = run.Run.Setup == EvalSetups.Name(EvalSetup.Direct);
            skipped[id] = 0;
            await foreach (var s in store.StreamSamplesAsync(id, withTrajectories: !direct, ct))
            {
                if (s.Status == SampleStatus.Failed || (!direct && s.TrajectoryJson is null)) { skipped[id]++; continue; }
                saved.Add((id, direct ? Direct(s) : Slim(Read(s), s)));
            }
        }

        var result = new List<PreferenceAdherence>();
        foreach (var (name, source, preferences) in vectors)
        {
            var items = saved.Select((x, i) => ($"{x.RunId} (store)", x.Trajectory with { Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Preferences = preferences })).ToList();
            var rewards = TrajectoryRescoring.Rescore(items).ToDictionary(r => int.Parse(r.Id, System.Globalization.CultureInfo.InvariantCulture), r => r.Reward);
            var rows = runs.Select(run =>
            {
                var mine = Enumerable.Range(0, saved.Count).Where(i => saved[i].RunId == run.Run.RunId).ToList();
                double preferred = 0, avoided = 0;
                foreach (var (alias, count) in run.AliasCounts)
                {
                    var w = preferences.Weight(alias);
                    if (w > 0) preferred += count;
                    else if (w < 0 || preferences.ExcludeAliases.Contains(alias, StringComparer.Ordinal)) avoided += count;
                }
                var calls = Math.Max(run.ToolCalls, 1);
                return new AdherenceRow(run.Run.RunId, mine.Count, skipped[run.Run.RunId], mine.Count == 0 ? 0 : mine.Average(i => rewards[i]),
                    preferred / calls, avoided / calls);
            }).ToList();
            result.Add(new PreferenceAdherence(name, source, preferences.Weights, rows));
        }
        return result;
    }

    private static Trajectory Read(EvalSample s)
    {
        try
        {
            var t = JsonSerializer.Deserialize<Trajectory>(s.TrajectoryJson!, OrchestraJson.Options) ?? throw new JsonException("null trajectory");
            return t.Turns is null ? throw new JsonException("it has no turns") : t;
        }
        catch (JsonException e)
        {
            throw new UserError($"run '{s.RunId}' sample '{s.SampleId}': its trajectory is not a trajectory as the engine writes it ({e.Message}).");
        }
    }

    /// <summary>
    /// A <c>direct</c> sample as the reward reads it: the model answered alone in one call, so there is no orchestrator
    /// turn (no alias was chosen) and the stored trajectory, which is that call's prompt and reply, has none to read;
    /// dollars and tool seconds are the sample's.
    /// </summary>
    private static Trajectory Direct(EvalSample s)
    {
        var task = s.TaskId ?? s.SampleId;
        return new Trajectory(s.SampleId, "direct", "", null, [], null, StopReason.Answered, null, s.CostUsd, s.ToolSeconds, 0, [],
            DateTimeOffset.UnixEpoch, Outcome: new TrajectoryOutcome(task, s.Correct == true, GroupId: task));
    }

    /// <summary>
    /// Only what the reward reads (each turn's call alias, the stop reason, dollars, tool seconds), with the store's
    /// verdict as the outcome and the task as the group, so thousands of trajectories fit in memory.
    /// </summary>
    private static Trajectory Slim(Trajectory t, EvalSample s)
    {
        var task = s.TaskId ?? s.SampleId;
        return t with
        {
            Problem = "",
            Turns = t.Turns.Select(turn => turn with { Prompt = [], RawOutput = "", Reasoning = null, Observation = null, ExpertCalls = [], Ledger = [], IgnoredCalls = [] }).ToList(),
            Ledger = [],
            Outcome = new TrajectoryOutcome(task, s.Correct == true, s.Gold, GroupId: task),
        };
    }
}
