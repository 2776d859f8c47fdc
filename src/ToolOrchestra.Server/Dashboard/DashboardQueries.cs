using ToolOrchestra.Runtime.Storage;
using System.Data.Common;
using System.Text.Json.Nodes;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Server.Keys;

namespace ToolOrchestra.Server.Dashboard;

/// <summary>What the dashboard reads from the server store: runs (filtered), one run with its calls and timeline, spend per key, model and day, call share per alias.</summary>
internal sealed class DashboardQueries(ServerStore store)
{
    private const string RunColumns = "id, key_id, key_name, model, status, started_ms, ended_ms, stop_reason, stop_detail, cost_pusd, latency_s, wall_s, input_tokens, output_tokens, calls, turns, problem, answer, stream";

    public async Task<JsonArray> RunsAsync(string? key, string? model, string? stop, int limit, CancellationToken ct)
    {
        var where = new List<string>();
        var args = new List<(string, object?)>();
        if (!string.IsNullOrEmpty(key)) { where.Add("(key_id = @key OR key_name = @key)"); args.Add(("@key", key)); }
        if (!string.IsNullOrEmpty(model)) { where.Add("model = @model"); args.Add(("@model", model)); }
        if (!string.IsNullOrEmpty(stop)) { where.Add("(stop_reason = @stop OR status = @stop)"); args.Add(("@stop", stop)); }
        args.Add(("@limit", limit));
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        var sql = $"SELECT {RunColumns} FROM orchestra_runs {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY started_ms DESC, id DESC LIMIT @limit";
        return await RowsAsync(conn, sql, ct, args.ToArray(), Run).ConfigureAwait(false);
    }

    public async Task<JsonObject?> RunAsync(string id, CancellationToken ct)
    {
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        var runs = await RowsAsync(conn, $"SELECT {RunColumns}, timeline FROM orchestra_runs WHERE id = @id", ct, [("@id", id)], r =>
        {
            var run = Run(r);
            run["timeline"] = r.IsDBNull(19) ? new JsonArray() : JsonNode.Parse(r.GetString(19));
            return run;
        }).ConfigureAwait(false);
        if (runs.Count == 0) return null;
        var run = runs[0]!.AsObject();
        run["ledger"] = await RowsAsync(conn, "SELECT seq, turn, kind, tool, alias, model, input_tokens, output_tokens, cost_pusd, latency_s, at_ms FROM orchestra_calls WHERE run_id = @id ORDER BY seq", ct,
            [("@id", id)], r => new JsonObject
            {
                ["seq"] = r.GetInt32(0), ["turn"] = r.GetInt32(1), ["kind"] = r.GetString(2), ["tool"] = r.GetString(3),
                ["alias"] = r.IsDBNull(4) ? null : r.GetString(4), ["model"] = r.IsDBNull(5) ? null : r.GetString(5),
                ["input_tokens"] = r.GetInt64(6), ["output_tokens"] = r.GetInt64(7), ["cost_usd"] = Money.FromPico(r.GetInt64(8)),
                ["latency_s"] = r.GetDouble(9), ["at_ms"] = r.GetInt64(10),
            }).ConfigureAwait(false);
        return run;
    }

    /// <summary>Spend per key, model and UTC day; model calls and dollars per alias; tool executions and dollars per tool.</summary>
    public async Task<JsonObject> SpendAsync(CancellationToken ct)
    {
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        var perDay = await RowsAsync(conn, """
            SELECT c.at_ms / 86400000 AS day, COALESCE(k.name, '(no key)'), c.model_profile, SUM(c.cost_pusd), COUNT(*), COUNT(DISTINCT c.run_id)
            FROM orchestra_calls c LEFT JOIN orchestra_keys k ON k.id = c.key_id
            GROUP BY c.at_ms / 86400000, COALESCE(k.name, '(no key)'), c.model_profile ORDER BY 1 DESC, 2, 3
            """, ct, [], r => new JsonObject
            {
                ["day"] = DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r.GetValue(0)) * 86_400_000).ToString("yyyy-MM-dd"),
                ["key"] = r.GetString(1), ["model"] = r.GetString(2), ["cost_usd"] = Money.FromPico(Money.PicoFrom(r.GetValue(3))),
                ["calls"] = Convert.ToInt64(r.GetValue(4)), ["runs"] = Convert.ToInt64(r.GetValue(5)),
            }).ConfigureAwait(false);
        // Grouped by what CallCount reads, then folded by its rule: model calls per alias, tool executions apart.
        var groups = new List<(CountedCall Counted, long Calls, long Pico)>();
        await using (var cmd = StoreCommands.Command(conn, """
            SELECT kind, tool, alias, model, COUNT(*), SUM(cost_pusd) FROM orchestra_calls GROUP BY kind, tool, alias, model
            """, []))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                groups.Add((CallCount.Of(r.GetString(0) == CallCount.Orchestrator, r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)),
                    Convert.ToInt64(r.GetValue(4)), Money.PicoFrom(r.GetValue(5))));
        JsonArray Counts(bool modelCalls, string nameKey)
        {
            var rows = groups.Where(g => g.Counted.IsModelCall == modelCalls).GroupBy(g => g.Counted.Name, StringComparer.Ordinal)
                .Select(g => (Name: g.Key, Calls: g.Sum(x => x.Calls), Pico: g.Sum(x => x.Pico)))
                .OrderByDescending(x => x.Calls).ThenBy(x => x.Name, StringComparer.Ordinal).ToList();
            var total = rows.Sum(x => x.Calls);
            return new JsonArray(rows.Select(x => (JsonNode?)new JsonObject
            {
                [nameKey] = x.Name, ["calls"] = x.Calls, ["cost_usd"] = Money.FromPico(x.Pico),
                ["share"] = total == 0 ? 0 : Math.Round(x.Calls * 100.0 / total, 1),
            }).ToArray());
        }
        var perAlias = Counts(modelCalls: true, "alias");
        var perTool = Counts(modelCalls: false, "tool");
        return new JsonObject { ["per_key_model_day"] = perDay, ["per_alias"] = perAlias, ["per_tool"] = perTool };
    }

    /// <summary>Every key's limits and budget state: spent today and in total, what is left, runs in progress.</summary>
    public async Task<JsonArray> KeysAsync(KeyStore keys, CancellationToken ct)
    {
        var result = new JsonArray();
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        foreach (var k in await keys.ListAsync(ct).ConfigureAwait(false))
        {
            var (today, total) = await keys.SpendAsync(k.Id, ct).ConfigureAwait(false);
            var running = Convert.ToInt64(await StoreCommands.ScalarAsync(conn, "SELECT COUNT(*) FROM orchestra_runs WHERE key_id = @k AND status = 'running'", ct, ("@k", k.Id)).ConfigureAwait(false));
            result.Add(new JsonObject
            {
                ["id"] = k.Id, ["name"] = k.Name, ["prefix"] = k.Prefix, ["revoked"] = k.IsRevoked, ["admin"] = k.Admin,
                ["daily_usd"] = k.DailyUsd, ["total_usd"] = k.TotalUsd, ["rpm"] = k.RequestsPerMinute, ["concurrency"] = k.ConcurrentRuns,
                ["aliases"] = k.Aliases is null ? null : new JsonArray(k.Aliases.Select(a => (JsonNode)a).ToArray()),
                ["spent_today_usd"] = today, ["spent_total_usd"] = total,
                ["left_today_usd"] = k.DailyUsd is { } d ? Math.Max(0, d - today) : null,
                ["left_total_usd"] = k.TotalUsd is { } t ? Math.Max(0, t - total) : null,
                ["running"] = running,
            });
        }
        return result;
    }

    private static JsonObject Run(DbDataReader r) => new()
    {
        ["id"] = r.GetString(0), ["key_id"] = r.IsDBNull(1) ? null : r.GetString(1), ["key"] = r.IsDBNull(2) ? null : r.GetString(2),
        ["model"] = r.GetString(3), ["status"] = r.GetString(4),
        ["started"] = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)).ToString("yyyy-MM-dd HH:mm:ss"),
        ["ended"] = r.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)).ToString("yyyy-MM-dd HH:mm:ss"),
        ["stop_reason"] = r.IsDBNull(7) ? null : r.GetString(7), ["stop_detail"] = r.IsDBNull(8) ? null : r.GetString(8),
        ["cost_usd"] = Money.FromPico(r.GetInt64(9)), ["latency_s"] = r.GetDouble(10), ["wall_s"] = r.GetDouble(11),
        ["input_tokens"] = r.GetInt64(12), ["output_tokens"] = r.GetInt64(13), ["calls"] = r.GetInt32(14), ["turns"] = r.GetInt32(15),
        ["problem"] = r.GetString(16), ["answer"] = r.IsDBNull(17) ? null : r.GetString(17), ["stream"] = r.GetInt32(18) != 0,
    };

    private static async Task<JsonArray> RowsAsync(DbConnection conn, string sql, CancellationToken ct, (string, object?)[] args, Func<DbDataReader, JsonNode> row)
    {
        await using var cmd = StoreCommands.Command(conn, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var rows = new JsonArray();
        while (await r.ReadAsync(ct).ConfigureAwait(false)) rows.Add(row(r));
        return rows;
    }
}
