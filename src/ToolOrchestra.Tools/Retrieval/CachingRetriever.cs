using System.Collections.Concurrent;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// Remembers what a deterministic retriever (a read-only local index) found for a query, so the repeated searches of
/// replays (the offline world's rollout groups ask the same queries over and over) skip BM25 scoring, which is most of
/// a search's cost. A hit returns the original result, seconds and price included, as the code-hash cache does.
/// Failed retrievals are not remembered; past <paramref name="capacity"/> entries new queries are searched but not stored.
/// </summary>
public sealed class CachingRetriever(IRetriever inner, int capacity = CachingRetriever.DefaultCapacity) : IRetriever
{
    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentDictionary<(string Query, int TopK, string? Eid), RetrievalResult> _found = new();
    private int _hits;

    public IRetriever Inner => inner;

    public int Hits => Volatile.Read(ref _hits);

    public decimal WorstCaseUsd(int topK) => inner.WorstCaseUsd(topK);

    public async Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct)
    {
        var key = (query, topK, eid);
        if (_found.TryGetValue(key, out var known))
        {
            Interlocked.Increment(ref _hits);
            return known;
        }
        var result = await inner.RetrieveAsync(query, topK, eid, ct).ConfigureAwait(false);
        if (result.Error is null && _found.Count < capacity) _found.TryAdd(key, result);
        return result;
    }
}
