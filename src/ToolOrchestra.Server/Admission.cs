using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime;
using ToolOrchestra.Server.Chat;
using ToolOrchestra.Server.Keys;

namespace ToolOrchestra.Server;

/// <summary>
/// Turns a request and its key into the engine's request. Hard constraints only narrow: the aliases a run may call are
/// those the key allows (its alias list and its preferences' hard constraints) that the request's hard constraints
/// and <c>allowed_aliases</c> also allow, handed to the engine as exclusions of every other alias. Soft weights: the
/// request's override the key's. Limits only narrow too: the key's remaining budget, the server's turn limit.
/// </summary>
public static class Admission
{
    public static OrchestrationRequest Request(ChatCompletionRequest body, OrchestratorProfile profile, ApiKey? key, decimal? remainingUsd)
    {
        var catalog = profile.Catalog;
        var asked = body.Orchestra;
        var keyPrefs = key?.Preferences ?? Preferences.None;
        var reqPrefs = asked.Preferences ?? Preferences.None;
        reqPrefs.ValidateAgainst(catalog, "orchestra.preferences");
        foreach (var alias in asked.AllowedAliases ?? [])
        {
            if (!catalog.Aliases.ContainsKey(alias))
                throw ApiError.BadRequest($"orchestra.allowed_aliases: '{alias}' is not an alias of model '{profile.Name}'; aliases: {string.Join(", ", catalog.Aliases.Keys.Order(StringComparer.Ordinal))}.");
            if (!KeyAllows(key, keyPrefs, alias, catalog))
                throw new ApiError(403, "alias_not_allowed", $"key '{key!.Name}' may not use alias '{alias}'; it may use: {string.Join(", ", catalog.Aliases.Keys.Where(a => KeyAllows(key, keyPrefs, a, catalog)).Order(StringComparer.Ordinal))}.");
        }
        var allowed = catalog.Aliases.Keys
            .Where(a => KeyAllows(key, keyPrefs, a, catalog) && reqPrefs.Allows(a, catalog, out _) && (asked.AllowedAliases?.Contains(a) ?? true))
            .ToHashSet(StringComparer.Ordinal);
        if (allowed.Count == 0)
            throw new ApiError(403, "no_alias_allowed", $"no alias of model '{profile.Name}' is allowed by {(key is null ? "this request's" : $"key '{key.Name}' and this request's")} constraints; loosen orchestra.preferences or orchestra.allowed_aliases.");

        var weights = new Dictionary<string, double>(keyPrefs.Weights);
        foreach (var (k, w) in reqPrefs.Weights) weights[k] = w;
        var preferences = new Preferences(weights, [], catalog.Aliases.Keys.Where(a => !allowed.Contains(a)).Order(StringComparer.Ordinal).ToList(),
            reqPrefs.Statement ?? keyPrefs.Statement);
        return OrchestrationRequest.FromConversation(body.Messages) with
        {
            Preferences = preferences,
            BudgetUsd = Narrower(asked.BudgetUsd, remainingUsd),
            BudgetSeconds = asked.BudgetSeconds,
            MaxTurns = Math.Min(asked.MaxTurns ?? profile.MaxTurns, profile.MaxTurns),
        };
    }

    /// <summary>
    /// What the key may still spend (the tighter of its daily and total budgets, less its spend); null when unlimited.
    /// 429 with <c>Retry-After</c> when nothing is left. This caps the run's own budget; each paid call is then granted
    /// against the key's account (<see cref="KeyAccount"/>), which also counts what other runs in progress hold.
    /// </summary>
    public static decimal? Remaining(ApiKey key, decimal spentToday, decimal spentTotal, TimeProvider clock)
    {
        decimal? left = null;
        if (key.TotalUsd is { } total)
        {
            if (spentTotal >= total)
                throw new ApiError(429, "insufficient_quota", $"key '{key.Name}' is over its total budget: ${spentTotal:0.######} spent of ${total:0.######}. Raise it with a new key or revoke this one.",
                    KeyAccount.SpentRetry);
            left = total - spentTotal;
        }
        if (key.DailyUsd is { } daily)
        {
            if (spentToday >= daily)
                throw new ApiError(429, "insufficient_quota", $"key '{key.Name}' is over its daily budget: ${spentToday:0.######} spent today of ${daily:0.######}; it resets at 00:00 UTC.",
                    UntilMidnight(clock));
            left = left is { } l ? Math.Min(l, daily - spentToday) : daily - spentToday;
        }
        return left;
    }

    /// <summary>How long until a key refused for its spend may have room again: 00:00 UTC for a daily budget alone, else <see cref="KeyAccount.SpentRetry"/>.</summary>
    public static TimeSpan UntilReset(ApiKey key, TimeProvider clock) =>
        key is { DailyUsd: not null, TotalUsd: null } ? UntilMidnight(clock) : KeyAccount.SpentRetry;

    public static TimeSpan UntilMidnight(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero) - now;
    }

    private static bool KeyAllows(ApiKey? key, Preferences keyPrefs, string alias, Catalog catalog) =>
        (key?.Aliases is null || key.Aliases.Contains(alias, StringComparer.Ordinal)) && keyPrefs.Allows(alias, catalog, out _);

    internal static decimal? Narrower(decimal? a, decimal? b) => a is { } x && b is { } y ? Math.Min(x, y) : a ?? b;
}
