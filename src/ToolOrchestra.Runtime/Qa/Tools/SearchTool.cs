using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Qa.Tools;

/// <summary>
/// <c>search</c>: the alias's expert writes a query, the retriever (local BM25 index, a <c>/retrieve</c> service, the
/// web) finds documents, and new ones join the context. Without a retriever the call answers "not configured".
/// </summary>
internal sealed class SearchTool(IRetriever? retriever, int? topK = null) : QaExpertTool(QaTool.Search)
{
    protected override string Description => "Search for missing information";
    protected override string ModelParameterLead => "The model used to search for missing information.";

    public override async Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct)
    {
        if (retriever is null)
            return new ToolOutput("Tool not configured: search needs a retrieval index or a /retrieve service (orchestra run --index I.db or --retriever URL).");
        var state = invocation.Context.Feature<QaEpisodeState>();
        var reply = await AskExpertAsync(invocation, null, ExpertPrompts.Query(ExpertContext(invocation), state.Problem, state.Variant), ct).ConfigureAwait(false);
        // The reference eval skips retrieval for a too-short query; training searches the problem instead.
        if (ExpertPrompts.ExtractQuery(reply, state.Problem, state.Variant) is not { } query)
            return new ToolOutput($"The query was shorter than {state.Variant.MinQueryChars} characters; nothing was retrieved.");
        var clock = invocation.Context.Clock;
        var started = clock.GetTimestamp();
        // An explicit top_k wins; otherwise the variant's (the reference's 50/150/30), else the default.
        var k = topK ?? state.Variant.TopK ?? QaToolServices.DefaultTopK;
        using var hold = await invocation.Context.Ledger.HoldAsync(retriever.WorstCaseUsd(k), ct).ConfigureAwait(false);
        var found = await retriever.RetrieveAsync(query, k, state.Eid, ct).ConfigureAwait(false);
        // The retriever prices itself (local per call, web per call and per extracted document); the seconds are the
        // episode's clock, so a virtual-time episode stays reproducible.
        invocation.Context.Ledger.Record(ToolLedger.Retrieval(invocation.Context.Turn, found with { Seconds = clock.GetElapsedTime(started).TotalSeconds }, Name, invocation.Alias));
        if (found.Error is not null) return ToolOutput.Failed($"Query: {query}\nError: retrieval failed: {found.Error}");
        // Reverse order; appended skipping those already held (reference eval), or interleaved (training rollout).
        var documents = found.Documents.Reverse().Select(d => d.Contents).ToList();
        var added = state.Variant.Merge == DocumentMerge.Interleave ? state.Context.MergeDocuments(documents) : state.Context.AddDocuments(documents);
        return new ToolOutput($"Query: {query}\nFound {found.Documents.Count} documents, {added} new; {state.Context.Documents.Count} in context.");
    }
}
