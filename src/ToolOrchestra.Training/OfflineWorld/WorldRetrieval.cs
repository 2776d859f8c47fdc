using System.Globalization;
using Microsoft.Data.Sqlite;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Training.OfflineWorld;

/// <summary>
/// The world's corpus behind the <c>search</c> tool: a SQLite FTS5 BM25 index built from corpus.jsonl.
/// TEMPORARY: a minimal index of our own until the tools layer's <c>LocalIndexBuilder</c>/<c>LocalIndexRetriever</c>
/// reach main; then this file only writes the corpus and calls theirs (one index format in the project).
/// </summary>
public static class WorldRetrieval
{
    /// <summary>Writes the corpus and tasks into <paramref name="directory"/>, builds the index there and opens it.</summary>
    public static IRetriever Build(World world, string directory, CancellationToken ct = default)
    {
        var (corpus, _) = world.Save(directory);
        var index = Path.Combine(directory, "index.db");
        MinimalFtsIndex.Build(world, index, ct);
        return new MinimalFtsIndex(index);
    }

    /// <summary>Opens an index written by <see cref="Build"/>.</summary>
    public static IRetriever Open(string indexPath) => new MinimalFtsIndex(indexPath);
}

internal sealed class MinimalFtsIndex : IRetriever
{
    private readonly string _connectionString;

    public MinimalFtsIndex(string path)
    {
        if (!File.Exists(path)) throw new Core.UserError($"{path}: index not found; `orchestra sim serve --out DIR` or `orchestra demo` writes one.");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
    }

    public static void Build(World world, string path, CancellationToken ct)
    {
        var temp = path + ".building";
        if (File.Exists(temp)) File.Delete(temp);
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temp, Pooling = false }.ToString()))
        {
            db.Open();
            using (var create = db.CreateCommand())
            {
                create.CommandText = "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, contents, tokenize = 'porter unicode61 remove_diacritics 2');";
                create.ExecuteNonQuery();
            }
            using var tx = db.BeginTransaction();
            using var insert = db.CreateCommand();
            insert.CommandText = "INSERT INTO docs(id, contents) VALUES ($id, $contents)";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var contents = insert.Parameters.Add("$contents", SqliteType.Text);
            foreach (var d in world.Documents)
            {
                ct.ThrowIfCancellationRequested();
                id.Value = d.Id;
                contents.Value = d.Contents;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        File.Move(temp, path, overwrite: true);
    }

    public Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct)
    {
        var terms = string.Join(" OR ", query.Split(Separators, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => new string(w.Where(char.IsLetterOrDigit).ToArray())).Where(w => w.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase).Select(w => $"\"{w}\""));
        if (terms.Length == 0) return Task.FromResult(new RetrievalResult([]));
        using var db = new SqliteConnection(_connectionString);
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT id, contents, -bm25(docs) FROM docs WHERE docs MATCH $q ORDER BY bm25(docs), id LIMIT $k";
        cmd.Parameters.AddWithValue("$q", terms);
        cmd.Parameters.AddWithValue("$k", topK.ToString(CultureInfo.InvariantCulture));
        var found = new List<RetrievedDocument>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) found.Add(new RetrievedDocument(r.GetString(0), r.GetString(1), r.GetDouble(2)));
        return Task.FromResult(new RetrievalResult(found));
    }

    private static readonly char[] Separators = [' ', '\t', '\n', '\r', ',', '.', '?', '!', ';', ':', '(', ')', '"', '\''];
}
