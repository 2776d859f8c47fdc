namespace ToolOrchestra.Training.Rollouts;

/// <summary>
/// Runs a batch of offline episodes on up to <c>parallelism</c> thread-pool workers and returns the results in index
/// order. Workers, not a semaphore over <c>Task.WhenAll</c>: an offline episode never truly awaits (simulated experts,
/// virtual clock, cached code complete synchronously), so a gated loop of async calls would run every episode one
/// after another on the caller's thread. The order of results, not the order of completion, is what callers see, so
/// results do not depend on the parallelism.
/// </summary>
public static class EpisodeBatch
{
    public static async Task<T[]> RunAsync<T>(int count, int parallelism, Func<int, CancellationToken, Task<T>> run, CancellationToken ct)
    {
        var results = new T[count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, count), options,
            async (i, c) => results[i] = await run(i, c).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }
}
