namespace ToolOrchestra.Server;

/// <summary>
/// Dollars in the store as whole pico-dollars (10⁻¹² $) in a BIGINT, so SQL sums over many calls are exact in both
/// SQLite and PostgreSQL (REAL would drift) and a ledger's decimal round-trips for any price given to 6 decimals per million tokens.
/// </summary>
internal static class Money
{
    private const decimal PerDollar = 1_000_000_000_000m;

    public static long ToPico(decimal usd) => (long)decimal.Round(usd * PerDollar, MidpointRounding.AwayFromZero);

    public static decimal FromPico(long pico) => pico / PerDollar;

    /// <summary>A SUM() or scalar read back from either engine (SQLite gives long, PostgreSQL numeric).</summary>
    public static long PicoFrom(object? value) => value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
}
