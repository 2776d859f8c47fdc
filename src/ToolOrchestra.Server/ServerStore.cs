using System.Data.Common;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Server;

/// <summary>
/// The server's tables in one <see cref="StoreLocation"/> (a SQLite file, or PostgreSQL shared by replicas): keys,
/// runs, their calls, and the live server instances (so a replica can tell a run whose server died from one still
/// running elsewhere). SQL is written once for both engines; times are Unix milliseconds, dollars pico-dollars.
/// </summary>
public sealed class ServerStore(StoreLocation location)
{
    public StoreLocation Location => location;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS orchestra_keys (
          id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
          created_ms BIGINT NOT NULL, revoked_ms BIGINT, daily_usd TEXT, total_usd TEXT, rpm INTEGER, concurrency INTEGER,
          aliases TEXT, preferences TEXT, admin INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS orchestra_runs (
          id TEXT PRIMARY KEY, key_id TEXT, key_name TEXT, model TEXT NOT NULL, instance TEXT NOT NULL, status TEXT NOT NULL,
          started_ms BIGINT NOT NULL, ended_ms BIGINT, stream INTEGER NOT NULL DEFAULT 0, problem TEXT NOT NULL,
          answer TEXT, stop_reason TEXT, stop_detail TEXT, cost_pusd BIGINT NOT NULL DEFAULT 0, latency_s DOUBLE PRECISION NOT NULL DEFAULT 0,
          wall_s DOUBLE PRECISION NOT NULL DEFAULT 0, input_tokens BIGINT NOT NULL DEFAULT 0, output_tokens BIGINT NOT NULL DEFAULT 0,
          calls INTEGER NOT NULL DEFAULT 0, turns INTEGER NOT NULL DEFAULT 0, timeline TEXT, trajectory_path TEXT,
          reserved_pusd BIGINT NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS orchestra_runs_key ON orchestra_runs (key_id, started_ms);
        CREATE INDEX IF NOT EXISTS orchestra_runs_status ON orchestra_runs (status);
        CREATE TABLE IF NOT EXISTS orchestra_calls (
          run_id TEXT NOT NULL, seq INTEGER NOT NULL, key_id TEXT, model_profile TEXT NOT NULL, at_ms BIGINT NOT NULL,
          turn INTEGER NOT NULL, kind TEXT NOT NULL, tool TEXT NOT NULL, alias TEXT, model TEXT,
          input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cost_pusd BIGINT NOT NULL, latency_s DOUBLE PRECISION NOT NULL,
          PRIMARY KEY (run_id, seq));
        CREATE INDEX IF NOT EXISTS orchestra_calls_key ON orchestra_calls (key_id, at_ms);
        CREATE TABLE IF NOT EXISTS orchestra_instances (id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, seen_ms BIGINT NOT NULL);
        """;

    /// <summary>Columns added since the first release, added to stores made before them.</summary>
    private static readonly (string Table, string Column)[] Added = [("orchestra_runs", "reserved_pusd BIGINT NOT NULL DEFAULT 0")];

    /// <summary>Creates the tables when missing (idempotent, safe for replicas starting together).</summary>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = await location.OpenAsync(ct).ConfigureAwait(false);
        foreach (var statement in Schema.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                await StoreCommands.ExecuteAsync(conn, statement, ct).ConfigureAwait(false);
            }
            catch (DbException) when (location.Kind == StoreKind.Postgres)
            {
                // Two replicas creating the same table at once: one wins, the other's IF NOT EXISTS races; the table is there.
            }
        }
        foreach (var (table, column) in Added)
        {
            try
            {
                await StoreCommands.ExecuteAsync(conn, $"ALTER TABLE {table} ADD COLUMN {column}", ct).ConfigureAwait(false);
            }
            catch (DbException)
            {
                // The column is there (a store made by this version, or a replica that added it first).
            }
        }
    }

    public Task<DbConnection> OpenAsync(CancellationToken ct = default) => location.OpenAsync(ct);
}
