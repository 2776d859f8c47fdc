using ToolOrchestra.Runtime.Storage;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ToolOrchestra.Core;

namespace ToolOrchestra.Server.Keys;

/// <summary>
/// Keys in the server store: created with a random secret (<c>sk-orch-…</c>, 256 bits) of which only the SHA-256 is
/// kept (a fast hash suffices for a random secret: there is nothing to guess), listed, revoked, and looked up by the
/// hash of a presented bearer token. Spend is not kept here: it is summed from the calls table, so it is exact and
/// shared by every replica on the same store.
/// </summary>
public sealed class KeyStore(ServerStore store, TimeProvider? clock = null)
{
    private const string Columns = "id, name, prefix, created_ms, revoked_ms, daily_usd, total_usd, rpm, concurrency, aliases, preferences, admin";
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<CreatedKey> CreateAsync(string name, KeyLimits limits, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new UserError("--name: give the key a name (who or what uses it).");
        if (limits.DailyUsd is < 0 || limits.TotalUsd is < 0) throw new UserError("--daily-usd and --total-usd must be 0 or more.");
        if (limits.RequestsPerMinute is < 1 || limits.ConcurrentRuns is < 1) throw new UserError("--rpm and --concurrency must be at least 1.");
        var secret = "sk-orch-" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var id = "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var now = _clock.GetUtcNow();
        var key = new ApiKey(id, name, secret[..12], now, null, limits.DailyUsd, limits.TotalUsd, limits.RequestsPerMinute, limits.ConcurrentRuns,
            limits.Aliases, limits.PreferencesJson, limits.Admin);
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        if (await StoreCommands.ScalarAsync(conn, "SELECT COUNT(*) FROM orchestra_keys WHERE name = @name", ct, ("@name", name)).ConfigureAwait(false) is { } n
            && Convert.ToInt64(n, CultureInfo.InvariantCulture) > 0)
            throw new UserError($"a key named '{name}' already exists in {store.Location}; choose another --name or revoke it first.");
        await StoreCommands.ExecuteAsync(conn, $"INSERT INTO orchestra_keys (hash, {Columns}) VALUES (@hash, @id, @name, @prefix, @created, NULL, @daily, @total, @rpm, @conc, @aliases, @prefs, @admin)", ct,
            ("@hash", Hash(secret)), ("@id", id), ("@name", name), ("@prefix", key.Prefix), ("@created", now.ToUnixTimeMilliseconds()),
            ("@daily", Text(limits.DailyUsd)), ("@total", Text(limits.TotalUsd)), ("@rpm", limits.RequestsPerMinute), ("@conc", limits.ConcurrentRuns),
            ("@aliases", limits.Aliases is null ? null : string.Join(',', limits.Aliases)), ("@prefs", limits.PreferencesJson), ("@admin", limits.Admin ? 1 : 0)).ConfigureAwait(false);
        return new CreatedKey(key, secret);
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken ct = default)
    {
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        return await ReadAsync(conn, $"SELECT {Columns} FROM orchestra_keys ORDER BY created_ms, name", ct).ConfigureAwait(false);
    }

    /// <summary>Whether any key was ever created (then every request must carry one).</summary>
    public async Task<bool> AnyAsync(CancellationToken ct = default)
    {
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        return Convert.ToInt64(await StoreCommands.ScalarAsync(conn, "SELECT COUNT(*) FROM orchestra_keys", ct).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Revokes by id or name; false when no such key.</summary>
    public async Task<bool> RevokeAsync(string idOrName, CancellationToken ct = default)
    {
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        return await StoreCommands.ExecuteAsync(conn, "UPDATE orchestra_keys SET revoked_ms = @now WHERE (id = @k OR name = @k) AND revoked_ms IS NULL", ct,
            ("@now", _clock.GetUtcNow().ToUnixTimeMilliseconds()), ("@k", idOrName)).ConfigureAwait(false) > 0;
    }

    /// <summary>The key whose secret is <paramref name="secret"/> (revoked ones too, so the caller can say so), or null.</summary>
    public async Task<ApiKey?> FindAsync(string secret, CancellationToken ct = default)
    {
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        var found = await ReadAsync(conn, $"SELECT {Columns} FROM orchestra_keys WHERE hash = @hash", ct, ("@hash", Hash(secret))).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>What a key has spent today (UTC) and in total, summed from its calls.</summary>
    public async Task<(decimal Today, decimal Total)> SpendAsync(string keyId, CancellationToken ct = default)
    {
        var dayStart = new DateTimeOffset(_clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero).ToUnixTimeMilliseconds();
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = StoreCommands.Command(conn,
            "SELECT COALESCE(SUM(CASE WHEN at_ms >= @day THEN cost_pusd ELSE 0 END), 0), COALESCE(SUM(cost_pusd), 0) FROM orchestra_calls WHERE key_id = @k",
            ("@day", dayStart), ("@k", keyId));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return (Money.FromPico(Money.PicoFrom(reader.GetValue(0))), Money.FromPico(Money.PicoFrom(reader.GetValue(1))));
    }

    /// <summary>What a key's runs in progress hold beyond what they have spent (their grants, see <see cref="KeyAccount"/>).</summary>
    public async Task<decimal> HeldAsync(string keyId, CancellationToken ct = default)
    {
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        return Money.FromPico(Money.PicoFrom(await StoreCommands.ScalarAsync(conn,
            $"SELECT {KeyAccount.UnspentGrants} FROM orchestra_runs WHERE key_id = @k AND status = 'running'", ct, ("@k", keyId)).ConfigureAwait(false)));
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static async Task<IReadOnlyList<ApiKey>> ReadAsync(DbConnection conn, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = StoreCommands.Command(conn, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var keys = new List<ApiKey>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            keys.Add(new ApiKey(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)),
                r.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                r.IsDBNull(5) ? null : decimal.Parse(r.GetString(5), CultureInfo.InvariantCulture),
                r.IsDBNull(6) ? null : decimal.Parse(r.GetString(6), CultureInfo.InvariantCulture),
                r.IsDBNull(7) ? null : r.GetInt32(7), r.IsDBNull(8) ? null : r.GetInt32(8),
                r.IsDBNull(9) ? null : r.GetString(9).Split(',', StringSplitOptions.RemoveEmptyEntries),
                r.IsDBNull(10) ? null : r.GetString(10), r.GetInt32(11) != 0));
        return keys;
    }

    private static string? Text(decimal? d) => d?.ToString(CultureInfo.InvariantCulture);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
