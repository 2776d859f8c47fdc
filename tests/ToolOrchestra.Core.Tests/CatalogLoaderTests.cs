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

    private const string M = "\"endpoint\":\"http://x/v1\",\"name\":\"a\",\"price\":{\"input_per_million\":1,\"output_per_million\":1}";

    [Theory]
    [InlineData("""{"orchestrator":{"model":"a","temp":1},"models":{"a":{M}}}""", "$.orchestrator.temp: unknown field; expected one of: model, temperature, max_output_tokens, protocol.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M,"colour":"red"}}}""", "$.models.a.colour: unknown field; expected one of: profile, endpoint, name")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M,"profile":"other.json"}}}""", "$.models.a: give either \"endpoint\" or \"profile\", not both.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{"name":"a","price":{"input_per_million":1,"output_per_million":1}}}}""", "$.models.a: missing required field 'endpoint' (give one of \"endpoint\" or \"profile\").")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{}}""", "$.models: declare at least one model.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M}},"aliases":{"answer-1":3}}""", "$.aliases.answer-1: expected a string (model id) or an object, found the number 3.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M}},"aliases":{"answer-1":{"latency_s":3}}}""", "$.aliases.answer-1: missing required field 'model'.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M}},"aliases":{"answer-1":{"model":"a","latency_s":-2}}}""", "$.aliases.answer-1.latency_s: must be at least 0, found -2.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M,"api":"grpc"}}}""", "$.models.a.api: unknown api 'grpc'; use one of: chat, completions, orchestra.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M,"tags":["x",2]}}}""", "$.models.a.tags[1]: expected a string, found the number 2.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M}},"limits":{"request_timeout_s":100000}}""", "$.limits.request_timeout_s: must be between 0.01 and 86400, found 100000.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M}},"limits":{"max_turns":0}}""", "$.limits.max_turns: must be at least 1, found 0.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M}},"tool_descriptions":{"qa":{"style":"fancy"}}}""", "$.tool_descriptions.qa.style: unknown style 'fancy'; use one of: markdown, reference.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M}},"tool_prices":{"per_tool":{"mcp.x":"free"}}}""", "$.tool_prices.per_tool.mcp.x: expected a number, found the string \"free\".")]
    [InlineData("""{"orchestrator":{"model":"a","protocol":"hle2"},"models":{"a":{M}}}""", "$.orchestrator.protocol: unknown protocol 'hle2'; use one of: legacy, hle, frames, train.")]
    [InlineData("""{"models":{"a":{M}}}""", "$: missing required field 'orchestrator'.")]
    [InlineData("""{"orchestrator":{"model":"a"},"models":{"a":{M}},"aliases":{"Answer 1":"a"}}""", "$.aliases.Answer 1: 'Answer 1' is not a valid name here; use lower-case letters, digits, '_', '.' and '-', e.g. answer-1.")]
    [InlineData("""{"orchestrator":{"model":"a","temperature":null},"models":{"a":{M}}}""", "$.orchestrator.temperature: expected a number, found null.")]
    public void Schema_violations_read_as_one_line_with_the_path_and_the_fix(string json, string expected)
    {
        var path = Write(json.Replace("{M", "{" + M));
        var act = () => CatalogLoader.Load(path);
        act.Should().Throw<UserError>().Which.Message.Should().StartWith(path + ": ").And.Contain(expected).And.NotContain("\n");
    }

    [Fact]
    public void Every_field_the_loader_reads_is_in_the_schema()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "{}");
        File.WriteAllText(Path.Combine(_dir, "inner.json"), Minimal);
        var c = CatalogLoader.Load(Write("""
            {"$schema":"../schemas/catalog.schema.json",
             "orchestrator":{"model":"a","temperature":0.5,"max_output_tokens":100,"protocol":"hle"},
             "models":{"a":{"endpoint":"http://x/v1","name":"a","api_key_env":"K","price":{"input_per_million":1,"output_per_million":2},
                            "tags":["t"],"family":"qwen_math","temperature":0.2,"max_output_tokens":10,
                            "context":{"code_tokens":1,"context_tokens":2,"doc_chars":3},"api":"completions","tokenizer":"tokenizer.json"},
                       "inner":{"profile":"inner.json","name":"inner","price":{"input_per_million":0,"output_per_million":0}}},
             "aliases":{"answer-1":"a","expert-1":{"model":"inner","latency_s":1.5,"description":"d","table_row":"r"}},
             "tool_prices":{"code_per_second":1,"web_search_per_call":2,"web_extract_per_doc":3,"local_search_per_call":4,"per_tool":{"mcp.x":5}},
             "tool_descriptions":{"qa":{"description":"d","model_lead":"m","table_intro":"t","style":"reference"}},
             "limits":{"max_turns":2,"max_errors":3,"request_timeout_s":4,"max_retries":0,"budget_usd":6,"budget_s":7}}
            """));
        c.Orchestrator.Should().Be(new OrchestratorSettings("a", 0.5, 100, "hle"));
        var a = c.Models["a"];
        (a.Family, a.Api, a.Context, a.ApiKeyEnv, a.MaxOutputTokens).Should().Be((ModelFamily.QwenMath, ModelApi.Completions, new ExpertContextLimits(1, 2, 3), "K", 10));
        c.Models["inner"].Api.Should().Be(ModelApi.Orchestra);
        c.Aliases["expert-1"].Should().Be(new AliasEntry("expert-1", "inner", 1.5, "d", "r"));
        c.ToolPrices.WebExtractPerDoc.Should().Be(3m);
        c.ToolPrices.PerTool!["mcp.x"].Should().Be(5m);
        c.DescriptionFor("qa")!.Style.Should().Be(ToolDescriptionStyle.Reference);
        c.Limits.Should().Be(new Limits(2, 3, 4, 0, 6m, 7));
    }

    [Fact]
    public void The_schema_travels_inside_the_library() =>
        // embedded, so a catalog validates where the repository's schemas/ folder is not
        CatalogSchema.Text.Should().Contain("\"tool_descriptions\"").And.Contain("\"per_tool\"");

    [Fact]
    public void A_missing_file_is_named()
    {
        var act = () => CatalogLoader.Load("/nowhere/catalog.json");
        act.Should().Throw<UserError>().WithMessage("/nowhere/catalog.json: file not found*");
    }
}
