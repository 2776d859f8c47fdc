namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// The reference's fallback rule (§2.2): search the index first; when it returns fewer than
/// <paramref name="minDocuments"/> documents (3 in the reference), also search the web and append what it finds
/// after the index's documents, without repeating one. Costs and seconds of both calls add up.
/// </summary>
public sealed class FallbackRetriever(IRetriever primary, IRetriever fallback, int minDocuments = 3) : IRetriever
{
    public decimal WorstCaseUsd(int topK) => primary.WorstCaseUsd(topK) + fallback.WorstCaseUsd(topK);

    public async Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct)
    {
        var first = await primary.RetrieveAsync(query, topK, eid, ct).ConfigureAwait(false);
        if (first.Documents.Count >= minDocuments) return first;

        var second = await fallback.RetrieveAsync(query, topK, eid, ct).ConfigureAwait(false);
        var merged = first.Documents.ToList();
        var seen = merged.Select(d => d.Contents).ToHashSet(StringComparer.Ordinal);
        foreach (var doc in second.Documents)
            if (merged.Count < topK && seen.Add(doc.Contents)) merged.Add(doc);

        var errors = new[] { first.Error, second.Error }.Where(e => e is not null).ToList();
        return new RetrievalResult(
            merged,
            first.CostUsd + second.CostUsd,
            $"{first.Source}+{second.Source}",
            first.Seconds + second.Seconds,
            merged.Count == 0 && errors.Count > 0 ? string.Join("; ", errors) : null);
    }
}
