using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Tools;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra index build|search</c>: the local BM25 index behind the <c>search</c> tool.</summary>
internal static class IndexCommand
{
    private const int BadLinesShown = 20;

    public static Command Create()
    {
        var index = new Command("index", "Build and query a local BM25 retrieval index (Lucene.NET)");
        index.Subcommands.Add(Build());
        index.Subcommands.Add(Search());
        return index;
    }

    private static Command Build()
    {
        var corpus = new Option<FileInfo>("--corpus") { Description = "JSONL corpus: one {\"id\", \"contents\"|\"content\"|\"text\"} object per line", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Index folder to write (replaced only when the build succeeds)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the build report as one JSON object" };
        var command = new Command("build", "Build a BM25 index from a JSONL corpus") { corpus, output, json };
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var corpusPath = parse.GetValue(corpus)!.FullName;
            var outPath = parse.GetValue(output)!.FullName;
            var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            IndexBuildReport? report = null;
            await err.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask("indexing " + Path.GetFileName(corpusPath), maxValue: Math.Max(1, new FileInfo(corpusPath).Exists ? new FileInfo(corpusPath).Length : 1));
                    var progress = new Progress<IndexBuildProgress>(p =>
                    {
                        task.Value = p.BytesRead;
                        task.Description = $"indexing {Path.GetFileName(corpusPath)}: {p.Documents:N0} docs";
                    });
                    report = await Task.Run(() => LocalIndexBuilder.Build(corpusPath, outPath, progress, c), c);
                    task.Value = task.MaxValue;
                });

            foreach (var bad in report!.BadLines.Take(BadLinesShown))
                Console.Error.WriteLine($"warning: {corpusPath} line {bad.Line}: {bad.Reason}");
            if (report.BadLineCount > BadLinesShown)
                Console.Error.WriteLine($"warning: ... and {report.BadLineCount - BadLinesShown} more bad lines");
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { report.Documents, report.Seconds, report.IndexPath, report.IndexBytes, report.BadLineCount }, OrchestraJson.Compact));
                return 0;
            }
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"indexed {report.Documents} documents in {report.Seconds:F2} s ({report.DocumentsPerSecond:F0} docs/s) into {report.IndexPath} ({report.IndexBytes / 1048576.0:F1} MiB); {report.BadLineCount} bad lines skipped"));
            return 0;
        }, ct));
        return command;
    }

    private static Command Search()
    {
        var indexPath = new Option<FileInfo>("--index") { Description = "Index built by './orchestra index build'", Required = true };
        var topK = new Option<int>("--top-k") { Description = "Documents to return", DefaultValueFactory = _ => 10 };
        var allowed = new Option<FileInfo?>("--allowed-ids") { Description = "Only these documents: one id per line, a JSON array, or a {question id: [ids]} map (with --eid)" };
        var eid = new Option<string?>("--eid") { Description = "Question id selecting the allowed documents in a {question id: [ids]} map" };
        var queries = new Option<FileInfo?>("--queries") { Description = "Run one search per non-blank line of this file and print one JSON line per query: {\"line\", \"query\", \"ms\", \"hits\": [{\"id\", \"score\"}]} (ms: the search alone, in process)" };
        var query = new Argument<string?>("query") { Description = "Search text (any punctuation is fine); or give --queries", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("search", "Search an index and print [{\"id\", \"score\", \"contents\"}] as JSON (with --queries: one JSON line per query)") { indexPath, topK, allowed, eid, queries, query, OptionChecks.AlwaysJson() };
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var k = parse.GetValue(topK);
            if (k <= 0) throw new UserError($"--top-k must be positive (got {k}).");
            var text = parse.GetValue(query);
            var file = parse.GetValue(queries);
            if ((text is null) == (file is null)) throw new UserError("index search: give one query or --queries FILE (one query per line), not neither nor both.");
            var lines = file is null ? null : File.Exists(file.FullName) ? File.ReadAllLines(file.FullName)
                : throw new UserError($"--queries {file}: file not found; give a text file with one query per line.");
            using var index = LocalIndex.Open(parse.GetValue(indexPath)!.FullName);
            var filter = parse.GetValue(allowed) is { } ids ? AllowedDocuments.Load(ids.FullName) : null;
            var retriever = new LocalIndexRetriever(index, allowed: filter);
            async Task<RetrievalResult> Find(string q)
            {
                var result = await retriever.RetrieveAsync(q, k, parse.GetValue(eid), c);
                if (result.Error is not null) throw new UserError(result.Error + (filter?.IsPerQuestion == true ? "; pass a question id with --eid." : "."));
                return result;
            }

            if (lines is null)
            {
                var result = await Find(text!);
                Console.Out.WriteLine(JsonSerializer.Serialize(result.Documents.Select(d => new SearchHit(d.Id, d.Score, d.Contents)), OrchestraJson.Options));
                return 0;
            }
            var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
            await using (output)
                for (var i = 0; i < lines.Length; i++)
                {
                    if (string.IsNullOrWhiteSpace(lines[i])) continue;
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    var result = await Find(lines[i]);
                    var ms = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    output.WriteLine(JsonSerializer.Serialize(
                        new QueryResult(i + 1, lines[i], Math.Round(ms, 3), result.Documents.Select(d => new QueryHit(d.Id, d.Score)).ToList()), OrchestraJson.Compact));
                }
            return 0;
        }, ct));
        return command;
    }

    private sealed record QueryHit(string Id, double Score);

    private sealed record QueryResult(int Line, string Query, double Ms, IReadOnlyList<QueryHit> Hits);

    private sealed record SearchHit(string Id, double Score, string Contents);
}
