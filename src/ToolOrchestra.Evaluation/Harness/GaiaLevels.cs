using ToolOrchestra.Evaluation.Store;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>One GAIA level of a run: tasks, scored tasks, accuracy over the scored ones, dollars and seconds per task.</summary>
public sealed record GaiaLevelMetrics(int Level, int Tasks, int Done, int Scored, int Correct, double Accuracy, decimal DollarsPerTask, double SecondsPerTask);

/// <summary>
/// GAIA's results by level, as the leaderboard reports them, from the level each sample id carries (<c>L2/…</c>):
/// accuracy over the done samples with a verdict (the test split's are unscored), dollars (the orchestrator's, judge
/// apart) and tool seconds per done sample (the paper's latency), plus an "all" row (level 0).
/// </summary>
public static class GaiaLevels
{
    public static IReadOnlyList<GaiaLevelMetrics> Of(IEnumerable<EvalSample> samples)
    {
        var gaia = samples.Select(s => (Level: GaiaTask.LevelOf(s.SampleId), Sample: s)).Where(x => x.Level is not null).ToList();
        var rows = gaia.GroupBy(x => x.Level!.Value).OrderBy(g => g.Key).Select(g => Metrics(g.Key, g.Select(x => x.Sample).ToList())).ToList();
        if (rows.Count > 0) rows.Add(Metrics(0, gaia.Select(x => x.Sample).ToList()));
        return rows;
    }

    private static GaiaLevelMetrics Metrics(int level, IReadOnlyList<EvalSample> samples)
    {
        var done = samples.Where(s => s.Status == SampleStatus.Done).ToList();
        var scored = done.Where(s => s.Correct is not null).ToList();
        var correct = scored.Count(s => s.Correct == true);
        return new GaiaLevelMetrics(level, samples.Count, done.Count, scored.Count, correct,
            scored.Count == 0 ? 0 : correct / (double)scored.Count,
            done.Count == 0 ? 0 : done.Sum(s => s.CostUsd) / done.Count,
            done.Count == 0 ? 0 : done.Sum(s => s.ToolSeconds) / done.Count);
    }
}
