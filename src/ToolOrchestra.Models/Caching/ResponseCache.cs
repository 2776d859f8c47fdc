using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Models.Caching;

/// <summary>
/// Completed model calls keyed by exactly what was sent (<see cref="ResponseCacheKey"/>), with what each was billed: the
/// thing that makes GRPO affordable, since a group replays one task G times and an epoch replays every task. Add it to
/// a model's pipeline with <see cref="OrchestraChatClientBuilderExtensions.UseResponseCache"/> (the engine does, given
/// <c>OrchestraOptions.ResponseCache</c>); open one with <c>ResponseCacheStore.OpenAsync</c> (ToolOrchestra.Runtime).
/// One instance serves every model and episode of a process; several processes may share one store.
/// <para>
/// Identical requests in flight at once in this process share one paid call (single flight per key); across
/// processes two may both pay, and the first to finish is kept. <see cref="Stats"/> counts hits, misses, the real
/// dollars of the misses and the dollars the hits saved.
/// </para>
/// </summary>
public sealed class ResponseCache(IResponseStore store) : IAsyncDisposable
{
    private static readonly AsyncLocal<ResponseCacheScope?> Ambient = new();
    private readonly ConditionalWeakTable<Ledger, ResponseCacheScope> _episodes = new();
    private readonly ConcurrentDictionary<string, Task<CachedCall?>> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private ResponseCacheStats _stats = ResponseCacheStats.Empty;

    public IResponseStore Store => store;

    /// <summary>The store as a user may see it.</summary>
    public string Display => store.Display;

    public ResponseCacheStats Stats
    {
        get { lock (_gate) return _stats; }
    }

    /// <summary>
    /// Makes the async flow inside it member <paramref name="member"/> of a group of <paramref name="groupSize"/> for
    /// sampling calls (see <see cref="ResponseCacheScope"/>); dispose to leave it. Open it inside the member's own task.
    /// </summary>
    public static IDisposable BeginScope(int member = 0, int groupSize = 1)
    {
        var previous = Ambient.Value;
        Ambient.Value = new ResponseCacheScope(member, groupSize);
        return new ScopeExit(previous);
    }

    /// <summary>Where a call's sample index comes from: none when greedy; else the ambient scope, or the episode's (its ledger's).</summary>
    internal ResponseCacheScope? SamplingScope(float? temperature, Ledger? ledger) =>
        temperature is 0 ? null : Ambient.Value ?? (ledger is null ? null : _episodes.GetValue(ledger, _ => new ResponseCacheScope(0, 1)));

    /// <summary>
    /// Starts the single flight for <paramref name="key"/>: true with the completion source to finish when this caller
    /// makes the call; false with the leader's task when another caller is already making it.
    /// </summary>
    internal bool TryLead(string key, out TaskCompletionSource<CachedCall?> lead, out Task<CachedCall?> follow)
    {
        lead = new TaskCompletionSource<CachedCall?>(TaskCreationOptions.RunContinuationsAsynchronously);
        follow = _inFlight.GetOrAdd(key, lead.Task);
        return follow == lead.Task;
    }

    internal void EndLead(string key, TaskCompletionSource<CachedCall?> lead) => _inFlight.TryRemove(new(key, lead.Task));

    internal void CountHit(decimal savedUsd)
    {
        lock (_gate) _stats = _stats with { Hits = _stats.Hits + 1, SavedUsd = _stats.SavedUsd + savedUsd };
    }

    internal void CountMiss(decimal paidUsd)
    {
        lock (_gate) _stats = _stats with { Misses = _stats.Misses + 1, PaidUsd = _stats.PaidUsd + paidUsd };
    }

    public ValueTask DisposeAsync() => store.DisposeAsync();

    private sealed class ScopeExit(ResponseCacheScope? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
