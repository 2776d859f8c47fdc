using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Protocol;

/// <summary>
/// Each scripted episode of Golden/{variant}.json run through our runner: every orchestrator request (messages and
/// offered tools), every expert request (model, messages, temperature, max tokens), every retrieval (query, top_k)
/// and every executed code must equal what the reference's own eval loop produced for the same replies.
/// </summary>
public sealed class ReferenceGoldenTests
{
    private const string OrchestratorName = "orchestrator";

    public static TheoryData<string, string> Episodes()
    {
        var data = new TheoryData<string, string>();
        foreach (var variant in new[] { "hle", "frames", "train" })
            foreach (var e in Load(variant)["episodes"]!.AsArray())
                data.Add(variant, e!["name"]!.GetValue<string>());
        return data;
    }

    [Theory]
    [MemberData(nameof(Episodes))]
    public async Task Every_request_matches_the_reference(string variant, string name)
    {
        var fixture = Load(variant);
        var episode = fixture["episodes"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == name)!;
        var expected = episode["expected"]!;
        await using var server = await FakeOpenAiServer.StartAsync();
        var catalog = CatalogFor(server.BaseUrl, fixture["model_mapping"]!.AsObject());

        server.Script(OrchestratorName, [.. episode["turns"]!.AsArray().Select(t => new FakeReply(
            Content: t!["content"]?.GetValue<string>() ?? "",
            ToolCalls: t["calls"]!.AsArray().Select(c => new FakeToolCall(c!["name"]!.GetValue<string>(), c["arguments"]!.GetValue<string>())).ToList()))]);
        var replies = episode["experts"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        var expertModels = expected["experts"]!.AsArray().Select(r => r!["model"]!.GetValue<string>()).ToList();
        foreach (var group in expertModels.Select((m, i) => (m, i)).GroupBy(x => x.m))
            server.Script(group.Key, [.. group.Select(x => new FakeReply(replies[x.i]))]);
        var retriever = new ScriptedRetriever(episode["retrieval"]!.AsArray().Select(r => (IReadOnlyList<string>)r!.AsArray().Select(d => d!.GetValue<string>()).ToList()));
        var code = new ScriptedCodeRunner(episode["code"]!.AsArray().Select(c => c!.GetValue<string>()));

        var models = new ModelClientFactory(catalog, GoldenTokenizer.Instance, new RetrySettings(0, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5)));
        var runner = new QaEpisodeRunner(catalog, models, new LlmQaPolicy(models.For(OrchestratorName), catalog.Orchestrator),
            new QaToolServices(retriever, code), GoldenTokenizer.Instance, variant: QaProtocolVariant.Parse(variant));
        var turns = episode["turns"]!.AsArray().Count;
        await runner.RunAsync(new QaRunRequest(episode["problem"]!.GetValue<string>(), Preferences.None, MaxTurns: turns, Eid: episode["id"]!.GetValue<string>()));

        var orchestrator = server.Requests.Where(r => r.Model == OrchestratorName).ToList();
        var want = expected["orchestrator"]!.AsArray();
        orchestrator.Should().HaveCount(want.Count);
        for (var i = 0; i < want.Count; i++)
        {
            Messages(orchestrator[i].Messages).Should().Equal(Messages(want[i]!["messages"]!.AsArray()), $"orchestrator turn {i + 1}");
            orchestrator[i].ToolNames.Should().Equal(want[i]!["tools"]!.AsArray().Select(t => t!.GetValue<string>()), $"tools offered in turn {i + 1}");
        }

        var experts = server.Requests.Where(r => r.Model != OrchestratorName).ToList();
        var wantExperts = expected["experts"]!.AsArray();
        experts.Should().HaveCount(wantExperts.Count);
        for (var i = 0; i < wantExperts.Count; i++)
        {
            var w = wantExperts[i]!;
            experts[i].Model.Should().Be(w["model"]!.GetValue<string>(), $"expert request {i + 1}");
            Messages(experts[i].Messages).Should().Equal(Messages(w["messages"]!.AsArray()), $"expert request {i + 1} to {experts[i].Model}");
            experts[i].Body["temperature"]!.GetValue<double>().Should().BeApproximately(w["temperature"]!.GetValue<double>(), 1e-6, $"expert request {i + 1}");
            MaxTokens(experts[i].Body).Should().Be(w["max_tokens"]!.GetValue<int>(), $"expert request {i + 1}");
        }

        retriever.Calls.Should().Equal(expected["retrievals"]!.AsArray().Select(r => (r!["query"]!.GetValue<string>(), r["topk"]!.GetValue<int>())));
        code.Codes.Should().Equal(expected["code"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    private static List<string> Messages(JsonArray messages) =>
        messages.Select(m => $"{m!["role"]!.GetValue<string>()}\u0001{m["content"]!.GetValue<string>()}").ToList();

    private static int MaxTokens(JsonNode body) => (body["max_completion_tokens"] ?? body["max_tokens"])!.GetValue<int>();

    /// <summary>The reference's alias mapping as a catalog; families come from the model names, as the reference's branches do.</summary>
    private static Catalog CatalogFor(string baseUrl, JsonObject mapping)
    {
        var models = new Dictionary<string, ModelEntry>
        {
            [OrchestratorName] = new(OrchestratorName, baseUrl, OrchestratorName, new Price(0.2m, 0.2m), ["local"], Family: ModelFamily.Qwen),
        };
        var aliases = new Dictionary<string, AliasEntry>();
        foreach (var (alias, model) in mapping)
        {
            var name = model!.GetValue<string>();
            models.TryAdd(name, new ModelEntry(name, baseUrl, name, new Price(1m, 1m), [], Family: ExpertContextLimits.InferFamily(name)));
            aliases[alias] = new AliasEntry(alias, name);
        }
        return new Catalog(new OrchestratorSettings(OrchestratorName), models, aliases, new ToolPrices(), new Limits());
    }

    internal static JsonNode Load(string variant)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "ToolOrchestra.slnx"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "tests", "ToolOrchestra.Runtime.Tests", "Protocol", "Golden", variant + ".json")))!;
    }
}
