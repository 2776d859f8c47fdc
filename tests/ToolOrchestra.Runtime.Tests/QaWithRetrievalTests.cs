using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Runtime.Tests;

/// <summary>search end to end: the expert writes a query, the real SQLite FTS5 index answers, documents enter the context.</summary>
public sealed class QaWithRetrievalTests : QaServerTest, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qa-retrieval").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private LocalIndexRetriever Index()
    {
        var corpus = Path.Combine(_dir, "corpus.jsonl");
        File.WriteAllLines(corpus,
        [
            """{"id": "d1", "contents": "Zorblat Industries was founded in 1911 by Mira Quell in the city of Vantor."}""",
            """{"id": "d2", "contents": "Vantor is a river port with a population of 81,000."}""",
            """{"id": "d3", "contents": "Mira Quell also wrote three books about glassmaking."}""",
            """{"id": "d4", "contents": "Glassmaking in Vantor declined after the flood."}""",
        ]);
        var db = Path.Combine(_dir, "index.db");
        LocalIndexBuilder.Build(corpus, db);
        return new LocalIndexRetriever(LocalIndex.Open(db), World.Catalog.ToolPrices);
    }

    [Fact]
    public async Task Retrieved_documents_reach_the_answering_expert_without_duplicates()
    {
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("search", "search-2"), QaWorld.Call("search", "search-2"), QaWorld.Call("answer", "answer-1"));
        Server.Script(QaWorld.Local, new FakeReply("<query>Zorblat Industries founded</query>"), new FakeReply("<query>Zorblat Industries founder</query>"));
        Server.Script(QaWorld.Big, new FakeReply("<answer>1911</answer>"));

        var t = await World.Runner(new QaToolServices(Index(), TopK: 2)).RunAsync(QaWorld.Ask("When was Zorblat Industries founded?"));

        t.Answer.Should().Be("1911");
        t.Turns[0].Observation.Should().StartWith("Query: Zorblat Industries founded\nFound");
        t.Turns[1].Observation.Should().Contain("0 new"); // the same documents again are not added twice
        t.Turns[2].Prompt[1].Content.Should().Contain("Documents:\nDoc 1: ").And.Contain("founded in 1911 by Mira Quell");
        Server.Requests.Single(r => r.Model == QaWorld.Big).LastUserText.Should().Contain("founded in 1911");
        t.Ledger.Count(e => e.Kind == CallKind.Search).Should().Be(2);
    }
}
