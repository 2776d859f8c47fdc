using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Tools.Tests.Retrieval;

/// <summary>The reference's /retrieve API end to end: our server on 127.0.0.1 over a real index, our client against it.</summary>
public sealed class RemoteRetrievalTests : IClassFixture<RemoteRetrievalTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public TestCorpus Corpus { get; } = new();
        public RetrievalServer Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var allowed = AllowedDocuments.PerQuestion(new Dictionary<string, IReadOnlyCollection<string>>
            {
                ["q1"] = ["tower-london", "tokyo-tower"],
                ["7"] = ["eiffel"],
            });
            Server = await RetrievalServer.StartAsync(new LocalIndexRetriever(Corpus.Index, allowed: allowed), port: 0);
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            Corpus.Dispose();
        }
    }

    private readonly Fixture _f;
    private static readonly HttpClient Http = new();

    public RemoteRetrievalTests(Fixture f) => _f = f;

    [Fact]
    public async Task The_client_gets_what_the_index_ranks_through_the_server()
    {
        var remote = new RemoteRetriever(_f.Server.Address, new ToolPrices(LocalSearchPerCall: 0.0005m));
        var local = new LocalIndexRetriever(_f.Corpus.Index);

        var viaHttp = await remote.RetrieveAsync("Eiffel tower Paris", 2, "q1", CancellationToken.None);
        var allowedLocally = _f.Corpus.Index.Search("Eiffel tower Paris", 2, ["tower-london", "tokyo-tower"]);

        _f.Server.Address.Host.Should().Be("127.0.0.1");
        viaHttp.Error.Should().BeNull();
        viaHttp.Documents.Should().BeEquivalentTo(allowedLocally, o => o.WithStrictOrdering());
        viaHttp.Source.Should().Be("remote");
        viaHttp.CostUsd.Should().Be(0.0005m);
        viaHttp.Seconds.Should().BePositive();
        (await local.RetrieveAsync("x", 1, null, CancellationToken.None)).Error.Should().BeNull();
    }

    [Fact]
    public async Task Numeric_question_ids_select_their_allowed_documents()
    {
        var response = await PostAsync("""{"queries": ["tower", "Paris"], "topk": 5, "return_scores": true, "eid": 7}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetArrayLength().Should().Be(2, "one list per query");
        foreach (var perQuery in json.RootElement.EnumerateArray())
        {
            perQuery.GetArrayLength().Should().Be(1);
            perQuery[0].GetProperty("document").GetProperty("id").GetString().Should().Be("eiffel");
            perQuery[0].GetProperty("score").GetDouble().Should().BePositive();
        }
    }

    [Fact]
    public async Task Without_return_scores_hits_carry_only_documents()
    {
        var response = await PostAsync("""{"queries": ["tower"], "topk": 1, "return_scores": false, "eid": "q1"}""");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement[0][0].TryGetProperty("score", out _).Should().BeFalse();
        json.RootElement[0][0].GetProperty("document").GetProperty("contents").GetString().Should().Contain("Tower");
    }

    [Theory]
    [InlineData("not json", 400, "not valid JSON")]
    [InlineData("""{"topk": 3}""", 400, "queries")]
    [InlineData("""{"queries": ["x"], "topk": 0}""", 400, "topk")]
    [InlineData("""{"queries": ["x"], "topk": 3, "eid": "q9"}""", 422, "'q9'")]
    public async Task Bad_requests_are_answered_with_an_error_message(string body, int status, string mentions)
    {
        var response = await PostAsync(body);

        ((int)response.StatusCode).Should().Be(status);
        (await response.Content.ReadAsStringAsync()).Should().Contain(mentions);
    }

    [Fact]
    public async Task Server_errors_come_back_as_error_results()
    {
        var remote = new RemoteRetriever(_f.Server.Address);

        var result = await remote.RetrieveAsync("tower", 3, "unknown-question", CancellationToken.None);

        result.Documents.Should().BeEmpty();
        result.Error.Should().Contain("422").And.Contain("'unknown-question'");
    }

    [Fact]
    public async Task An_unreachable_service_is_an_error_result_not_an_exception()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var remote = new RemoteRetriever(new Uri($"http://127.0.0.1:{port}"));

        var result = await remote.RetrieveAsync("tower", 3, null, CancellationToken.None);

        result.Error.Should().Contain($"127.0.0.1:{port}").And.Contain("unreachable");
    }

    [Fact]
    public async Task A_silent_service_times_out_into_an_error_result()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(); // accepts connections, never answers
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var remote = new RemoteRetriever(new Uri($"http://127.0.0.1:{port}/retrieve"), timeout: TimeSpan.FromMilliseconds(300));

        var result = await remote.RetrieveAsync("tower", 3, null, CancellationToken.None);

        result.Error.Should().Contain("no answer within 0.3 s");
    }

    [Theory]
    [InlineData("""[[{"document": {"id": 12, "content": "reference style"}, "score": 0.9}]]""", "12", "reference style", 0.9)]
    [InlineData("""[[{"document": {"id": "a", "contents": "flashrag style"}, "score": 3}]]""", "a", "flashrag style", 3.0)]
    [InlineData("""[[{"document": {"contents": "no id"}}]]""", "0", "no id", 0.0)]
    public void Reads_the_response_shapes_reference_servers_send(string body, string id, string contents, double score)
    {
        using var json = JsonDocument.Parse(body);

        RetrieveApi.ReadResponse(json.RootElement).Should().Equal(new RetrievedDocument(id, contents, score));
    }

    [Fact]
    public void A_response_without_contents_names_the_json_path()
    {
        using var json = JsonDocument.Parse("""[[{"document": {"id": 1, "contents": "x"}}, {"document": {"id": 2}}]]""");

        var act = () => RetrieveApi.ReadResponse(json.RootElement);

        act.Should().Throw<FormatException>().WithMessage("$[0][1].document: missing 'contents'*");
    }

    [Fact]
    public async Task A_foreign_host_a_non_json_body_and_an_oversized_request_are_refused_before_any_search()
    {
        using var foreign = new HttpRequestMessage(HttpMethod.Post, new Uri(_f.Server.Address, "retrieve"))
        {
            Content = new StringContent("""{"queries": ["tower"], "topk": 1}""", Encoding.UTF8, "application/json"),
        };
        foreign.Headers.Host = "rebound.example";
        ((int)(await Http.SendAsync(foreign)).StatusCode).Should().Be(403);

        var plain = await Http.PostAsync(new Uri(_f.Server.Address, "retrieve"), new StringContent("""{"queries": ["tower"], "topk": 1}""", Encoding.UTF8, "text/plain"));
        ((int)plain.StatusCode).Should().Be(415, "a web page's simple cross-site request cannot be JSON");

        var many = await PostAsync(JsonSerializer.Serialize(new { queries = Enumerable.Repeat("q", RetrievalServer.MaxQueries + 1), topk = 1 }));
        ((int)many.StatusCode).Should().Be(413);
        (await many.Content.ReadAsStringAsync()).Should().Contain($"at most {RetrievalServer.MaxQueries}");

        var huge = await PostWaitingForContinueAsync(JsonSerializer.Serialize(new { queries = Enumerable.Repeat(new string('q', 1000), 1300), topk = 1 }));
        ((int)huge.StatusCode).Should().Be(413, "1.3 MB is over the 1 MiB body cap");
    }

    /// <summary>
    /// Refused on its Content-Length, an oversized body is never read: a client still sending it when the server closes
    /// the connection gets a broken pipe instead of the 413 (it happened under load). Asking <c>Expect: 100-continue</c>,
    /// as curl does for large bodies, the client sends the body only once the server agrees, so it always reads the 413;
    /// the wait is unbounded so that a slow machine cannot make the client give up waiting and send it anyway.
    /// </summary>
    private async Task<HttpResponseMessage> PostWaitingForContinueAsync(string body)
    {
        using var http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = Timeout.InfiniteTimeSpan });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_f.Server.Address, "retrieve"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        return await http.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostAsync(string body) =>
        Http.PostAsync(new Uri(_f.Server.Address, "retrieve"), new StringContent(body, Encoding.UTF8, "application/json"));
}
