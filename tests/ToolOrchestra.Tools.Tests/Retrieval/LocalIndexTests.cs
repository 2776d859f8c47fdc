using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Tools.Tests.Retrieval;

public sealed class LocalIndexTests : IClassFixture<LocalIndexTests.Fixture>
{
    public sealed class Fixture : IDisposable
    {
        public TestCorpus Corpus { get; } = new();
        public void Dispose() => Corpus.Dispose();
    }

    private readonly TestCorpus _corpus;

    public LocalIndexTests(Fixture fixture) => _corpus = fixture.Corpus;

    [Fact]
    public void Build_indexes_every_line_whatever_its_text_field_and_id_type()
    {
        _corpus.Report.Documents.Should().Be(TestCorpus.Documents.Length);
        _corpus.Report.BadLineCount.Should().Be(0);
        _corpus.Index.Documents.Should().Be(TestCorpus.Documents.Length);
        _corpus.Report.IndexBytes.Should().BeGreaterThan(0);
    }

    [Theory]
    [InlineData("When was the Eiffel Tower completed?", "eiffel")]
    [InlineData("how do plants turn light into chemical energy", "photosynthesis")]
    [InlineData("who created the Python programming language", "python-lang")]
    [InlineData("ultimate question of life", "42")]
    [InlineData("snakes in Australia", "python-snake")]
    public void Ranks_the_right_document_first_among_distractors(string query, string expected)
    {
        var docs = _corpus.Index.Search(query, 5);

        docs.Should().NotBeEmpty();
        docs[0].Id.Should().Be(expected);
        docs.Select(d => d.Score).Should().BeInDescendingOrder().And.OnlyContain(s => s > 0);
        docs[0].Contents.Should().Be(TestCorpus.Documents.Single(d => d.Id == expected).Contents);
    }

    [Fact]
    public void Top_k_limits_the_results()
    {
        _corpus.Index.Search("tower paris tokyo london", 2).Should().HaveCount(2);
        _corpus.Index.Search("tower paris tokyo london", 50).Should().HaveCount(4);
    }

    [Theory]
    [InlineData("\"unbalanced tower")]
    [InlineData("tower AND OR NOT NEAR(")]
    [InlineData("contents: tower*")]
    [InlineData("^tower + -paris {col1 col2}: (x OR")]
    [InlineData("c'est la Tour d'Eiffel?!; DROP TABLE docs; --")]
    [InlineData("NEAR(tower paris, 2)")]
    public void Queries_with_any_punctuation_never_throw(string query)
    {
        var act = () => _corpus.Index.Search(query, 10);

        act.Should().NotThrow();
        act().Should().NotBeEmpty();
    }

    [Fact]
    public void Random_garbage_queries_never_throw()
    {
        var random = new Random(1234);
        const string alphabet = "abcXYZ019 \"'*^:(){}[]-+.,;!?/\\|&~`@#$%_=<>\t\né中文😀\u0301\u200b\0";
        for (var i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++) chars[j] = alphabet[random.Next(alphabet.Length)];
            var query = new string(chars);
            var act = () => _corpus.Index.Search(query, 5);
            act.Should().NotThrow(query);
        }
    }

    [Fact]
    public void A_query_without_words_finds_nothing()
    {
        _corpus.Index.Search("?!... ---", 10).Should().BeEmpty();
        _corpus.Index.Search("", 10).Should().BeEmpty();
    }

    [Fact]
    public void Allowed_ids_restrict_what_can_be_found()
    {
        var docs = _corpus.Index.Search("tower", 10, ["tokyo-tower", "42", "no-such-doc"]);

        docs.Select(d => d.Id).Should().Equal("tokyo-tower");
    }

    [Fact]
    public void Concurrent_searches_find_what_one_search_at_a_time_finds()
    {
        string[] queries = ["Eiffel tower Paris", "plants chemical energy", "python language", "snakes", "tower"];
        IReadOnlyCollection<string>?[] filters = [null, ["tokyo-tower", "eiffel", "chlorophyll"]];
        string Found(int i) => string.Join(",", _corpus.Index.Search(queries[i % queries.Length], 3, filters[i % 2]).Select(d => $"{d.Id}:{d.Score:R}"));
        var expected = Enumerable.Range(0, 10).Select(Found).ToList();

        var found = new string[400];
        Parallel.For(0, found.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => found[i] = Found(i));

        found.Select((f, i) => (f, i)).Should().OnlyContain(x => x.f == expected[x.i % 10]);
    }

    [Fact]
    public void A_disposed_index_refuses_to_search()
    {
        using var index = LocalIndex.Open(_corpus.IndexPath);
        index.Search("tower", 2).Should().HaveCount(2);

        index.Dispose();

        ((Action)(() => index.Search("tower", 2))).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task The_retriever_applies_the_per_question_filter_and_reports_cost()
    {
        var allowed = AllowedDocuments.PerQuestion(new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["q1"] = ["tower-london", "tokyo-tower"],
            ["q2"] = ["eiffel"],
        });
        var retriever = new LocalIndexRetriever(_corpus.Index, new ToolPrices(LocalSearchPerCall: 0.001m), allowed);

        var q1 = await retriever.RetrieveAsync("Eiffel tower Paris", 10, "q1", CancellationToken.None);
        var q2 = await retriever.RetrieveAsync("Eiffel tower Paris", 10, "q2", CancellationToken.None);
        var unknown = await retriever.RetrieveAsync("Eiffel tower Paris", 10, "q3", CancellationToken.None);

        q1.Documents.Select(d => d.Id).Should().BeEquivalentTo("tokyo-tower", "tower-london");
        q1.Documents[0].Id.Should().Be("tokyo-tower", "it mentions Paris too");
        q1.CostUsd.Should().Be(0.001m);
        q1.Error.Should().BeNull();
        q2.Documents.Select(d => d.Id).Should().Equal("eiffel");
        unknown.Documents.Should().BeEmpty();
        unknown.Error.Should().Contain("'q3'");
    }

    [Fact]
    public void Allowed_files_load_as_map_json_list_or_lines()
    {
        File.WriteAllText(_corpus.File_("map.json"), """{"q1": ["a", 7], "q2": []}""");
        File.WriteAllText(_corpus.File_("list.json"), """["a", 7]""");
        File.WriteAllText(_corpus.File_("list.txt"), "a\n7\n\n");

        var map = AllowedDocuments.Load(_corpus.File_("map.json"));
        map.TryFor("q1", out var q1, out _).Should().BeTrue();
        q1.Should().BeEquivalentTo("a", "7");
        map.TryFor(null, out _, out var error).Should().BeFalse();
        error.Should().Contain("eid");
        foreach (var name in new[] { "list.json", "list.txt" })
        {
            AllowedDocuments.Load(_corpus.File_(name)).TryFor(null, out var ids, out _).Should().BeTrue();
            ids.Should().BeEquivalentTo("a", "7");
        }
        File.WriteAllText(_corpus.File_("bad.json"), """{"q1": "a"}""");
        var bad = () => AllowedDocuments.Load(_corpus.File_("bad.json"));
        bad.Should().Throw<UserError>().WithMessage("*bad.json*$.q1*array*");
    }

    [Fact]
    public void Opening_something_else_is_a_user_error()
    {
        var notIndex = _corpus.File_("not-index.db");
        File.WriteAllText(notIndex, "hello");

        ((Action)(() => LocalIndex.Open(notIndex))).Should().Throw<UserError>().WithMessage("*not-index.db*orchestra index build*");
        ((Action)(() => LocalIndex.Open(_corpus.File_("missing.db")))).Should().Throw<UserError>().WithMessage("*missing.db*index build*");
    }
}
