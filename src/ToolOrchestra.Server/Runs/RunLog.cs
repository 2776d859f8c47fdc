using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Server.Runs;

/// <summary>
/// Every request's run in the server store: a row written when the run is admitted (status <c>running</c>), each paid
/// call booked the moment the engine reports it (so spend survives a crash and budgets see it at once), and the end
/// (answer, stop reason, totals, timeline). A server that starts finds runs left <c>running</c> by a dead server
/// (same host and its process gone, or no heartbeat for a minute) and marks them <c>interrupted</c>: their spend is
/// what their calls booked.
/// </summary>
public sealed class RunLog
{
    public const string Running = "running", Completed = "completed", Interrupted = "interrupted", Cancelled = "cancelled", Refused = "refused", Failed = "failed";
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(60);
    private readonly ServerStore _store;
    private readonly TimeProvider _clock;

    public RunLog(ServerStore store, TimeProvider? clock = null)
    {
        _store = store;
        _clock = clock ?? TimeProvider.System;
        Instance = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    }

    /// <summary>This server process, as named in the runs it writes.</summary>
    public string Instance { get; }

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Announces this process (host and pid) and refreshes its heartbeat.</summary>
    public async Task HeartbeatAsync(CancellationToken ct = default)
    {
        await using var conn = await _store.OpenAsync(ct).ConfigureAwait(false);
        await StoreCommands.ExecuteAsync(conn, """
            INSERT INTO orchestra_instances (id, host, pid, seen_ms) VALUES (@id, @host, @pid, @now)
            ON CONFLICT (id) DO UPDATE SET seen_ms = excluded.seen_ms
            """, ct, ("@id", Instance), ("@host", Environment.MachineName), ("@pid", Environment.ProcessId), ("@now", Now)).ConfigureAwait(false);
    }

    /// <summary>Marks runs of dead servers interrupted; returns how many. Their timeline comes from the engine's run file when this host has it.</summary>
    public async Task<int> SweepInterruptedAsync(CancellationToken ct = default)
    {
        await using var conn = await _store.OpenAsync(ct).ConfigureAwait(false);
        var dead = new List<(string Run, string? Path)>();
        await using (var cmd = StoreCommands.Command(conn, """
            SELECT r.id, r.trajectory_path, i.host, i.pid, i.seen_ms FROM orchestra_runs r LEFT JOIN orchestra_instances i ON i.id = r.instance
            WHERE r.status = 'running' AND r.instance <> @me
            """, ("@me", Instance)))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var gone = r.IsDBNull(2) || r.GetInt64(4) < Now - (long)Stale.TotalMilliseconds
                    || (r.GetString(2) == Environment.MachineName && !ProcessAlive(r.GetInt32(3)));
                if (gone) dead.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)));
            }
        foreach (var (run, path) in dead)
        {
            var timeline = path is not null && File.Exists(path) ? Timeline(RunStore.Load(path)).ToJsonString() : null;
            await StoreCommands.ExecuteAsync(conn, """
                UPDATE orchestra_runs SET status = 'interrupted', ended_ms = @now, stop_detail = 'the server stopped mid-run (killed or crashed); spend is what its calls booked',
                  timeline = COALESCE(CAST(@timeline AS TEXT), timeline) WHERE id = @id AND status = 'running'
                """, ct, ("@now", Now), ("@timeline", timeline), ("@id", run)).ConfigureAwait(false);
        }
        return dead.Count;
    }

    private static bool ProcessAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes the run's row (status running) and checks the key's rate and concurrency against every replica's rows,
    /// counting this one: written first, then counted, so two racing requests can both be refused but never both pass
    /// the limit. Returns the refusal, or null when admitted (a refused run's row is removed).
    /// </summary>
    public async Task<RunRefusal?> AdmitAsync(string runId, string? keyId, string? keyName, string model, string problem, bool stream, string? trajectoryPath,
        int? rpm, int? concurrency, CancellationToken ct = default, DbConnection? shared = null)
    {
        var (conn, owned) = await UseAsync(shared, ct).ConfigureAwait(false);
        await using var _ = owned ? conn : null;
        var now = Now;
        await StoreCommands.ExecuteAsync(conn, """
            INSERT INTO orchestra_runs (id, key_id, key_name, model, instance, status, started_ms, stream, problem, trajectory_path)
            VALUES (@id, @key, @name, @model, @instance, 'running', @now, @stream, @problem, @path)
            """, ct, ("@id", runId), ("@key", keyId), ("@name", keyName), ("@model", model), ("@instance", Instance), ("@now", now),
            ("@stream", stream ? 1 : 0), ("@problem", problem), ("@path", trajectoryPath)).ConfigureAwait(false);
        if (keyId is null) return null;
        RunRefusal? refusal = null;
        if (rpm is { } perMinute)
        {
            var recent = Convert.ToInt64(await StoreCommands.ScalarAsync(conn, "SELECT COUNT(*) FROM orchestra_runs WHERE key_id = @k AND started_ms > @since", ct,
                ("@k", keyId), ("@since", now - 60_000)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (recent > perMinute)
            {
                // The window frees when its oldest run is a minute old.
                var oldest = Convert.ToInt64(await StoreCommands.ScalarAsync(conn, "SELECT MIN(started_ms) FROM orchestra_runs WHERE key_id = @k AND started_ms > @since AND id <> @id", ct,
                    ("@k", keyId), ("@since", now - 60_000), ("@id", runId)).ConfigureAwait(false) is { } v and not DBNull ? v : now, CultureInfo.InvariantCulture);
                var wait = (int)Math.Clamp((oldest + 60_000 - now + 999) / 1000, 1, 60);
                refusal = new($"key '{keyName}' is over its rate limit of {perMinute} requests per minute; retry in {wait} s.", wait);
            }
        }
        if (refusal is null && concurrency is { } most)
        {
            var running = Convert.ToInt64(await StoreCommands.ScalarAsync(conn, "SELECT COUNT(*) FROM orchestra_runs WHERE key_id = @k AND status = 'running'", ct,
                ("@k", keyId)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            // When one of them ends is unknown: a short wait, as clients back off further on a second 429.
            if (running > most) refusal = new($"key '{keyName}' already has {most} runs in progress (its concurrency limit); wait for one to finish.", RunRefusal.BusyRetrySeconds);
        }
        if (refusal is not null)
            await StoreCommands.ExecuteAsync(conn, "DELETE FROM orchestra_runs WHERE id = @id", ct, ("@id", runId)).ConfigureAwait(false);
        return refusal;
    }

    /// <summary>Books one paid call of a run as the engine reports it.</summary>
    public async Task BookAsync(string runId, int seq, string? keyId, string model, LedgerEntry call, DbConnection? shared = null)
    {
        var pico = Money.ToPico(call.CostUsd);
        var (conn, owned) = await UseAsync(shared, CancellationToken.None).ConfigureAwait(false);
        await using var _ = owned ? conn : null;
        await using var tx = await conn.BeginTransactionAsync().ConfigureAwait(false);
        await using (var insert = StoreCommands.Command(conn, """
            INSERT INTO orchestra_calls (run_id, seq, key_id, model_profile, at_ms, turn, kind, tool, alias, model, input_tokens, output_tokens, cost_pusd, latency_s)
            VALUES (@run, @seq, @key, @profile, @at, @turn, @kind, @tool, @alias, @model, @in, @out, @cost, @lat)
            """, ("@run", runId), ("@seq", seq), ("@key", keyId), ("@profile", model), ("@at", Now), ("@turn", call.Turn),
            ("@kind", Snake(call.Kind.ToString())), ("@tool", call.Tool), ("@alias", call.Alias), ("@model", call.Model),
            ("@in", call.InputTokens), ("@out", call.OutputTokens), ("@cost", pico), ("@lat", call.LatencySeconds)))
        {
            insert.Transaction = tx;
            await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        await using (var update = StoreCommands.Command(conn, """
            UPDATE orchestra_runs SET cost_pusd = cost_pusd + @cost, calls = calls + 1, input_tokens = input_tokens + @in,
              output_tokens = output_tokens + @out, latency_s = latency_s + @lat WHERE id = @run
            """, ("@cost", pico), ("@in", call.InputTokens), ("@out", call.OutputTokens), ("@lat", call.ToolSeconds), ("@run", runId)))
        {
            update.Transaction = tx;
            await update.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        await tx.CommitAsync().ConfigureAwait(false);
    }

    /// <summary>Ends a run with the engine's result: the totals are the ledger's, written over the running sums.</summary>
    public async Task FinishAsync(string runId, OrchestrationResult result, bool clientGone, DbConnection? shared = null)
    {
        var (conn, owned) = await UseAsync(shared, CancellationToken.None).ConfigureAwait(false);
        await using var _ = owned ? conn : null;
        await StoreCommands.ExecuteAsync(conn, """
            UPDATE orchestra_runs SET status = @status, ended_ms = @now, answer = @answer, stop_reason = @stop, stop_detail = @detail,
              cost_pusd = @cost, latency_s = @lat, wall_s = @wall, input_tokens = @in, output_tokens = @out, calls = @calls, turns = @turns, timeline = @timeline
            WHERE id = @id
            """, CancellationToken.None, ("@status", clientGone ? Cancelled : Completed), ("@now", Now), ("@answer", result.Answer),
            ("@stop", Snake(result.StopReason.ToString())), ("@detail", SecretRedactor.RedactOrNull(result.StopDetail)), ("@cost", Money.ToPico(result.CostUsd)),
            ("@lat", result.LatencySeconds), ("@wall", result.WallSeconds), ("@in", result.InputTokens), ("@out", result.OutputTokens),
            ("@calls", result.Calls.Count), ("@turns", result.Trajectory.Turns.Count), ("@timeline", SecretRedactor.Redact(Timeline(result.Trajectory).ToJsonString())), ("@id", runId)).ConfigureAwait(false);
    }

    /// <summary>
    /// The connection to write with: the caller's, when it keeps one open for a whole run (on SQLite each open runs the
    /// store's PRAGMAs, a large share of a fast run's bookkeeping), else a fresh one from the pool that the caller disposes.
    /// </summary>
    private async Task<(DbConnection Connection, bool Owned)> UseAsync(DbConnection? shared, CancellationToken ct) =>
        shared is not null ? (shared, false) : (await _store.OpenAsync(ct).ConfigureAwait(false), true);

    /// <summary>A connection a run's writes may share, or null where opening per write is as cheap (PostgreSQL's pool).</summary>
    public async Task<DbConnection?> OpenForRunAsync(CancellationToken ct) =>
        _store.Location.Kind == StoreKind.Sqlite ? await _store.OpenAsync(ct).ConfigureAwait(false) : null;

    /// <summary>Ends a run that failed before the engine produced a result (bad input found by the engine, a bug).</summary>
    public async Task FailAsync(string runId, string status, string detail)
    {
        await using var conn = await _store.OpenAsync().ConfigureAwait(false);
        await StoreCommands.ExecuteAsync(conn, "UPDATE orchestra_runs SET status = @status, ended_ms = @now, stop_reason = 'error', stop_detail = @detail WHERE id = @id",
            CancellationToken.None, ("@status", status), ("@now", Now), ("@detail", SecretRedactor.Redact(detail)), ("@id", runId)).ConfigureAwait(false);
    }

    /// <summary>What the dashboard shows of a run's turns: the call, the observation (cut), the error and each turn's ledger.</summary>
    public static JsonArray Timeline(Trajectory t) => new(t.Turns.Select(turn => (JsonNode)new JsonObject
    {
        ["turn"] = turn.Turn,
        ["tool"] = turn.Call?.Name,
        ["alias"] = turn.Call?.Alias,
        ["arguments"] = turn.Call?.ArgumentsJson,
        ["observation"] = turn.Observation is { Length: > 2000 } o ? o[..2000] + "…" : turn.Observation,
        ["error"] = turn.Error,
        ["calls"] = JsonSerializer.SerializeToNode(turn.Ledger, OrchestraJson.Compact),
    }).ToArray());

    internal static string Snake(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}

/// <summary>Why a run was not admitted (a key's rate or concurrency limit) and when a retry can succeed, for <c>Retry-After</c>.</summary>
public sealed record RunRefusal(string Message, int RetryAfterSeconds)
{
    /// <summary>The wait suggested when a key's run slots are full: when one frees is unknown.</summary>
    public const int BusyRetrySeconds = 2;
}
