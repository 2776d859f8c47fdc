using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Tools.Tests.Retrieval;

public sealed class CachingRetrieverTests
{
    private sealed class Counting(Func<string, string?, RetrievalResult> answer) : IRetriever
    {
        public int Calls;

        public Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(answer(query, eid));
        }
    }

    [Fact]
    public async Task A_repeated_search_is_answered_from_memory_with_the_original_result()
    {
        var inner = new Counting((q, _) => new RetrievalResult([new RetrievedDocument("d1", q, 1.5)], 0.001m, "local", 0.25));
        var cache = new CachingRetriever(inner);

        var first = await cache.RetrieveAsync("tower", 5, null, CancellationToken.None);
        var again = await cache.RetrieveAsync("tower", 5, null, CancellationToken.None);
        await cache.RetrieveAsync("tower", 3, null, CancellationToken.None);
        await cache.RetrieveAsync("tower", 5, "q1", CancellationToken.None);

        again.Should().BeSameAs(first);
        inner.Calls.Should().Be(3, "another top k or question id is another search");
        cache.Hits.Should().Be(1);
    }

    [Fact]
    public async Task Failures_are_searched_again_and_a_full_cache_stops_storing()
    {
        var inner = new Counting((q, eid) => eid == "bad" ? RetrievalResult.Failed("local", "unknown eid") : new RetrievalResult([]));
        var cache = new CachingRetriever(inner, capacity: 1);

        await cache.RetrieveAsync("x", 5, "bad", CancellationToken.None);
        await cache.RetrieveAsync("x", 5, "bad", CancellationToken.None);
        await cache.RetrieveAsync("a", 5, null, CancellationToken.None);
        await cache.RetrieveAsync("b", 5, null, CancellationToken.None);
        await cache.RetrieveAsync("b", 5, null, CancellationToken.None);
        await cache.RetrieveAsync("a", 5, null, CancellationToken.None);

        inner.Calls.Should().Be(5, "failures and queries past the capacity are searched each time");
    }
}
