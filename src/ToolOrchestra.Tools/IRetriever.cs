namespace ToolOrchestra.Tools;

/// <summary>
/// Finds documents for a query: a local SQLite FTS5 index, a remote <c>/retrieve</c> service (the reference's API),
/// or web search. <paramref name="eid"/> is the per-question id that selects the allowed-document filter.
/// </summary>
public interface IRetriever
{
    Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct);
}

public sealed record RetrievedDocument(string Id, string Contents, double Score);

/// <summary>Documents found and what the retrieval cost (web search is priced per call and per extracted document).</summary>
public sealed record RetrievalResult(IReadOnlyList<RetrievedDocument> Documents, decimal CostUsd = 0m, string Source = "local");
