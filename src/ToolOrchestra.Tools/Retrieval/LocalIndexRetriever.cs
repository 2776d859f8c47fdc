using Microsoft.Data.Sqlite;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// The <c>search</c> tool's embedded back-end: BM25 over a <see cref="LocalIndex"/>, restricted to the
/// question's allowed documents when a filter is configured. Priced at the catalog's local search price.
/// </summary>
public sealed class LocalIndexRetriever(LocalIndex index, ToolPrices? prices = null, AllowedDocuments? allowed = null, TimeProvider? time = null) : IRetriever
{
    public const string SourceName = "local";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly decimal _price = (prices ?? new ToolPrices()).LocalSearchPerCall;

    public LocalIndex Index => index;

    public decimal WorstCaseUsd(int topK) => _price;

    public Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct)
    {
        var began = _time.GetTimestamp();
        IReadOnlyCollection<string>? ids = null;
        if (allowed is not null && !allowed.TryFor(eid, out ids, out var error))
            return Task.FromResult(RetrievalResult.Failed(SourceName, error!, _time.GetElapsedTime(began).TotalSeconds, _price));
        try
        {
            var docs = index.Search(query, topK, ids, ct);
            return Task.FromResult(new RetrievalResult(docs, _price, SourceName, _time.GetElapsedTime(began).TotalSeconds));
        }
        catch (SqliteException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (SqliteException e)
        {
            return Task.FromResult(RetrievalResult.Failed(SourceName, $"{index.Path}: search failed: {e.Message}", _time.GetElapsedTime(began).TotalSeconds, _price));
        }
    }
}
