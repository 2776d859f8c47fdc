using ToolOrchestra.Core;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Tools.Tests.Retrieval;

public sealed class IndexBuildTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("index-build-");

    private string P(string name) => Path.Combine(_dir.FullName, name);

    [Fact]
    public void Bad_lines_are_reported_with_their_line_numbers_and_the_rest_is_indexed()
    {
        File.WriteAllLines(P("c.jsonl"),
        [
            """{"id": "a", "contents": "alpha document"}""",
            """{"id": "b", "contents": "beta""",
            "",
            """{"contents": "no id here"}""",
            """{"id": "c", "title": "Gamma", "text": "third document"}""",
            """{"id": "d"}""",
            """{"id": "a", "contents": "duplicate alpha"}""",
            """[1, 2]""",
        ]);

        var report = LocalIndexBuilder.Build(P("c.jsonl"), P("i.db"));

        report.Documents.Should().Be(2);
        report.BadLines.Select(b => b.Line).Should().Equal(2, 4, 6, 7, 8);
        report.BadLines[0].Reason.Should().Contain("not valid JSON");
        report.BadLines[1].Reason.Should().Contain("'id'");
        report.BadLines[2].Reason.Should().Contain("'contents'");
        report.BadLines[3].Reason.Should().Contain("duplicate id 'a'");
        var index = LocalIndex.Open(P("i.db"));
        index.Search("gamma", 5).Single().Contents.Should().Be("Gamma\nthird document");
        index.Search("alpha", 5).Single().Contents.Should().Be("alpha document");
    }

    [Fact]
    public void A_corpus_without_usable_documents_fails_and_leaves_no_file()
    {
        File.WriteAllLines(P("bad.jsonl"), ["nope", """{"id": 1}"""]);

        var act = () => LocalIndexBuilder.Build(P("bad.jsonl"), P("i.db"));

        act.Should().Throw<UserError>().WithMessage("*bad.jsonl*no usable documents*line 1*");
        _dir.EnumerateFiles().Select(f => f.Name).Should().Equal("bad.jsonl");
    }

    [Fact]
    public void A_cancelled_build_leaves_the_previous_index_untouched()
    {
        File.WriteAllLines(P("small.jsonl"), ["""{"id": "x", "contents": "original index"}"""]);
        LocalIndexBuilder.Build(P("small.jsonl"), P("i.db"));
        File.WriteAllLines(P("big.jsonl"), Enumerable.Range(0, 10000).Select(i => $$"""{"id": {{i}}, "contents": "replacement {{i}}"}"""));
        using var cts = new CancellationTokenSource();
        var progress = new Progress(cts);

        var act = () => LocalIndexBuilder.Build(P("big.jsonl"), P("i.db"), progress, cts.Token);

        act.Should().Throw<OperationCanceledException>();
        LocalIndex.Open(P("i.db")).Search("original", 5).Should().ContainSingle();
        _dir.EnumerateFiles().Select(f => f.Name).Should().BeEquivalentTo("small.jsonl", "big.jsonl", "i.db");
    }

    [Fact]
    public void Words_in_most_documents_do_not_drown_the_rare_ones()
    {
        // "report" is in every document; "quarterly" in most; each document has one rare word.
        File.WriteAllLines(P("c.jsonl"), Enumerable.Range(0, 40).Select(i =>
            $$"""{"id": "d{{i}}", "contents": "report {{(i % 10 == 0 ? "" : "quarterly reports")}} word{{i}} {{(i == 7 ? "zeppelin" : "")}}"}"""));
        var index = LocalIndex.Open(LocalIndexBuilder.Build(P("c.jsonl"), P("i.db"),
            new IndexBuildOptions(CommonTermFraction: 0.5, CommonTermMinDocuments: 10)).IndexPath);

        index.Search("quarterly report about a zeppelin", 5).Select(d => d.Id).Should().Equal("d7");
        index.Search("Reports, quarterly!", 3).Should().HaveCount(3, "when every word is common the rarest one still searches");
        index.Search("word13 report", 5)[0].Id.Should().Be("d13");
    }

    [Fact]
    public void Missing_corpus_is_a_user_error_naming_the_file()
    {
        var act = () => LocalIndexBuilder.Build(P("missing.jsonl"), P("i.db"));

        act.Should().Throw<UserError>().WithMessage("*missing.jsonl*not found*");
    }

    /// <summary>Cancels as soon as the builder reports progress (synchronously, unlike System.Progress).</summary>
    private sealed class Progress(CancellationTokenSource cts) : IProgress<IndexBuildProgress>
    {
        public void Report(IndexBuildProgress value) => cts.Cancel();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }
}
