using ToolOrchestra.Environments.Qa;
using System.Data.Common;
using System.Globalization;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Evaluation.Store;

/// <summary>
/// The evaluation store: runs, their samples and the judge's cached verdicts, in SQLite (embedded default) or
/// PostgreSQL (several shards writing to one store). Every sample is one upsert, committed on its own, so a kill -9
/// loses only the samples in flight; reruns read <see cref="SampleStatesAsync"/> to skip finished work.
/// Types are chosen to mean the same in both engines (DOUBLE PRECISION, BIGINT; dollars as exact decimal text).
/// </summary>
public sealed class EvalStore : IAsyncDisposable, IVerdictCache
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS eval_runs (
            run_id TEXT PRIMARY KEY, benchmark TEXT NOT NULL, setup TEXT NOT NULL, orchestrator TEXT NOT NULL,
            config TEXT NOT NULL, protocol TEXT, settings TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS eval_samples (
            run_id TEXT NOT NULL, sample_id TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL, shard TEXT,
            task_id TEXT, answer TEXT, gold TEXT, correct BIGINT, reward DOUBLE PRECISION, verdict_source TEXT,
            cost_usd TEXT NOT NULL, judge_cost_usd TEXT NOT NULL, tool_seconds DOUBLE PRECISION NOT NULL,
            wall_seconds DOUBLE PRECISION NOT NULL, turns BIGINT NOT NULL, stop_reason TEXT, error TEXT,
            calls TEXT NOT NULL, trajectory TEXT, updated_at TEXT NOT NULL,
            PRIMARY KEY (run_id, sample_id));
        CREATE TABLE IF NOT EXISTS judge_cache (
            cache_key TEXT PRIMARY KEY, correct BIGINT NOT NULL, model TEXT NOT NULL, cost_usd TEXT NOT NULL, raw TEXT);
        """;

    private const long SchemaLock = 0x4556414c53544f52; // "EVALSTOR"

    private const string SampleColumns = "run_id, sample_id, status, attempts, shard, task_id, answer, gold, correct, reward, " +
        "verdict_source, cost_usd, judge_cost_usd, tool_seconds, wall_seconds, turns, stop_reason, error, calls, trajectory, updated_at";

    /// <summary>The columns aggregate reports read, in <see cref="SampleColumns"/>' order (NULL for the rest).</summary>
    private const string ReportColumns = "run_id, sample_id, status, attempts, shard, task_id, NULL, NULL, correct, reward, " +
        "verdict_source, cost_usd, judge_cost_usd, tool_seconds, wall_seconds, turns, stop_reason, error, calls, NULL, NULL";

    private readonly DbConnection _conn;
    private readonly SemaphoreSlim _gate = new(1, 1); // one connection, many concurrent samples

    private EvalStore(StoreLocation location, DbConnection conn)
    {
        Location = location;
        _conn = conn;
    }

    public StoreLocation Location { get; }

    public static async Task<EvalStore> OpenAsync(StoreLocation location, CancellationToken ct = default)
    {
        var conn = await location.OpenAsync(ct);
        var store = new EvalStore(location, conn);
        // Shards opening one PostgreSQL store at once would race on CREATE TABLE IF NOT EXISTS (a duplicate pg_type
        // row): they take turns under a transaction-scoped advisory lock.
        await store.ExecuteAsync(location.Kind == StoreKind.Postgres
            ? $"BEGIN; SELECT pg_advisory_xact_lock({SchemaLock}); {Schema} COMMIT;" : Schema, ct);
        return store;
    }

    /// <summary>
    /// Records a run, or checks that an existing run with this id was made with the same benchmark, setup,
    /// orchestrator and settings (a rerun resumes it; anything else would mix two experiments under one name).
    /// </summary>
    public async Task BeginRunAsync(EvalRunInfo run, CancellationToken ct = default)
    {
        var existing = (await LoadRunsAsync(ct)).FirstOrDefault(r => r.RunId == run.RunId);
        if (existing is null)
        {
            await ExecuteAsync("INSERT INTO eval_runs (run_id, benchmark, setup, orchestrator, config, protocol, settings, created_at) " +
                               "VALUES (@id, @b, @s, @o, @c, @p, @set, @at) ON CONFLICT (run_id) DO NOTHING", ct,
                ("id", run.RunId), ("b", run.Benchmark), ("s", run.Setup), ("o", run.Orchestrator), ("c", run.Config),
                ("p", run.Protocol), ("set", run.SettingsJson), ("at", run.CreatedAt.ToString("O")));
            return;
        }
        if (existing.Benchmark != run.Benchmark || existing.Setup != run.Setup || existing.Orchestrator != run.Orchestrator
            || existing.SettingsJson != run.SettingsJson || existing.Protocol != run.Protocol)
            throw new UserError($"run '{run.RunId}' in {Location} was made with other settings " +
                                $"({existing.Benchmark}/{existing.Setup}/{existing.Orchestrator}); rerun with those settings to resume it, or choose another --run-id.");
    }

    public async Task<IReadOnlyList<EvalRunInfo>> LoadRunsAsync(CancellationToken ct = default)
    {
        var runs = new List<EvalRunInfo>();
        await QueryAsync("SELECT run_id, benchmark, setup, orchestrator, config, protocol, settings, created_at FROM eval_runs ORDER BY created_at, run_id",
            r => runs.Add(new EvalRunInfo(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6), DateTimeOffset.Parse(r.GetString(7), CultureInfo.InvariantCulture))), ct);
        return runs;
    }

    /// <summary>Each stored sample's status and attempts, so a rerun skips done samples and retries failed ones.</summary>
    public async Task<IReadOnlyDictionary<string, (string Status, int Attempts)>> SampleStatesAsync(string runId, CancellationToken ct = default)
    {
        var states = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        await QueryAsync("SELECT sample_id, status, attempts FROM eval_samples WHERE run_id = @r",
            r => states[r.GetString(0)] = (r.GetString(1), Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture)), ct, ("r", runId));
        return states;
    }

    /// <summary>Writes one sample (insert or replace), committed before it returns.</summary>
    public Task SaveSampleAsync(EvalSample s, CancellationToken ct = default) =>
        ExecuteAsync($"INSERT INTO eval_samples ({SampleColumns}) VALUES (@run, @sample, @status, @attempts, @shard, @task, @answer, @gold, " +
                     "@correct, @reward, @vs, @cost, @jcost, @tool, @wall, @turns, @stop, @error, @calls, @traj, @at) " +
                     "ON CONFLICT (run_id, sample_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, shard = excluded.shard, " +
                     "task_id = excluded.task_id, answer = excluded.answer, gold = excluded.gold, correct = excluded.correct, reward = excluded.reward, " +
                     "verdict_source = excluded.verdict_source, cost_usd = excluded.cost_usd, judge_cost_usd = excluded.judge_cost_usd, " +
                     "tool_seconds = excluded.tool_seconds, wall_seconds = excluded.wall_seconds, turns = excluded.turns, " +
                     "stop_reason = excluded.stop_reason, error = excluded.error, calls = excluded.calls, trajectory = excluded.trajectory, " +
                     "updated_at = excluded.updated_at", ct,
            ("run", s.RunId), ("sample", s.SampleId), ("status", s.Status), ("attempts", (long)s.Attempts), ("shard", s.Shard),
            ("task", s.TaskId), ("answer", s.Answer), ("gold", s.Gold), ("correct", s.Correct is { } c ? (c ? 1L : 0L) : null),
            ("reward", s.Reward), ("vs", s.VerdictSource), ("cost", Money(s.CostUsd)), ("jcost", Money(s.JudgeCostUsd)),
            ("tool", s.ToolSeconds), ("wall", s.WallSeconds), ("turns", (long)s.Turns), ("stop", s.StopReason),
            // The free text a sample carries may quote an upstream error that echoed an API key.
            ("error", SecretRedactor.RedactOrNull(s.Error)), ("calls", s.CallsJson), ("traj", SecretRedactor.RedactOrNull(s.TrajectoryJson)),
            ("at", s.UpdatedAt.ToString("O")));

    /// <summary>A run's samples in sample-id order; trajectories only when asked (reports over 100k samples skip them).</summary>
    public async Task<IReadOnlyList<EvalSample>> LoadSamplesAsync(string runId, bool withTrajectories = false, CancellationToken ct = default)
    {
        var columns = withTrajectories ? SampleColumns : SampleColumns.Replace("trajectory", "NULL", StringComparison.Ordinal);
        var samples = new List<EvalSample>();
        await QueryAsync($"SELECT {columns} FROM eval_samples WHERE run_id = @r ORDER BY sample_id", r => samples.Add(ReadSample(r)), ct, ("r", runId));
        return samples;
    }

    /// <summary>
    /// A run's samples one at a time, in sample-id order, without holding them all: reports over 100k samples stream
    /// them through their aggregates. Without trajectories, <c>Answer</c>, <c>Gold</c> and <c>UpdatedAt</c> are not read
    /// either. The store's connection is held until the enumeration ends.
    /// </summary>
    public async IAsyncEnumerable<EvalSample> StreamSamplesAsync(string runId, bool withTrajectories = false,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        // Without trajectories, the answer, gold and timestamp are left out too: updated_at lies past the trajectory in
        // each row, so reading it would walk every trajectory's overflow pages (most of a 100k-sample store).
        var columns = withTrajectories ? SampleColumns : ReportColumns;
        await _gate.WaitAsync(ct);
        try
        {
            await using var cmd = StoreCommands.Command(_conn, $"SELECT {columns} FROM eval_samples WHERE run_id = @r ORDER BY sample_id", [("r", runId)]);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) yield return ReadSample(reader);
        }
        finally { _gate.Release(); }
    }

    public async Task<JudgeVerdict?> FindVerdictAsync(string key, CancellationToken ct = default)
    {
        JudgeVerdict? found = null;
        await QueryAsync("SELECT cache_key, correct, model, cost_usd, raw FROM judge_cache WHERE cache_key = @k",
            r => found = ReadVerdict(r), ct, ("k", key));
        return found;
    }

    /// <summary>Every cached verdict (for merging shard stores).</summary>
    public async Task<IReadOnlyList<JudgeVerdict>> LoadVerdictsAsync(CancellationToken ct = default)
    {
        var all = new List<JudgeVerdict>();
        await QueryAsync("SELECT cache_key, correct, model, cost_usd, raw FROM judge_cache ORDER BY cache_key",
            r => all.Add(ReadVerdict(r)), ct);
        return all;
    }

    public Task SaveVerdictAsync(JudgeVerdict v, CancellationToken ct = default) =>
        ExecuteAsync("INSERT INTO judge_cache (cache_key, correct, model, cost_usd, raw) VALUES (@k, @c, @m, @cost, @raw) ON CONFLICT (cache_key) DO NOTHING",
            ct, ("k", v.Key), ("c", v.Correct ? 1L : 0L), ("m", v.Model), ("cost", Money(v.CostUsd)), ("raw", v.Raw));

    public async ValueTask DisposeAsync()
    {
        await _conn.DisposeAsync();
        _gate.Dispose();
    }

    private static EvalSample ReadSample(DbDataReader r) => new(r.GetString(0), r.GetString(1))
    {
        Status = r.GetString(2),
        Attempts = Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture),
        Shard = Text(r, 4),
        TaskId = Text(r, 5),
        Answer = Text(r, 6),
        Gold = Text(r, 7),
        Correct = r.IsDBNull(8) ? null : Convert.ToInt64(r.GetValue(8), CultureInfo.InvariantCulture) != 0,
        Reward = r.IsDBNull(9) ? null : r.GetDouble(9),
        VerdictSource = Text(r, 10),
        CostUsd = decimal.Parse(r.GetString(11), CultureInfo.InvariantCulture),
        JudgeCostUsd = decimal.Parse(r.GetString(12), CultureInfo.InvariantCulture),
        ToolSeconds = r.GetDouble(13),
        WallSeconds = r.GetDouble(14),
        Turns = Convert.ToInt32(r.GetValue(15), CultureInfo.InvariantCulture),
        StopReason = Text(r, 16),
        Error = Text(r, 17),
        CallsJson = r.GetString(18),
        TrajectoryJson = Text(r, 19),
        UpdatedAt = r.IsDBNull(20) ? default : DateTimeOffset.Parse(r.GetString(20), CultureInfo.InvariantCulture),
    };

    private static JudgeVerdict ReadVerdict(DbDataReader r) => new(r.GetString(0),
        Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture) != 0, r.GetString(2), decimal.Parse(r.GetString(3), CultureInfo.InvariantCulture), Text(r, 4));

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static string Money(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    private async Task ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var cmd = StoreCommands.Command(_conn, sql, args);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        finally { _gate.Release(); }
    }

    private async Task QueryAsync(string sql, Action<DbDataReader> row, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var cmd = StoreCommands.Command(_conn, sql, args);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) row(reader);
        }
        finally { _gate.Release(); }
    }
}
