using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using ToolOrchestra.Core;
using ToolOrchestra.Models.Caching;

namespace ToolOrchestra.Runtime.Storage;

/// <summary>
/// The response cache's store (<see cref="IResponseStore"/>) in a <see cref="StoreLocation"/>: a SQLite file by default
/// (WAL and a busy timeout, so several processes share it safely), or a <c>postgres://</c> URL for several trainers.
/// One row per key (<see cref="ResponseCacheKey"/>: 32-byte request hash + sample index); dollars kept as exact decimal
/// text. Lookups run on pooled connections with their commands prepared once, so a hit costs one indexed read.
/// </summary>
public sealed class ResponseCacheStore : IResponseStore
{
    private const long SchemaLock = 0x5245535043414348; // "RESPCACH"
    private const string Columns = "reply, input_tokens, output_tokens, cost_usd, latency_seconds, tokens_estimated";

    private readonly StoreLocation _location;
    private readonly ConcurrentBag<Lease> _idle = [];

    private ResponseCacheStore(StoreLocation location) => _location = location;

    public string Display => _location.Display;

    /// <summary>
    /// Opens (creating when missing) the cache in <paramref name="store"/>, a SQLite file path or a <c>postgres://</c>
    /// URL; one that cannot be opened is a <see cref="UserError"/> naming <paramref name="where"/>, before any call is made.
    /// </summary>
    public static async Task<ResponseCache> OpenAsync(string store, string where = "--cache", CancellationToken ct = default)
    {
        var location = StoreLocation.Parse(store, where);
        var cache = new ResponseCacheStore(location);
        try
        {
            await using var conn = await location.OpenAsync(ct).ConfigureAwait(false);
            var schema = location.Kind == StoreKind.Postgres
                ? $"BEGIN; SELECT pg_advisory_xact_lock({SchemaLock}); CREATE TABLE IF NOT EXISTS response_cache (key BYTEA PRIMARY KEY, reply TEXT NOT NULL, " +
                  "input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cost_usd TEXT NOT NULL, latency_seconds DOUBLE PRECISION NOT NULL, " +
                  "tokens_estimated BOOLEAN NOT NULL, created_at TEXT NOT NULL); COMMIT;"
                : "CREATE TABLE IF NOT EXISTS response_cache (key BLOB PRIMARY KEY, reply TEXT NOT NULL, input_tokens INTEGER NOT NULL, " +
                  "output_tokens INTEGER NOT NULL, cost_usd TEXT NOT NULL, latency_seconds REAL NOT NULL, tokens_estimated INTEGER NOT NULL, " +
                  "created_at TEXT NOT NULL);"; // a rowid table: rows append, only the small key index is random (WITHOUT ROWID made 1M rows 3x slower to fill)
            await StoreCommands.ExecuteAsync(conn, schema, ct).ConfigureAwait(false);
            // A file that holds another table of this name (or another program's data) is refused now, not at the first call.
            await StoreCommands.ScalarAsync(conn, $"SELECT {Columns} FROM response_cache LIMIT 1", ct).ConfigureAwait(false);
        }
        catch (UserError e)
        {
            throw new UserError($"{where}: {e.Message}");
        }
        catch (DbException e)
        {
            throw new UserError($"{where} {location.Display}: cannot open the response cache ({e.Message.ReplaceLineEndings(" ")}).");
        }
        return new ResponseCache(cache);
    }

    public async ValueTask<CachedCall?> FindAsync(byte[] key, CancellationToken ct = default)
    {
        var lease = await RentAsync(ct).ConfigureAwait(false);
        try
        {
            lease.FindKey.Value = key;
            await using var r = await lease.Find.ExecuteReaderAsync(ct).ConfigureAwait(false);
            CachedCall? call = null;
            if (await r.ReadAsync(ct).ConfigureAwait(false))
                call = new CachedCall(r.GetString(0), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture),
                    decimal.Parse(r.GetString(3), NumberStyles.Number, CultureInfo.InvariantCulture), r.GetDouble(4), Convert.ToBoolean(r.GetValue(5), CultureInfo.InvariantCulture));
            _idle.Add(lease);
            return call;
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false); // a connection in an unknown state is not pooled again
            throw;
        }
    }

    public async ValueTask SaveAsync(byte[] key, CachedCall call, CancellationToken ct = default)
    {
        var lease = await RentAsync(ct).ConfigureAwait(false);
        try
        {
            await StoreCommands.ExecuteAsync(lease.Connection,
                $"INSERT INTO response_cache (key, {Columns}, created_at) VALUES (@k, @reply, @in, @out, @cost, @s, @est, @at) ON CONFLICT (key) DO NOTHING", ct,
                ("k", key), ("reply", call.ReplyJson), ("in", call.InputTokens), ("out", call.OutputTokens),
                ("cost", call.CostUsd.ToString(CultureInfo.InvariantCulture)), ("s", call.LatencySeconds),
                ("est", _location.Kind == StoreKind.Postgres ? call.TokensEstimated : call.TokensEstimated ? 1 : 0),
                ("at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
            _idle.Add(lease);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fills the store with many rows in one transaction (benchmarks; seeding a cache from another).</summary>
    public async Task SaveManyAsync(IEnumerable<(byte[] Key, CachedCall Call)> rows, CancellationToken ct = default)
    {
        await using var conn = await _location.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var cmd = StoreCommands.Command(conn,
            $"INSERT INTO response_cache (key, {Columns}, created_at) VALUES (@k, @reply, @in, @out, @cost, @s, @est, @at) ON CONFLICT (key) DO NOTHING",
            ("k", Array.Empty<byte>()), ("reply", ""), ("in", 0L), ("out", 0L), ("cost", ""), ("s", 0.0), ("est", 0), ("at", ""));
        cmd.Transaction = tx;
        var at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        foreach (var (key, call) in rows)
        {
            cmd.Parameters[0].Value = key;
            cmd.Parameters[1].Value = call.ReplyJson;
            cmd.Parameters[2].Value = call.InputTokens;
            cmd.Parameters[3].Value = call.OutputTokens;
            cmd.Parameters[4].Value = call.CostUsd.ToString(CultureInfo.InvariantCulture);
            cmd.Parameters[5].Value = call.LatencySeconds;
            cmd.Parameters[6].Value = _location.Kind == StoreKind.Postgres ? call.TokensEstimated : call.TokensEstimated ? 1 : 0;
            cmd.Parameters[7].Value = at;
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    private async ValueTask<Lease> RentAsync(CancellationToken ct)
    {
        if (_idle.TryTake(out var lease)) return lease;
        var conn = await _location.OpenAsync(ct).ConfigureAwait(false);
        var find = StoreCommands.Command(conn, $"SELECT {Columns} FROM response_cache WHERE key = @k", ("k", Array.Empty<byte>()));
        return new Lease(conn, find, find.Parameters[0]);
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var lease)) await lease.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>An open connection with its lookup command prepared once.</summary>
    private sealed record Lease(DbConnection Connection, DbCommand Find, DbParameter FindKey) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Find.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
