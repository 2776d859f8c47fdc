using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Server.Tests;

/// <summary>
/// Calls per alias as <c>orchestra serve</c> reports them, on a scripted run over a real index: two search turns with
/// search-2 then an answer. Each search is one model call (the expert writing the query) and one retrieval; the reply
/// and the dashboard count the first under search-2 and the second apart, as a tool execution of search.
/// </summary>
public sealed class CallCountTests() : FakeModelsServer("serve-calls-")
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var corpus = Path.Combine(Dir, "corpus.jsonl");
        File.WriteAllLines(corpus,
        [
            """{"id": "d1", "contents": "Zorblat Industries was founded in 1911 by Mira Quell in the city of Vantor."}""",
            """{"id": "d2", "contents": "Vantor is a river port with a population of 81,000."}""",
        ]);
        var index = Path.Combine(Dir, "index.db");
        LocalIndexBuilder.Build(corpus, index);
        await StartAsync($$"""
        {
          "orchestrator": { "model": "orch" },
          "models": {
            "orch": { "endpoint": "{{Models.BaseUrl}}", "name": "orch-model", "price": { "input_per_million": 0.2, "output_per_million": 0.2 }, "family": "qwen" },
            "big": { "endpoint": "{{Models.BaseUrl}}", "name": "big-model", "price": { "input_per_million": 1.25, "output_per_million": 10 }, "family": "gpt" },
            "small": { "endpoint": "{{Models.BaseUrl}}", "name": "small-model", "price": { "input_per_million": 0.8, "output_per_million": 0.8 }, "family": "qwen" }
          },
          "aliases": { "search-2": { "model": "small" }, "answer-1": { "model": "big" } },
          "limits": { "max_retries": 0 }
        }
        """, o =>
        {
            o.Index = index;
            o.TopK = 2;
        });
    }

    [Fact]
    public async Task Two_search_turns_are_two_calls_to_the_search_alias_and_two_retrievals_counted_apart()
    {
        Models.Script("orch-model",
            FakeReply.Call("search", new { model = "search-2" }), FakeReply.Call("search", new { model = "search-2" }), FakeReply.Call("answer", new { model = "answer-1" }));
        Models.Script("small-model", new FakeReply("<query>Zorblat Industries founded</query>"), new FakeReply("<query>Zorblat Industries founder</query>"));
        Models.Script("big-model", new FakeReply("<answer>1911</answer>"));

        var body = new JsonObject
        {
            ["model"] = "orchestrator",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "When was Zorblat Industries founded?" }),
        };
        using var response = await Http.PostAsync(new Uri(Server.Address, "v1/chat/completions"), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var orchestra = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["orchestra"]!;

        orchestra["calls"]!.AsObject().Select(kv => (kv.Key, kv.Value!.GetValue<int>()))
            .Should().Equal(("answer-1", 1), ("orchestrator", 3), ("search-2", 2));
        orchestra["tool_executions"]!.AsObject().Select(kv => (kv.Key, kv.Value!.GetValue<int>())).Should().Equal(("search", 2));

        var spend = JsonNode.Parse(await Http.GetStringAsync(new Uri(Server.Address, "ui/api/spend")))!;
        spend["per_alias"]!.AsArray().Select(a => (a!["alias"]!.GetValue<string>(), a["calls"]!.GetValue<long>()))
            .Should().Equal(("orchestrator", 3L), ("search-2", 2L), ("answer-1", 1L));
        spend["per_alias"]!.AsArray().Single(a => a!["alias"]!.GetValue<string>() == "search-2")!["share"]!.GetValue<double>().Should().Be(33.3);
        spend["per_tool"]!.AsArray().Select(t => (t!["tool"]!.GetValue<string>(), t["calls"]!.GetValue<long>())).Should().Equal(("search", 2L));
    }
}
