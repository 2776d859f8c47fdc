namespace ToolOrchestra.Models.Caching;

/// <summary>
/// What a <see cref="ResponseCache"/> did: calls replayed (<see cref="Hits"/>) and made (<see cref="Misses"/>), the real
/// dollars the misses cost (<see cref="PaidUsd"/>) and the dollars the hits would have cost when they were made
/// (<see cref="SavedUsd"/>). Serialised with the project's snake_case options: <c>hits, misses, paid_usd, saved_usd</c>.
/// </summary>
public sealed record ResponseCacheStats(long Hits, long Misses, decimal PaidUsd, decimal SavedUsd)
{
    public static readonly ResponseCacheStats Empty = new(0, 0, 0, 0);
}
