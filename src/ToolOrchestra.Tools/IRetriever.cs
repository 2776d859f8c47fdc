namespace ToolOrchestra.Tools;

/// <summary>
/// Finds documents for a query: a local SQLite FTS5 index, a remote <c>/retrieve</c> service (the reference's API),
/// or web search. <c>eid</c> is the per-question id that selects the allowed-document filter.
/// </summary>
public interface IRetriever
{
    Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct);

    /// <summary>The most one retrieval of <paramref name="topK"/> documents can cost: held against the episode's budget before it starts.</summary>
    decimal WorstCaseUsd(int topK) => 0m;
}

public sealed record RetrievedDocument(string Id, string Contents, double Score);

/// <summary>
/// Documents found and what the retrieval cost (web search is priced per call and per extracted document) and took.
/// A retrieval that failed (service down, unknown eid) has <see cref="Error"/> set and no documents; retrievers
/// never throw for such failures, only <c>UserError</c> for configuration problems (missing index, missing key).
/// </summary>
public sealed record RetrievalResult(
    IReadOnlyList<RetrievedDocument> Documents, decimal CostUsd = 0m, string Source = "local", double Seconds = 0, string? Error = null)
{
    public static RetrievalResult Failed(string source, string error, double seconds = 0, decimal costUsd = 0m) =>
        new([], costUsd, source, seconds, error);
}
