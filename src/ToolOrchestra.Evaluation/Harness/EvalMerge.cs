using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>What a merge did: runs and samples copied, samples already there and identical, judge verdicts copied.</summary>
public sealed record EvalMergeSummary(string Into, int Runs, int Samples, int Identical, int Verdicts);

/// <summary>
/// <c>orchestra eval merge --into all.db shard1.db shard2.db…</c>: combines SQLite shard stores into one. Runs must have
/// been made with the same settings; a sample present twice must be the same result (the same status, answer,
/// verdict, dollars, seconds, calls and trajectory; when and by which shard it was written may differ), else the merge
/// refuses it naming the run, the sample and both stores, before anything is written. Judge verdicts are unioned.
/// </summary>
public static class EvalMerge
{
    public static async Task<EvalMergeSummary> MergeAsync(string into, IReadOnlyList<string> sources, CancellationToken ct = default)
    {
        if (sources.Count == 0) throw new UserError("eval merge needs at least one shard store to merge (e.g. shard1.db shard2.db).");
        var target = StoreLocation.Parse(into, "--into");
        var runs = new Dictionary<string, (EvalRunInfo Run, string From)>(StringComparer.Ordinal);
        var samples = new Dictionary<(string, string), (EvalSample Sample, string From)>();
        var verdicts = new List<JudgeVerdict>();
        var identical = 0;
        // Read everything first (the target's own content included): a conflict refuses the whole merge.
        foreach (var path in new[] { into }.Concat(sources))
        {
            var isTarget = ReferenceEquals(path, into);
            if (!isTarget && !File.Exists(path)) throw new UserError($"eval merge: {path}: store not found; give the SQLite files the shards wrote.");
            if (isTarget && target.Kind == StoreKind.Sqlite && !File.Exists(into)) continue;
            await using var store = await EvalStore.OpenAsync(isTarget ? target : StoreLocation.Parse(path, "eval merge"), ct).ConfigureAwait(false);
            foreach (var run in await store.LoadRunsAsync(ct).ConfigureAwait(false))
            {
                if (runs.TryGetValue(run.RunId, out var seen) && !SameRun(seen.Run, run))
                    throw new UserError($"eval merge: run '{run.RunId}' was made with different settings in {seen.From} and {path}; merge only shards of one run (or rename one run).");
                runs.TryAdd(run.RunId, (run, path));
                foreach (var s in await store.LoadSamplesAsync(run.RunId, withTrajectories: true, ct).ConfigureAwait(false))
                {
                    if (samples.TryGetValue((s.RunId, s.SampleId), out var other))
                    {
                        if (!SameResult(other.Sample, s))
                            throw new UserError($"eval merge: run '{s.RunId}' sample '{s.SampleId}' differs between {other.From} and {path} " +
                                                $"({other.Sample.Status}/{other.Sample.Answer} vs {s.Status}/{s.Answer}); shards must not overlap: rerun one shard into a fresh store.");
                        identical++;
                        continue;
                    }
                    samples[(s.RunId, s.SampleId)] = (s, path);
                }
            }
            verdicts.AddRange(await LoadVerdictsAsync(store, ct).ConfigureAwait(false));
        }
        await using var output = await EvalStore.OpenAsync(target, ct).ConfigureAwait(false);
        foreach (var (run, _) in runs.Values) await output.BeginRunAsync(run, ct).ConfigureAwait(false);
        foreach (var (s, _) in samples.Values) await output.SaveSampleAsync(s, ct).ConfigureAwait(false);
        foreach (var v in verdicts) await output.SaveVerdictAsync(v, ct).ConfigureAwait(false);
        return new EvalMergeSummary(into, runs.Count, samples.Count, identical, verdicts.Select(v => v.Key).Distinct().Count());
    }

    private static bool SameRun(EvalRunInfo a, EvalRunInfo b) =>
        a.Benchmark == b.Benchmark && a.Setup == b.Setup && a.Orchestrator == b.Orchestrator && a.Protocol == b.Protocol && a.SettingsJson == b.SettingsJson;

    private static bool SameResult(EvalSample a, EvalSample b) =>
        a.Status == b.Status && a.TaskId == b.TaskId && a.Answer == b.Answer && a.Gold == b.Gold && a.Correct == b.Correct
        && a.Reward == b.Reward && a.VerdictSource == b.VerdictSource && a.CostUsd == b.CostUsd && a.JudgeCostUsd == b.JudgeCostUsd
        && a.ToolSeconds == b.ToolSeconds && a.Turns == b.Turns && a.StopReason == b.StopReason && a.CallsJson == b.CallsJson
        && a.TrajectoryJson == b.TrajectoryJson;

    private static Task<IReadOnlyList<JudgeVerdict>> LoadVerdictsAsync(EvalStore store, CancellationToken ct) => store.LoadVerdictsAsync(ct);
}
