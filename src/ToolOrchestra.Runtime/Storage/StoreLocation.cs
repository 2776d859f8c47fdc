using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using ToolOrchestra.Core;

namespace ToolOrchestra.Runtime.Storage;

/// <summary>Which database engine a store lives in; the SQL both speak (ON CONFLICT, @params) is written once.</summary>
public enum StoreKind { Sqlite, Postgres }

/// <summary>
/// Where a durable store lives: a SQLite file (the embedded default) or a PostgreSQL URL
/// (<c>postgres://user:pass@host:port/db</c> or <c>postgresql://…</c>), so several shards or server replicas share one.
/// </summary>
public sealed record StoreLocation(StoreKind Kind, string ConnectionString, string Display)
{
    /// <summary>Parses a <c>--store</c> value; <paramref name="where"/> names the option in error messages.</summary>
    public static StoreLocation Parse(string value, string where = "--store")
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new UserError($"{where}: give a SQLite file path or a postgres://user@host:port/database URL.");
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new(StoreKind.Postgres, PostgresConnectionString(value, where), Redact(value));
        if (value.Contains("://", StringComparison.Ordinal))
            throw new UserError($"{where}: '{value}' is neither a file path nor a postgres:// URL.");
        var full = Path.GetFullPath(value);
        // Only the file is created: a typo in the folder must not leave new directories anywhere on the machine.
        if (Path.GetDirectoryName(full) is { Length: > 0 } dir && !Directory.Exists(dir))
            throw new UserError(File.Exists(dir)
                ? $"{where} {value}: {dir} is a file, not a folder; give a path in an existing folder."
                : $"{where} {value}: the folder {dir} does not exist; create it first (mkdir -p {dir}) or give a path in an existing folder.");
        // Shared cache off, WAL on open (see OpenAsync) so readers never block the writer.
        return new(StoreKind.Sqlite, new SqliteConnectionStringBuilder { DataSource = full, Pooling = true }.ToString(), full);
    }

    /// <summary>Opens a connection; SQLite gets WAL and a busy timeout so concurrent writers in one or several processes wait instead of failing.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection conn = Kind == StoreKind.Sqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            if (Kind == StoreKind.Sqlite)
            {
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;";
                await cmd.ExecuteNonQueryAsync(ct);
            }
            return conn;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            await conn.DisposeAsync();
            throw new UserError($"cannot open the store {Display}: {e.Message}");
        }
    }

    public override string ToString() => Display;

    private static string PostgresConnectionString(string url, string where)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new UserError($"{where}: '{Redact(url)}' is not a valid postgres://user:password@host:port/database URL.");
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/')) is { Length: > 0 } db ? db : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            try { b[Uri.UnescapeDataString(kv[0]).Replace('_', ' ')] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : ""; }
            catch (ArgumentException) { throw new UserError($"{where}: unknown PostgreSQL connection option '{kv[0]}' in the URL."); }
        }
        return b.ToString();
    }

    private static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.UserInfo.Contains(':')
            ? url.Replace(u.UserInfo, u.UserInfo.Split(':')[0] + ":***", StringComparison.Ordinal)
            : url;
}
