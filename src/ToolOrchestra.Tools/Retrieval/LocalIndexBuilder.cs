using System.Diagnostics;
using Microsoft.Data.Sqlite;
using ToolOrchestra.Core;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// Tuning of a build. Terms found in more than <see cref="CommonTermFraction"/> of the documents are recorded as
/// common (in indexes of at least <see cref="CommonTermMinDocuments"/> documents): searches drop them when the
/// query has rarer words, because an OR over a word that is in most documents scores most of the index
/// (tens of milliseconds) while adding almost nothing to BM25 (its IDF is near zero).
/// </summary>
public sealed record IndexBuildOptions(double CommonTermFraction = 0.1, long CommonTermMinDocuments = 10_000);

/// <summary>Where a build is: corpus bytes read (of the total when known), documents indexed, lines rejected.</summary>
public sealed record IndexBuildProgress(long BytesRead, long? TotalBytes, long Documents, long BadLines);

/// <summary>
/// What a build did. <see cref="BadLines"/> keeps the first <see cref="LocalIndexBuilder.MaxReportedBadLines"/>
/// problems; <see cref="BadLineCount"/> counts all of them (duplicate ids included: the first occurrence wins).
/// </summary>
public sealed record IndexBuildReport(
    string IndexPath, long Documents, long BadLineCount, IReadOnlyList<BadCorpusLine> BadLines, double Seconds, long IndexBytes)
{
    public double DocumentsPerSecond => Seconds > 0 ? Documents / Seconds : 0;
}

/// <summary>
/// Builds the SQLite FTS5 BM25 index (the embedded default for retrieval) from a JSONL corpus in one streaming
/// pass. The index is written beside the target under a temporary name and moved into place only when
/// complete, so a failed or cancelled build never leaves a half-written index behind.
/// </summary>
public static class LocalIndexBuilder
{
    public const int MaxReportedBadLines = 100;

    public static IndexBuildReport Build(string corpusPath, string indexPath, IProgress<IndexBuildProgress>? progress = null, CancellationToken ct = default) =>
        Build(corpusPath, indexPath, new IndexBuildOptions(), progress, ct);

    public static IndexBuildReport Build(string corpusPath, string indexPath, IndexBuildOptions options, IProgress<IndexBuildProgress>? progress = null, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        var bad = new List<BadCorpusLine>();
        long badCount = 0;
        void Reject(BadCorpusLine line)
        {
            badCount++;
            if (bad.Count < MaxReportedBadLines) bad.Add(line);
        }

        var fullOut = Path.GetFullPath(indexPath);
        var dir = Path.GetDirectoryName(fullOut)!;
        if (!Directory.Exists(dir))
            throw new UserError($"{indexPath}: directory '{dir}' does not exist; create it or choose another --out.");
        using var corpus = CorpusReader.Open(corpusPath, Reject);
        var temp = Path.Combine(dir, "." + Path.GetFileName(fullOut) + "." + Guid.NewGuid().ToString("N")[..8] + ".building");

        long documents = 0;
        try
        {
            using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temp, Pooling = false }.ToString()))
            {
                db.Open();
                Execute(db, """
                    PRAGMA page_size = 8192;
                    PRAGMA journal_mode = OFF;
                    PRAGMA synchronous = OFF;
                    PRAGMA locking_mode = EXCLUSIVE;
                    PRAGMA temp_store = MEMORY;
                    PRAGMA cache_size = -131072;
                    """);
                LocalIndex.CreateSchema(db);
                // Bulk load: buffer 64 MB of postings before writing a segment and let segments pile up before
                // merging; 'optimize' merges everything once at the end.
                Execute(db, """
                    INSERT INTO docs(docs, rank) VALUES ('hashsize', 67108864);
                    INSERT INTO docs(docs, rank) VALUES ('crisismerge', 64);
                    """);

                using var tx = db.BeginTransaction();
                using var addId = db.CreateCommand();
                addId.CommandText = "INSERT INTO docmap(doc, id) VALUES ($doc, $id) ON CONFLICT(id) DO NOTHING";
                var mapDocParam = addId.Parameters.Add("$doc", SqliteType.Integer);
                var idParam = addId.Parameters.Add("$id", SqliteType.Text);
                using var addText = db.CreateCommand();
                addText.CommandText = "INSERT INTO docs(rowid, contents) VALUES ($doc, $contents)";
                var docParam = addText.Parameters.Add("$doc", SqliteType.Integer);
                var textParam = addText.Parameters.Add("$contents", SqliteType.Text);
                addId.Prepare();
                addText.Prepare();

                var total = corpus.Length;
                foreach (var doc in corpus.Documents(ct))
                {
                    var rowid = documents + 1;
                    mapDocParam.Value = rowid;
                    idParam.Value = doc.Id;
                    if (addId.ExecuteNonQuery() == 0)
                    {
                        Reject(new BadCorpusLine(doc.Line, $"duplicate id '{doc.Id}' (the first document with this id is kept)"));
                        continue;
                    }
                    docParam.Value = rowid;
                    textParam.Value = doc.Contents;
                    addText.ExecuteNonQuery();
                    documents++;
                    if ((documents & 4095) == 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        progress?.Report(new IndexBuildProgress(corpus.Position, total, documents, badCount));
                    }
                }
                if (documents == 0)
                    throw new UserError($"{corpusPath}: no usable documents ({badCount} bad lines" +
                        (bad.Count > 0 ? $"; line {bad[0].Line}: {bad[0].Reason}" : "") +
                        "). Expected one {\"id\": ..., \"contents\": ...} object per line.");

                progress?.Report(new IndexBuildProgress(corpus.Position, total, documents, badCount));
                ct.ThrowIfCancellationRequested();
                // One segment answers queries fastest; the index is read-only from here on.
                Execute(db, "INSERT INTO docs(docs) VALUES ('optimize')");
                var commonAbove = documents >= options.CommonTermMinDocuments
                    ? (long)Math.Floor(documents * options.CommonTermFraction) : (long?)null;
                if (commonAbove is { } above) LocalIndex.RecordCommonTerms(db, above);
                LocalIndex.WriteMeta(db, documents, Path.GetFileName(corpusPath), commonAbove);
                tx.Commit();
            }
            File.Move(temp, fullOut, overwrite: true);
        }
        catch
        {
            SqliteConnection.ClearAllPools();
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }

        return new IndexBuildReport(fullOut, documents, badCount, bad,
            Stopwatch.GetElapsedTime(started).TotalSeconds, new FileInfo(fullOut).Length);
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
