using System.Net;
using System.Net.Sockets;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools.Retrieval;
using ToolOrchestra.Tools.Tests.Retrieval;
using ToolOrchestra.Tools.WebSearch;

namespace ToolOrchestra.Tools.Tests.WebSearch;

public sealed class TavilyRetrieverTests : IAsyncLifetime
{
    private static readonly string LongText = string.Concat(Enumerable.Repeat("The Eiffel Tower is 330 metres tall. ", 5));
    private static readonly ToolPrices Prices = new(WebSearchPerCall: 0.01m, WebExtractPerDoc: 0.002m);

    private FakeTavily _tavily = null!;

    public async Task InitializeAsync()
    {
        _tavily = await FakeTavily.StartAsync();
        _tavily.Pages["https://a.example/low"] = (0.31, LongText + "low");
        _tavily.Pages["https://b.example/high"] = (0.92, LongText + "high");
        _tavily.Pages["https://c.example/short"] = (0.85, "too short to keep");
        _tavily.Pages["https://d.example/blocked"] = (0.70, null);
    }

    public async Task DisposeAsync() => await _tavily.DisposeAsync();

    private TavilyRetriever Tavily(string key = FakeTavily.Key) =>
        new(new TavilyOptions { BaseUrl = _tavily.BaseUrl, ApiKey = key }, Prices);

    [Fact]
    public async Task Searches_extracts_and_ranks_by_Tavily_score_as_the_reference_does()
    {
        var result = await Tavily().RetrieveAsync("how tall is the Eiffel Tower", 10, null, CancellationToken.None);

        result.Error.Should().BeNull();
        result.Source.Should().Be("web");
        result.Documents.Select(d => d.Id).Should().Equal("https://b.example/high", "https://a.example/low");
        result.Documents[0].Contents.Should().EndWith("high");
        result.Documents[0].Score.Should().Be(0.92);
        // one search + three successful extractions (the short one is paid for, then dropped)
        result.CostUsd.Should().Be(0.01m + 3 * 0.002m);
        result.Seconds.Should().BePositive();

        var requests = _tavily.Requests.ToList();
        requests.Select(r => r.Path).Should().Equal("/search", "/extract");
        requests.Should().OnlyContain(r => r.Authorization == "Bearer " + FakeTavily.Key);
        var search = requests[0].Body;
        search["query"]!.GetValue<string>().Should().Be("how tall is the Eiffel Tower");
        search["search_depth"]!.GetValue<string>().Should().Be("advanced");
        search["max_results"]!.GetValue<int>().Should().Be(20);
        search["chunks_per_source"]!.GetValue<int>().Should().Be(5);
        var extract = requests[1].Body;
        extract["extract_depth"]!.GetValue<string>().Should().Be("advanced");
        extract["format"]!.GetValue<string>().Should().Be("text");
        extract["urls"]!.AsArray().Should().HaveCount(4);
    }

    [Fact]
    public async Task Top_k_caps_the_documents()
    {
        var result = await Tavily().RetrieveAsync("eiffel", 1, null, CancellationToken.None);

        result.Documents.Should().ContainSingle().Which.Id.Should().Be("https://b.example/high");
    }

    [Fact]
    public void Without_a_key_it_refuses_naming_the_variable()
    {
        var saved = Environment.GetEnvironmentVariable(TavilyOptions.ApiKeyVariable);
        Environment.SetEnvironmentVariable(TavilyOptions.ApiKeyVariable, null);
        try
        {
            var act = () => new TavilyRetriever(new TavilyOptions { BaseUrl = _tavily.BaseUrl });

            act.Should().Throw<UserError>().WithMessage("*TAVILY_API_KEY*");
        }
        finally
        {
            Environment.SetEnvironmentVariable(TavilyOptions.ApiKeyVariable, saved);
        }
    }

    [Fact]
    public async Task A_rejected_key_is_an_error_result()
    {
        var result = await Tavily("tvly-wrong").RetrieveAsync("eiffel", 5, null, CancellationToken.None);

        result.Documents.Should().BeEmpty();
        result.Error.Should().Contain("rejected the API key").And.Contain("TAVILY_API_KEY");
    }

    [Fact]
    public async Task An_unreachable_service_is_an_error_result()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var tavily = new TavilyRetriever(new TavilyOptions { BaseUrl = new Uri($"http://127.0.0.1:{port}"), ApiKey = "k" });

        var result = await tavily.RetrieveAsync("eiffel", 5, null, CancellationToken.None);

        result.Error.Should().Contain("unreachable");
    }

    [Fact]
    public async Task The_fallback_adds_web_documents_only_when_the_index_finds_fewer_than_three()
    {
        using var corpus = new TestCorpus();
        var local = new LocalIndexRetriever(corpus.Index, new ToolPrices(LocalSearchPerCall: 0.001m));
        var fallback = new FallbackRetriever(local, Tavily());

        var few = await fallback.RetrieveAsync("Eiffel's height", 10, null, CancellationToken.None);
        var requestsAfterFew = _tavily.Requests.Count;
        var many = await fallback.RetrieveAsync("tower Paris Tokyo London", 10, null, CancellationToken.None);

        few.Documents.Select(d => d.Id).Should().Equal("eiffel", "https://b.example/high", "https://a.example/low");
        few.Source.Should().Be("local+web");
        few.CostUsd.Should().Be(0.001m + 0.01m + 3 * 0.002m);
        requestsAfterFew.Should().Be(2);
        many.Documents.Should().HaveCount(4).And.OnlyContain(d => !d.Id.StartsWith("https://"));
        many.Source.Should().Be("local");
        _tavily.Requests.Count.Should().Be(2, "four local documents need no web search");
    }
}
