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
        foreach (var path in sources)
            if (!File.Exists(path)) throw new UserError($"eval merge: {path}: store not found; give the SQLite files the shards wrote.");
        var runs = new Dictionary<string, (EvalRunInfo Run, string From)>(StringComparer.Ordinal);
        // Pass 1 keeps a fingerprint per sample, not the sample, so shards of 100k samples merge in little memory; a
        // conflict refuses the whole merge before anything is written. The target's own content counts too.
        var seen = new Dictionary<(string, string), (string Fingerprint, string From)>();
        var copy = new List<(string Path, List<(string RunId, HashSet<string> Samples)> Fresh)>();
        var identical = 0;
        var stores = (target.Kind == StoreKind.Postgres || File.Exists(into) ? new[] { into } : []).Concat(sources).ToList();
        foreach (var path in stores)
        {
            await using var store = await EvalStore.OpenAsync(path == into ? target : StoreLocation.Parse(path, "eval merge"), ct).ConfigureAwait(false);
            var fresh = new List<(string, HashSet<string>)>();
            foreach (var run in await store.LoadRunsAsync(ct).ConfigureAwait(false))
            {
                if (runs.TryGetValue(run.RunId, out var known) && !SameRun(known.Run, run))
                    throw new UserError($"eval merge: run '{run.RunId}' was made with different settings in {known.From} and {path}; merge only shards of one run (or rename one run).");
                runs.TryAdd(run.RunId, (run, path));
                var ids = new HashSet<string>(StringComparer.Ordinal);
                await foreach (var s in store.StreamSamplesAsync(run.RunId, withTrajectories: true, ct).ConfigureAwait(false))
                {
                    var fingerprint = Fingerprint(s);
                    if (seen.TryGetValue((s.RunId, s.SampleId), out var other))
                    {
                        if (other.Fingerprint != fingerprint)
                            throw new UserError($"eval merge: run '{s.RunId}' sample '{s.SampleId}' differs between {other.From} and {path} " +
                                                "(another status, answer, verdict, cost, seconds, calls or trajectory); shards must not overlap: rerun one shard into a fresh store.");
                        identical++;
                        continue;
                    }
                    seen[(s.RunId, s.SampleId)] = (fingerprint, path);
                    ids.Add(s.SampleId);
                }
                fresh.Add((run.RunId, ids));
            }
            if (path != into) copy.Add((path, fresh));
        }
        // Pass 2 streams each new sample from its shard into the target, one upsert each.
        await using var output = await EvalStore.OpenAsync(target, ct).ConfigureAwait(false);
        foreach (var (run, _) in runs.Values) await output.BeginRunAsync(run, ct).ConfigureAwait(false);
        var copied = 0;
        var verdicts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, fresh) in copy)
        {
            await using var source = await EvalStore.OpenAsync(StoreLocation.Parse(path, "eval merge"), ct).ConfigureAwait(false);
            foreach (var (runId, ids) in fresh)
                await foreach (var s in source.StreamSamplesAsync(runId, withTrajectories: true, ct).ConfigureAwait(false))
                    if (ids.Contains(s.SampleId))
                    {
                        await output.SaveSampleAsync(s, ct).ConfigureAwait(false);
                        copied++;
                    }
            foreach (var v in await source.LoadVerdictsAsync(ct).ConfigureAwait(false))
            {
                await output.SaveVerdictAsync(v, ct).ConfigureAwait(false);
                verdicts.Add(v.Key);
            }
        }
        return new EvalMergeSummary(into, runs.Count, seen.Count, identical, verdicts.Count);
    }

    /// <summary>What a sample's result is (not when or by which shard it was written), hashed.</summary>
    private static string Fingerprint(EvalSample s) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
        string.Join('\u001f', s.Status, s.TaskId, s.Answer, s.Gold, s.Correct?.ToString(), s.Reward?.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            s.VerdictSource, s.CostUsd.ToString(System.Globalization.CultureInfo.InvariantCulture), s.JudgeCostUsd.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.ToolSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture), s.Turns.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.StopReason, s.CallsJson, s.TrajectoryJson))));

    private static bool SameRun(EvalRunInfo a, EvalRunInfo b) =>
        a.Benchmark == b.Benchmark && a.Setup == b.Setup && a.Orchestrator == b.Orchestrator && a.Protocol == b.Protocol && a.SettingsJson == b.SettingsJson;
}
