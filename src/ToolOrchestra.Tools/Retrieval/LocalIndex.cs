using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using ToolOrchestra.Core;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// A read-only SQLite FTS5 index built by <see cref="LocalIndexBuilder"/>: BM25 ranking with Porter stemming,
/// an optional allowed-id filter. Thread-safe: each search borrows an <see cref="IndexReader"/> (a read-only
/// connection with its statements prepared) from a pool that grows to the number of concurrent searches, so
/// no search opens a connection or compiles SQL once the pool is warm.
/// Scores are BM25 relevances (SQLite's bm25() negated): positive, larger is better.
/// </summary>
public sealed class LocalIndex : IDisposable
{
    public const string Format = "toolorchestra-bm25-v1";

    /// <summary>Porter stemming over Unicode words with accents folded: "Towers" finds "tower", "café" finds "cafe".</summary>
    internal const string Tokenizer = "porter unicode61 remove_diacritics 2";

    private readonly string _connectionString;
    private readonly bool _hasCommonTerms;
    private readonly ConcurrentBag<IndexReader> _idle = [];
    private volatile bool _disposed;

    private LocalIndex(string path, long documents, bool hasCommonTerms)
    {
        Path = path;
        Documents = documents;
        _hasCommonTerms = hasCommonTerms;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
    }

    public string Path { get; }

    public long Documents { get; }

    /// <summary>Opens an index, checking that it is one; a wrong file is a <see cref="UserError"/> saying how to build one.</summary>
    public static LocalIndex Open(string path)
    {
        if (!File.Exists(path))
            throw new UserError($"{path}: index not found. Build one with: orchestra index build --corpus CORPUS.jsonl --out {path}");
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT key, value FROM meta";
            var meta = new Dictionary<string, string>();
            using (var r = cmd.ExecuteReader())
                while (r.Read()) meta[r.GetString(0)] = r.GetString(1);
            if (!meta.TryGetValue("format", out var format) || format != Format)
                throw new UserError($"{path}: index format '{format ?? "unknown"}' is not {Format}; rebuild it with orchestra index build.");
            return new LocalIndex(full, long.Parse(meta.GetValueOrDefault("documents", "0"), CultureInfo.InvariantCulture),
                meta.ContainsKey("common_terms_above"));
        }
        catch (SqliteException e)
        {
            throw new UserError($"{path}: not an index built by 'orchestra index build' ({e.Message.TrimEnd('.')}). Rebuild it.", e);
        }
    }

    /// <summary>
    /// The <paramref name="topK"/> best documents for <paramref name="query"/>, best first. With
    /// <paramref name="allowedIds"/> only those documents can be returned. A query without words finds nothing.
    /// </summary>
    public IReadOnlyList<RetrievedDocument> Search(string query, int topK, IReadOnlyCollection<string>? allowedIds = null, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var words = FtsQuery.Terms(query);
        if (words.Count == 0 || topK <= 0 || allowedIds is { Count: 0 }) return [];

        var reader = Rent();
        var reusable = false;
        try
        {
            if (_hasCommonTerms && words.Count > 1) words = WithoutCommonTerms(reader, words);
            var found = reader.Search(FtsQuery.Match(words), topK, allowedIds, ct);
            reusable = !ct.IsCancellationRequested; // an interrupted connection is closed rather than trusted again
            return found;
        }
        finally
        {
            Return(reader, reusable);
        }
    }

    /// <summary>Closes the idle connections; searches still running close theirs when they finish.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var reader)) reader.Dispose();
    }

    private IndexReader Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _idle.TryTake(out var reader) ? reader : new IndexReader(_connectionString, _hasCommonTerms);
    }

    private void Return(IndexReader reader, bool reusable)
    {
        if (!reusable || _disposed) reader.Dispose();
        else _idle.Add(reader);
    }

    /// <summary>Drops the words whose stems the build recorded as common, keeping the rarest one when all are common.</summary>
    private static IReadOnlyList<string> WithoutCommonTerms(IndexReader reader, IReadOnlyList<string> words)
    {
        var common = reader.CommonTerms(words);
        if (common.Count == 0) return words;
        if (common.Count == words.Count) return [words[common.MinBy(c => c.Value).Key]];
        return words.Where((_, i) => !common.ContainsKey(i)).ToList();
    }

    internal static void CreateSchema(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"""
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            -- doc is the FTS rowid; ids are unique (the first document with an id wins).
            CREATE TABLE docmap(doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
            CREATE VIRTUAL TABLE docs USING fts5(contents, tokenize = '{Tokenizer}');
            -- stems found in more documents than meta.common_terms_above (see IndexBuildOptions)
            CREATE TABLE common_terms(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
            """;
        cmd.ExecuteNonQuery();
    }

    internal static void RecordCommonTerms(SqliteConnection db, long above)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = """
            CREATE VIRTUAL TABLE temp.index_terms USING fts5vocab(main, docs, 'row');
            INSERT INTO common_terms(term, docs) SELECT term, doc FROM temp.index_terms WHERE doc > $above;
            DROP TABLE temp.index_terms;
            """;
        cmd.Parameters.AddWithValue("$above", above);
        cmd.ExecuteNonQuery();
    }

    internal static void WriteMeta(SqliteConnection db, long documents, string corpusName, long? commonTermsAbove)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "INSERT INTO meta(key, value) VALUES ('format', $format), ('documents', $documents), ('corpus', $corpus)" +
            (commonTermsAbove is null ? "" : ", ('common_terms_above', $above)");
        cmd.Parameters.AddWithValue("$format", Format);
        cmd.Parameters.AddWithValue("$documents", documents.ToString(CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$corpus", corpusName);
        if (commonTermsAbove is { } above) cmd.Parameters.AddWithValue("$above", above.ToString(CultureInfo.InvariantCulture));
        cmd.ExecuteNonQuery();
    }
}
