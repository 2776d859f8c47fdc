using ToolOrchestra.Core;

namespace ToolOrchestra.Server.Keys;

/// <summary>
/// A client's key as the store keeps it: never the secret, only its SHA-256 and a short prefix to recognise it.
/// Limits are null when unlimited. <see cref="Aliases"/> null allows every alias of the catalog; <see cref="Preferences"/>
/// are the key's defaults (a request's hard constraints can only narrow them). An admin key may read the dashboard.
/// </summary>
public sealed record ApiKey(
    string Id,
    string Name,
    string Prefix,
    DateTimeOffset Created,
    DateTimeOffset? Revoked,
    decimal? DailyUsd,
    decimal? TotalUsd,
    int? RequestsPerMinute,
    int? ConcurrentRuns,
    IReadOnlyList<string>? Aliases,
    string? PreferencesJson,
    bool Admin)
{
    public bool IsRevoked => Revoked is not null;

    /// <summary>The key's default preferences, or none.</summary>
    public Preferences Preferences => PreferencesJson is null ? Preferences.None
        : Preferences.Read(new JsonFields($"key '{Name}'", "preferences", System.Text.Json.JsonDocument.Parse(PreferencesJson).RootElement.Clone()));
}

/// <summary>What <c>orchestra keys create</c> asks for.</summary>
public sealed record KeyLimits(
    decimal? DailyUsd = null,
    decimal? TotalUsd = null,
    int? RequestsPerMinute = null,
    int? ConcurrentRuns = null,
    IReadOnlyList<string>? Aliases = null,
    string? PreferencesJson = null,
    bool Admin = false);

/// <summary>A freshly made key: the secret is shown once, then only its hash exists.</summary>
public sealed record CreatedKey(ApiKey Key, string Secret);
