using System.Data.Common;

namespace ToolOrchestra.Runtime.Storage;

/// <summary>Parameterised commands on a store connection, written once for SQLite and PostgreSQL (<c>@name</c> parameters).</summary>
public static class StoreCommands
{
    public static DbCommand Command(DbConnection conn, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
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
