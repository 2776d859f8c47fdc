using System.Data.Common;
using System.Globalization;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Server.Keys;

/// <summary>
/// A key's daily and total budgets as the shared account its runs draw on. A run's grant (its row's
/// <c>reserved_pusd</c>) covers what it has committed: its spend plus the worst case of the call it is about to make. A
/// grant grows only if everything the key has booked, plus every other running run's unspent grant, plus this one, stays
/// within each budget; the check and the grant are one transaction holding the key's lock (SQLite's write lock, a
/// <c>FOR UPDATE</c> row lock on PostgreSQL), so concurrent runs on every replica of a shared store cannot together
/// cross a budget. A run's grant stops counting once the run ends (or is swept as interrupted).
/// </summary>
internal sealed class KeyAccount(ServerStore store, ApiKey key, string runId, TimeProvider clock) : ISpendAccount
{
    /// <summary>How long a client refused because other runs hold the rest of the budget should wait: they settle as they end.</summary>
    public static readonly TimeSpan InFlightRetry = TimeSpan.FromSeconds(2);

    /// <summary>How long a client of a key whose total budget is spent should wait (until someone raises it: a new key).</summary>
    public static readonly TimeSpan SpentRetry = TimeSpan.FromHours(1);

    /// <summary>What running runs hold beyond what they have spent, summed over the rows of <c>orchestra_runs</c> chosen.</summary>
    internal const string UnspentGrants = "COALESCE(SUM(CASE WHEN reserved_pusd > cost_pusd THEN reserved_pusd - cost_pusd ELSE 0 END), 0)";

    private long _granted;

    /// <summary>The last refusal, so the server can answer a run refused before any paid call as the key's 429.</summary>
    public BudgetExhaustedException? LastRefusal { get; private set; }

    /// <summary>Whether the run's own dollar budget is what the key had left at admission (not a smaller one the caller asked for).</summary>
    public bool BindsRun { get; init; }

    /// <summary>When the key may have room again, as seen at admission.</summary>
    public TimeSpan RetryAfterAdmission { get; init; } = SpentRetry;

    public async ValueTask CoverAsync(decimal committedUsd, decimal worstCaseUsd, CancellationToken ct)
    {
        var need = Money.ToPico(committedUsd);
        if (need <= Volatile.Read(ref _granted)) return;
        var deadline = clock.GetUtcNow() + MaxWait;
        var waiting = false;
        // A call that would fit once other runs' holds settle waits for them (they release as their calls are billed,
        // usually far below their worst case) rather than being refused at once; past MaxWait it is refused.
        while (!await TryGrantAsync(need, committedUsd, ct).ConfigureAwait(false))
        {
            if (clock.GetUtcNow() >= deadline) throw LastRefusal!;
            if (!waiting)
            {
                // While it waits, this run holds only what it has committed before this call: the slack of its earlier
                // calls (worst case over actual) must not keep the others waiting in turn.
                await ShrinkAsync(Money.ToPico(committedUsd - worstCaseUsd), ct).ConfigureAwait(false);
                waiting = true;
            }
            await Task.Delay(Poll, clock, ct).ConfigureAwait(false);
        }
        Volatile.Write(ref _granted, need);
        LastRefusal = null;
    }

    /// <summary>How long a call waits for other runs' holds to settle before it is refused.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Grants <paramref name="need"/> when it fits; false when it would fit once other runs' holds settle (retry);
    /// throws when it cannot fit even then.
    /// </summary>
    private async Task<bool> TryGrantAsync(long need, decimal committedUsd, CancellationToken ct)
    {
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (store.Location.Kind == StoreKind.Postgres)
            await ScalarAsync(conn, tx, "SELECT id FROM orchestra_keys WHERE id = @k FOR UPDATE", ct, ("@k", key.Id)).ConfigureAwait(false);
        var dayStart = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        long total, today, mine, mineToday;
        await using (var cmd = StoreCommands.Command(conn, """
            SELECT COALESCE(SUM(cost_pusd), 0), COALESCE(SUM(CASE WHEN at_ms >= @day THEN cost_pusd ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN run_id = @me THEN cost_pusd ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN run_id = @me AND at_ms >= @day THEN cost_pusd ELSE 0 END), 0)
            FROM orchestra_calls WHERE key_id = @k
            """, ("@day", dayStart.ToUnixTimeMilliseconds()), ("@me", runId), ("@k", key.Id)))
        {
            cmd.Transaction = tx;
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await r.ReadAsync(ct).ConfigureAwait(false);
            (total, today, mine, mineToday) = (Money.PicoFrom(r.GetValue(0)), Money.PicoFrom(r.GetValue(1)), Money.PicoFrom(r.GetValue(2)), Money.PicoFrom(r.GetValue(3)));
        }
        var othersHeld = Money.PicoFrom(await ScalarAsync(conn, tx,
            $"SELECT {UnspentGrants} FROM orchestra_runs WHERE key_id = @k AND status = 'running' AND id <> @me", ct, ("@k", key.Id), ("@me", runId)).ConfigureAwait(false));
        if (key.TotalUsd is { } totalUsd && total - mine + othersHeld + need > Money.ToPico(totalUsd))
        {
            LastRefusal = Refusal(total - mine + othersHeld, othersHeld, totalUsd, committedUsd, "total budget", othersHeld > 0 ? InFlightRetry : SpentRetry);
            return othersHeld > 0 && total - mine + need <= Money.ToPico(totalUsd) ? false : throw LastRefusal;
        }
        if (key.DailyUsd is { } dailyUsd && today - mineToday + othersHeld + need > Money.ToPico(dailyUsd))
        {
            LastRefusal = Refusal(today - mineToday + othersHeld, othersHeld, dailyUsd, committedUsd, "daily budget",
                othersHeld > 0 ? InFlightRetry : Admission.UntilMidnight(clock));
            return othersHeld > 0 && today - mineToday + need <= Money.ToPico(dailyUsd) ? false : throw LastRefusal;
        }
        await using (var update = StoreCommands.Command(conn, "UPDATE orchestra_runs SET reserved_pusd = @need WHERE id = @me",
            ("@need", need), ("@me", runId)))
        {
            update.Transaction = tx;
            await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    private async Task ShrinkAsync(long floor, CancellationToken ct)
    {
        await using var conn = await store.OpenAsync(ct).ConfigureAwait(false);
        await StoreCommands.ExecuteAsync(conn, "UPDATE orchestra_runs SET reserved_pusd = @floor WHERE id = @me AND reserved_pusd > @floor", ct,
            ("@floor", floor), ("@me", runId)).ConfigureAwait(false);
        Volatile.Write(ref _granted, Math.Min(Volatile.Read(ref _granted), floor));
    }

    private BudgetExhaustedException Refusal(long othersPico, long heldPico, decimal budgetUsd, decimal committedUsd, string which, TimeSpan retry) =>
        new(Money.FromPico(othersPico), budgetUsd, committedUsd,
            $"{which} of key '{key.Name}'{(heldPico > 0 ? $" (${Money.FromPico(heldPico).ToString("0.##########", CultureInfo.InvariantCulture)} of it held by the key's runs in progress)" : "")}",
            retry);

    private static async Task<object?> ScalarAsync(DbConnection conn, DbTransaction tx, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = StoreCommands.Command(conn, sql, args);
        cmd.Transaction = tx;
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }
}
