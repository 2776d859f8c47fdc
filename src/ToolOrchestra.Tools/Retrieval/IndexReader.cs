using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// One open read-only connection to a <see cref="LocalIndex"/> with its search statements prepared once and reused
/// for every query it serves. Opening a connection and compiling the ranking query cost more than a typical BM25
/// lookup over a small corpus, so a reader lives as long as its index (see <see cref="LocalIndex"/>'s pool). Used by
/// one search at a time.
/// </summary>
internal sealed class IndexReader : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly SqliteCommand _search;
    private readonly SqliteCommand _filteredSearch;
    private readonly SqliteCommand? _commonTerms;

    public IndexReader(string connectionString, bool hasCommonTerms)
    {
        _db = new SqliteConnection(connectionString);
        _db.Open();
        _search = Ranking("");
        // Only documents whose ids are in the filter's JSON array can rank.
        _filteredSearch = Ranking(" AND rowid IN (SELECT doc FROM docmap WHERE id IN (SELECT value FROM json_each($allowed)))");
        _filteredSearch.Parameters.Add("$allowed", SqliteType.Text);
        if (hasCommonTerms) _commonTerms = CommonTermsQuery();
    }

    public IReadOnlyList<RetrievedDocument> Search(string match, int topK, IReadOnlyCollection<string>? allowedIds, CancellationToken ct)
    {
        var cmd = allowedIds is null ? _search : _filteredSearch;
        cmd.Parameters["$match"].Value = match;
        cmd.Parameters["$k"].Value = topK;
        if (allowedIds is not null) cmd.Parameters["$allowed"].Value = JsonSerializer.Serialize(allowedIds);
        using var cancel = ct.Register(() => { try { cmd.Cancel(); } catch (InvalidOperationException) { } });

        var found = new List<RetrievedDocument>(Math.Min(topK, 256));
        using var r = cmd.ExecuteReader();
        while (r.Read())
            found.Add(new RetrievedDocument(r.GetString(0), r.GetString(1), -r.GetDouble(2)));
        return found;
    }

    /// <summary>
    /// Which of <paramref name="words"/> (by position) have stems the build recorded as common, with their document
    /// counts. FTS5 stems the words itself (a scratch table with the index's tokenizer), so the check uses exactly the
    /// terms the index holds.
    /// </summary>
    public Dictionary<int, long> CommonTerms(IReadOnlyList<string> words)
    {
        var common = new Dictionary<int, long>();
        if (_commonTerms is null) return common;
        _commonTerms.Parameters["$words"].Value = JsonSerializer.Serialize(words);
        using var r = _commonTerms.ExecuteReader();
        do
        {
            while (r.Read()) common[r.GetInt32(0)] = r.GetInt64(1);
        } while (r.NextResult());
        return common;
    }

    public void Dispose()
    {
        _search.Dispose();
        _filteredSearch.Dispose();
        _commonTerms?.Dispose();
        _db.Dispose();
    }

    // Rank on the index alone, then read the contents of the top k only: reading every match's text before sorting
    // would dominate the query time.
    private SqliteCommand Ranking(string filter)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = $"""
            SELECT m.id, c.contents, f.score
            FROM (SELECT rowid, bm25(docs) AS score FROM docs
                  WHERE docs MATCH $match{filter} ORDER BY score LIMIT $k) AS f
            JOIN docmap AS m ON m.doc = f.rowid
            JOIN docs AS c ON c.rowid = f.rowid
            ORDER BY f.score
            """;
        cmd.Parameters.Add("$match", SqliteType.Text);
        cmd.Parameters.Add("$k", SqliteType.Integer);
        return cmd;
    }

    private SqliteCommand CommonTermsQuery()
    {
        // The scratch tables are per connection (temp schema): created once, emptied before each query.
        using (var create = _db.CreateCommand())
        {
            create.CommandText = $"""
                CREATE VIRTUAL TABLE temp.query_words USING fts5(word, content = '', tokenize = '{LocalIndex.Tokenizer}');
                CREATE VIRTUAL TABLE temp.query_stems USING fts5vocab(temp, query_words, 'instance');
                """;
            create.ExecuteNonQuery();
        }
        var cmd = _db.CreateCommand();
        cmd.CommandText = """
            INSERT INTO temp.query_words(query_words) VALUES ('delete-all');
            INSERT INTO temp.query_words(rowid, word) SELECT key, value FROM json_each($words);
            SELECT s.doc, c.docs FROM temp.query_stems AS s JOIN common_terms AS c ON c.term = s.term;
            """;
        cmd.Parameters.Add("$words", SqliteType.Text);
        return cmd;
    }
}
