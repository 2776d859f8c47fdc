using System.Data.Common;

namespace ToolOrchestra.Runtime.Storage;

/// <summary>
/// Parameterised commands on a store connection, written once for SQLite and PostgreSQL (<c>@name</c> parameters).
/// PostgreSQL text cannot hold U+0000, so on PostgreSQL a NUL in a text value is stored as U+2400 (␀, the symbol for
/// NUL): the row is kept and shows where the NUL was, rather than the write failing. SQLite keeps text as sent.
/// </summary>
public static class StoreCommands
{
    public const char NulSymbol = '\u2400';

    public static DbCommand Command(DbConnection conn, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        var postgres = conn is Npgsql.NpgsqlConnection;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value switch
            {
                null => DBNull.Value,
                string text when postgres && text.Contains('\0') => text.Replace('\0', NulSymbol),
                _ => value,
            };
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    public static async Task<int> ExecuteAsync(DbConnection conn, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(conn, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public static async Task<object?> ScalarAsync(DbConnection conn, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(conn, sql, args);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }
}
