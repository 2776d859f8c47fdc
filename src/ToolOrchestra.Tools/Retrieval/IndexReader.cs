using System.Globalization;
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
    private readonly Dictionary<(int TopK, bool Filtered), SqliteCommand> _searches = [];
    private readonly SqliteCommand? _commonTerms;

    public IndexReader(string connectionString, bool hasCommonTerms)
    {
        _db = new SqliteConnection(connectionString);
        _db.Open();
        if (hasCommonTerms) _commonTerms = CommonTermsQuery();
    }

    public IReadOnlyList<RetrievedDocument> Search(string match, int topK, IReadOnlyCollection<string>? allowedIds, CancellationToken ct)
    {
        var cmd = Ranking(topK, allowedIds is not null);
        cmd.Parameters["$match"].Value = match;
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
        foreach (var cmd in _searches.Values) cmd.Dispose();
        _commonTerms?.Dispose();
        _db.Dispose();
    }

    /// <summary>
    /// The ranking statement for <paramref name="topK"/>, prepared on first use. The limit is written into the SQL
    /// rather than bound: SQLite re-prepares a statement whenever a bound LIMIT is re-bound (its planner reads the
    /// value), which cost a tenth of training CPU.
    /// </summary>
    private SqliteCommand Ranking(int topK, bool filtered)
    {
        if (_searches.TryGetValue((topK, filtered), out var cached)) return cached;
        // Only documents whose ids are in the filter's JSON array can rank.
        var filter = filtered ? " AND rowid IN (SELECT doc FROM docmap WHERE id IN (SELECT value FROM json_each($allowed)))" : "";
        var cmd = _db.CreateCommand();
        // Rank on the index alone, then read the contents of the top k only: reading every match's text before sorting
        // would dominate the query time.
        cmd.CommandText = string.Create(CultureInfo.InvariantCulture, $"""
            SELECT m.id, c.contents, f.score
            FROM (SELECT rowid, bm25(docs) AS score FROM docs
                  WHERE docs MATCH $match{filter} ORDER BY score LIMIT {topK}) AS f
            JOIN docmap AS m ON m.doc = f.rowid
            JOIN docs AS c ON c.rowid = f.rowid
            ORDER BY f.score
            """);
        cmd.Parameters.Add("$match", SqliteType.Text);
        if (filtered) cmd.Parameters.Add("$allowed", SqliteType.Text);
        _searches[(topK, filtered)] = cmd;
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
