using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Core.Tests;

public sealed class CatalogLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("catalog-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private const string Minimal = """
        {"orchestrator":{"model":"orch"},
         "models":{"orch":{"endpoint":"http://127.0.0.1:8000/v1","name":"nvidia/Orchestrator-8B","price":{"input_per_million":0.2,"output_per_million":0.2},"tags":["local"]},
                   "gpt-5":{"endpoint":"https://api.openai.com/v1","name":"gpt-5","api_key_env":"OPENAI_API_KEY","price":{"input_per_million":1.25,"output_per_million":10},"tags":["proprietary"]}},
         "aliases":{"answer-1":"gpt-5","search-1":{"model":"gpt-5","latency_s":22}},
         "tool_prices":{"code_per_second":0.0000083,"web_search_per_call":0.01,"web_extract_per_doc":0.002}}
        """;

    [Fact]
    public void Loads_the_minimal_catalog_from_the_issue()
    {
        var c = CatalogLoader.Load(Write(Minimal));
        c.OrchestratorModel.Name.Should().Be("nvidia/Orchestrator-8B");
        c.ModelFor("answer-1").Price.Should().Be(new Price(1.25m, 10m));
        c.Aliases["search-1"].LatencySeconds.Should().Be(22);
        c.Models["gpt-5"].Family.Should().Be(ModelFamily.Gpt);
        c.Models["orch"].Family.Should().Be(ModelFamily.Qwen);
        c.ToolPrices.CodePerSecond.Should().Be(0.0000083m);
        c.Limits.MaxTurns.Should().Be(50);
    }

    [Theory]
    [InlineData("examples/catalog.paper.json")]
    [InlineData("examples/catalog.local.json")]
    public void Shipped_example_catalogs_load(string relative)
    {
        var c = CatalogLoader.Load(Path.Combine(SharedData.RepoRoot, relative));
        c.Aliases.Keys.Should().Contain(["search-1", "reasoner-3", "answer-4", "answer-math-2", "expert-3"]);
    }

    [Fact]
    public void The_paper_catalog_carries_the_correct_price_table()
    {
        var c = CatalogLoader.Load(Path.Combine(SharedData.RepoRoot, "examples/catalog.paper.json"));
        // reference §4 with the input prices the reference code gets wrong (/1e7) put right
        c.ModelFor("answer-1").Price.Should().Be(new Price(1.25m, 10m));
        c.ModelFor("answer-2").Price.Should().Be(new Price(0.25m, 2m));
        c.ModelFor("answer-3").Price.Should().Be(new Price(0.9m, 0.9m));
        c.ModelFor("answer-4").Price.Should().Be(new Price(0.8m, 0.8m));
        c.ModelFor("answer-math-2").Price.Should().Be(new Price(0.2m, 0.2m));
        c.ModelFor("reasoner-3").Name.Should().Be("Qwen/Qwen2.5-Coder-32B-Instruct");
        c.OrchestratorModel.Price.Should().Be(new Price(0.2m, 0.2m));
        c.Models["gpt-5"].Price.CostOf(1_000_000, 1_000_000).Should().Be(11.25m);
    }

    [Theory]
    [InlineData("""{"orchestrator":{"model":"nope"},"models":{"a":{"endpoint":"http://x/v1","name":"a","price":{"input_per_million":1,"output_per_million":1}}}}""", "$.orchestrator.model: unknown model 'nope'")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{"endpoint":"http://x/v1","name":"a","price":{"input_per_million":-1,"output_per_million":1}}}}""", "$.models.a.price.input_per_million: must be at least 0")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{"endpoint":"localhost:8000","name":"a","price":{"input_per_million":1,"output_per_million":1}}}}""", "$.models.a.endpoint: 'localhost:8000' is not an http(s) URL")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{"endpoint":"http://x/v1","name":"a"}}}""", "$.models.a: missing required field 'price'")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{"endpoint":"http://x/v1","name":"a","price":{"input_per_million":"1","output_per_million":1}}}}""", "$.models.a.price.input_per_million: expected a number, found the string \"1\"")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{"endpoint":"http://x/v1","name":"a","price":{"input_per_million":1,"output_per_million":1}}},"aliases":{"answer-1":"b"}}""", "$.aliases.answer-1: unknown model 'b'")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{"endpoint":"http://x/v1","name":"a","price":{"input_per_million":1,"output_per_million":1}}},"tool_price":{}}""", "$.tool_price: unknown field")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{"endpoint":"http://x/v1","name":"a","family":"mistral","price":{"input_per_million":1,"output_per_million":1}}}}""", "$.models.a.family: unknown family 'mistral'")]
    [InlineData("""{"orchestrator":{"model":"a"}, "models": {""", "not valid JSON (line 1")]
    public void Malformed_catalogs_name_the_file_the_path_and_the_problem(string json, string expected)
    {
        var path = Write(json);
        var act = () => CatalogLoader.Load(path);
        act.Should().Throw<UserError>().Which.Message.Should().StartWith(path + ": ").And.Contain(expected);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var act = () => CatalogLoader.Load("/nowhere/catalog.json");
        act.Should().Throw<UserError>().WithMessage("/nowhere/catalog.json: file not found*");
    }
}
