using System.Diagnostics;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Store;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// What one <c>eval run</c> invocation did, for its shard: counts, the stored accuracy and the error rate. Samples done
/// but not evaluated (no judge for tau2's NL assertions) are counted apart: accuracy and pass^k are over the others.
/// </summary>
public sealed record EvalRunSummary(
    string RunId,
    string Benchmark,
    string Setup,
    string Orchestrator,
    string Shard,
    bool Simulated,
    int Samples,
    int SkippedDone,
    int Ran,
    int Succeeded,
    int Failed,
    int GaveUp,
    int FailedSamples,
    int Done,
    int Correct,
    int NotEvaluated,
    double Accuracy,
    decimal DollarsPerTask,
    decimal JudgeDollars,
    double ErrorRate,
    double MaxErrorRate,
    bool ErrorRateExceeded,
    bool Stopped,
    IReadOnlyList<string> Notes,
    IReadOnlyList<double>? PassHatK = null);

/// <summary>
/// Runs a benchmark's samples into the store without losing or repeating work: the shard's samples (after
/// <c>--limit</c>) that are not done run with bounded concurrency; each is written in one committed upsert when it
/// finishes, so a kill loses only the samples in flight. A rerun skips done samples and retries failed ones until they
/// have had <see cref="EvalRunOptions.MaxAttempts"/> attempts. Once the failed share of the shard's samples passes
/// <see cref="EvalRunOptions.MaxErrorRate"/> no new sample starts and the run ends failed (exit code 1 in the CLI).
/// </summary>
public static class EvalRunner
{
    /// <summary>The run's <c>config</c> when the benchmark brings its own catalog (the offline world's simulated one).</summary>
    public const string BuiltInCatalog = "(built-in)";

    public static async Task<EvalRunSummary> RunAsync(EvalRunOptions options, EvalStore store, IEvalBenchmark benchmark,
        Action<EvalSample>? onSample = null, CancellationToken ct = default)
    {
        options.Validate();
        var settings = options.ResultSettings();
        foreach (var (k, v) in benchmark.Settings) settings[k] = v;
        await store.BeginRunAsync(new EvalRunInfo(options.RunId, options.Benchmark, options.Setup, benchmark.Orchestrator,
            options.Config is null ? BuiltInCatalog : Path.GetFullPath(options.Config), options.Protocol,
            JsonSerializer.Serialize(settings, OrchestraJson.Compact), DateTimeOffset.UtcNow), ct).ConfigureAwait(false);

        var all = options.Limit is { } k2 ? benchmark.Items.Take(k2).ToList() : benchmark.Items.ToList();
        var mine = all.Where(i => options.Shard.Includes(i.SampleId)).ToList();
        var states = await store.SampleStatesAsync(options.RunId, ct).ConfigureAwait(false);
        var todo = new List<(EvalItem Item, int Attempt)>();
        int skipped = 0, gaveUp = 0;
        foreach (var item in mine)
        {
            if (!states.TryGetValue(item.SampleId, out var s)) todo.Add((item, 1));
            else if (s.Status == SampleStatus.Done) skipped++;
            else if (s.Attempts < options.MaxAttempts) todo.Add((item, s.Attempts + 1));
            else gaveUp++;
        }

        // The failure budget counts every failed sample of the shard, earlier attempts' included.
        var allowedFailures = options.MaxErrorRate * mine.Count;
        var failed = gaveUp;
        int succeeded = 0, ran = 0;
        var stopped = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = stop.Token }, async (w, c) =>
            {
                var wall = Stopwatch.StartNew();
                EvalSample sample;
                try
                {
                    sample = await benchmark.RunAsync(options.RunId, w.Item, c).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !c.IsCancellationRequested)
                {
                    sample = new EvalSample(options.RunId, w.Item.SampleId)
                    {
                        Status = SampleStatus.Failed, TaskId = w.Item.TaskId, Error = $"{e.GetType().Name}: {e.Message}",
                    };
                }
                sample = sample with
                {
                    Attempts = w.Attempt, Shard = options.Shard.ToString(), WallSeconds = wall.Elapsed.TotalSeconds, UpdatedAt = DateTimeOffset.UtcNow,
                };
                // Written even if the run is being stopped: a finished sample is never lost.
                await store.SaveSampleAsync(sample, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref ran);
                if (sample.Status == SampleStatus.Done) Interlocked.Increment(ref succeeded);
                else if (Interlocked.Increment(ref failed) > allowedFailures && Interlocked.Exchange(ref stopped, 1) == 0)
                    await stop.CancelAsync().ConfigureAwait(false);
                onSample?.Invoke(sample);
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopped == 1 && !ct.IsCancellationRequested)
        {
            // the error budget was spent: the rest stays undone for a rerun
        }

        var ids = mine.Select(i => i.SampleId).ToHashSet(StringComparer.Ordinal);
        var whole = await store.LoadSamplesAsync(options.RunId, ct: ct).ConfigureAwait(false);
        var stored = whole.Where(s => ids.Contains(s.SampleId)).ToList();
        var done = stored.Where(s => s.Status == SampleStatus.Done).ToList();
        var failedNow = stored.Count(s => s.Status == SampleStatus.Failed);
        var correct = done.Count(s => s.Correct == true);
        var evaluated = done.Count(s => !s.IsNotEvaluated);
        var errorRate = mine.Count == 0 ? 0 : failedNow / (double)mine.Count;
        return new EvalRunSummary(options.RunId, options.Benchmark, options.Setup, benchmark.Orchestrator, options.Shard.ToString(), benchmark.Simulated,
            mine.Count, skipped, ran, succeeded, ran - succeeded, stored.Count(s => s.Status == SampleStatus.Failed && s.Attempts >= options.MaxAttempts),
            failedNow, done.Count, correct, done.Count - evaluated, evaluated == 0 ? 0 : correct / (double)evaluated,
            done.Count == 0 ? 0 : done.Sum(s => s.CostUsd) / done.Count, stored.Sum(s => s.JudgeCostUsd),
            errorRate, options.MaxErrorRate, errorRate > options.MaxErrorRate, stopped == 1, benchmark.Notes,
            // tau2's pass^k is over the whole run (every shard's trials of a task), not this shard alone
            options.Benchmark == "tau2"
                ? Tau2.Tau2Report.PassHatK(whole.Where(s => s.Status == SampleStatus.Done && !s.IsNotEvaluated).Select(s => (s.TaskId ?? s.SampleId, s.Reward ?? 0)), options.Trials)
                : null);
    }
}
