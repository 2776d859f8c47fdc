using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Protocol;

/// <summary>examples/catalog.paper.json describes the QA tools exactly as the reference's evaluation/tools.json does.</summary>
public sealed class PaperCatalogToolsTests
{
    [Fact]
    public async Task The_paper_catalog_sends_the_reference_tools_byte_for_byte()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var paper = CatalogLoader.Load(Path.Combine(Root(), "examples", "catalog.paper.json"));
        var catalog = paper with { Models = paper.Models.ToDictionary(m => m.Key, m => m.Value with { Endpoint = server.BaseUrl, ApiKeyEnv = null }) };
        server.Script(catalog.OrchestratorModel.Name, FakeReply.Call("answer", new { model = "answer-9" }));
        var models = new ModelClientFactory(catalog, CharTokenCounter.Instance, new RetrySettings(0, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5)));
        var runner = new QaEpisodeRunner(catalog, models, new LlmQaPolicy(models.For(catalog.Orchestrator.Model), catalog.Orchestrator),
            QaToolServices.None, CharTokenCounter.Instance, variant: QaProtocolVariant.Hle);

        await runner.RunAsync(new QaRunRequest("What is 2+2?", Preferences.None, MaxTurns: 1));

        // The tools go out as the reference's tools.json reads: same keys in the same order, nothing added.
        var sent = server.Requests.Single().Body["tools"]!.AsArray();
        var reference = ReferenceGoldenTests.Load("hle")["tools"]!.AsArray();
        sent.Should().HaveCount(reference.Count);
        for (var i = 0; i < reference.Count; i++)
            sent[i]!.ToJsonString().Should().Be(reference[i]!.ToJsonString(), $"tool {i + 1} is the reference's, key order included");
    }

    [Fact]
    public void The_charged_prices_stay_the_catalogs_not_the_row_written_for_display()
    {
        var paper = CatalogLoader.Load(Path.Combine(Root(), "examples", "catalog.paper.json"));
        paper.Aliases["answer-math-2"].TableRow.Should().Contain("$$0.2");
        paper.ModelFor("answer-math-2").Price.Should().Be(new Price(0.2m, 0.2m));
        paper.ModelFor("search-1").Price.Should().Be(new Price(1.25m, 10m)); // not the reference eval's 1.25/1e7 slip
    }

    private static string Root()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "ToolOrchestra.slnx"))) dir = Path.GetDirectoryName(dir)!;
        return dir;
    }
}
