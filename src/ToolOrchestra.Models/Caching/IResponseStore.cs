namespace ToolOrchestra.Models.Caching;

/// <summary>
/// Where a <see cref="ResponseCache"/> keeps its calls: a SQLite file or a PostgreSQL database shared by several
/// trainers (<c>ResponseCacheStore.OpenAsync</c> in ToolOrchestra.Runtime). A key is written once; a second write of
/// the same key (another process got there first) keeps the first.
/// </summary>
public interface IResponseStore : IAsyncDisposable
{
    /// <summary>The store as a user may see it (a PostgreSQL password masked).</summary>
    string Display { get; }

    ValueTask<CachedCall?> FindAsync(byte[] key, CancellationToken ct = default);

    ValueTask SaveAsync(byte[] key, CachedCall call, CancellationToken ct = default);
}
