using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Models.Caching;

/// <summary>
/// Decorator that answers a model call from the <see cref="ResponseCache"/> when it holds one for exactly this request
/// (and sample index), and keeps every call it lets through. It sits outside the budget step: a hit takes no real-money
/// hold and never reaches a shared account. A hit is billed to the scope's ledger as the call was billed when it was
/// made — its stored tokens, dollars and seconds, marked <see cref="LedgerEntry.Cached"/> — after a hold of those dollars
/// against the episode's own budget (<see cref="Ledger.HoldReplay"/>), so a replayed episode has the same trajectory,
/// ledger and reward. A miss goes down the pipeline (budget, ledger, parsing, retries, wire) and is stored with its
/// entry once it completes; a failed call is not stored. Streams and other orchestrators (<c>"api": "orchestra"</c>,
/// profiles: their runs differ every time and report their own spend) pass through uncached.
/// </summary>
public sealed class ResponseCacheChatClient(IChatClient inner, ResponseCache cache, ModelEntry model) : DelegatingChatClient(inner)
{
    private readonly bool _cacheable = model.Api != ModelApi.Orchestra && !model.IsInProcessOrchestrator;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!_cacheable) return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var scope = LedgerScope.From(options);
        var request = ResponseCacheKey.Request(model, list, options, MaxTokensSent(options, scope));
        var requestHex = Convert.ToHexString(request);
        var sampling = cache.SamplingScope(options?.Temperature, scope?.Ledger);
        var sample = sampling?.SampleOf(requestHex) ?? 0;
        var key = ResponseCacheKey.WithSample(request, sample);
        var flight = requestHex + "/" + sample;
        while (true)
        {
            if (await cache.Store.FindAsync(key, cancellationToken).ConfigureAwait(false) is { } stored)
                return Answered(Replay(stored, scope));
            if (!cache.TryLead(flight, out var lead, out var follow))
            {
                // Someone in this process is making this very call: wait for it rather than pay twice.
                if (await follow.WaitAsync(cancellationToken).ConfigureAwait(false) is { } shared) return Answered(Replay(shared, scope));
                continue; // it failed: try again (perhaps as the leader)
            }
            try
            {
                // Another process, or a leader that just finished, may have stored it since the lookup.
                if (await cache.Store.FindAsync(key, cancellationToken).ConfigureAwait(false) is { } late)
                {
                    lead.SetResult(late);
                    return Answered(Replay(late, scope));
                }
                var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
                var entry = response.AdditionalProperties?.TryGetValue(LedgerChatClient.EntryKey, out var e) == true ? e as LedgerEntry : null;
                if (entry is null)
                {
                    lead.SetResult(null); // no ledger step below: nothing to bill a replay with, so nothing is kept
                    return Answered(response);
                }
                var call = CachedCall.From(response, entry);
                await cache.Store.SaveAsync(key, call, CancellationToken.None).ConfigureAwait(false); // paid for: keep it even if the caller gave up
                cache.CountMiss(entry.CostUsd);
                lead.SetResult(call);
                return Answered(response);
            }
            catch
            {
                lead.TrySetResult(null);
                throw;
            }
            finally
            {
                cache.EndLead(flight, lead);
            }
        }

        ChatResponse Answered(ChatResponse response)
        {
            sampling?.Answered(requestHex);
            return response;
        }
    }

    /// <summary><c>max_tokens</c> as the wire will send it: the budget step gives a bounded call without one the catalog's bound.</summary>
    private int? MaxTokensSent(ChatOptions? options, LedgerScope? scope) =>
        options?.MaxOutputTokens ?? (scope?.Ledger.IsBounded == true ? model.MaxOutputTokens ?? BudgetChatClient.DefaultMaxOutputTokens : null);

    private ChatResponse Replay(CachedCall call, LedgerScope? scope)
    {
        using (scope?.Ledger.HoldReplay(call.CostUsd))
        {
            var entry = new LedgerEntry(scope?.Turn ?? 0, scope?.Kind ?? CallKind.Expert, scope?.Tool ?? "chat", scope?.Alias, model.Id,
                call.InputTokens, call.OutputTokens, call.CostUsd, call.LatencySeconds, call.TokensEstimated, Cached: true);
            scope?.Ledger.Record(entry);
            var response = call.ToResponse();
            (response.AdditionalProperties ??= [])[LedgerChatClient.EntryKey] = entry;
            cache.CountHit(call.CostUsd);
            return response;
        }
    }
}
