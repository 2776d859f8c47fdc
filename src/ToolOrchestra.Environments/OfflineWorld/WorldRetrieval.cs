using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>
/// The world's corpus behind the <c>search</c> tool: corpus.jsonl and tasks.jsonl written to a folder and the
/// project's SQLite FTS5 BM25 index (<see cref="LocalIndexBuilder"/>) built beside them as index.db — the same index
/// <c>orchestra index build</c> makes and <c>orchestra run --index</c> opens — behind a <see cref="CachingRetriever"/>,
/// since rollouts of one task ask the same queries of an index that never changes.
/// </summary>
public static class WorldRetrieval
{
    public const string IndexFile = "index.db";

    /// <summary>Writes the world into <paramref name="directory"/>, builds its index there and opens it.</summary>
    public static IRetriever Build(World world, string directory, ToolPrices? prices = null, CancellationToken ct = default)
    {
        var (corpus, _) = world.Save(directory);
        var index = Path.Combine(Path.GetFullPath(directory), IndexFile);
        LocalIndexBuilder.Build(corpus, index, ct: ct);
        return new CachingRetriever(new LocalIndexRetriever(LocalIndex.Open(index), prices));
    }
}
