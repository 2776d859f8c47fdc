using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests.Wire;

/// <summary>
/// Tools reach the endpoint exactly as declared (what vLLM renders into the chat template): the reference's key
/// order (<c>type</c>, <c>function</c>: <c>name</c>, <c>description</c>, <c>parameters</c>), the schema's own key
/// order, and no <c>"additionalProperties": false</c> added.
/// </summary>
public sealed class ToolsOnTheWireTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    // Keys deliberately out of any sorted or SDK order; "title" is one the SDK's schema model does not know.
    private const string Schema = """{"properties":{"model":{"description":"Choices: ['a-1'].","type":"string"}},"required":["model"],"title":"parameters","type":"object"}""";

    // As the fake server prints what it received (key order kept, default escaping).
    private static readonly string Expected = System.Text.Json.Nodes.JsonNode.Parse(
        """[{"type":"function","function":{"name":"answer","description":"Answer the question","parameters":""" + Schema + "}}]")!.ToJsonString();

    private IChatClient Client()
    {
        var model = new ModelEntry("m", _server.BaseUrl, "provider/m", new Price(1m, 1m), []);
        var catalog = new Catalog(new OrchestratorSettings("m"), new Dictionary<string, ModelEntry> { ["m"] = model },
            new Dictionary<string, AliasEntry>(), new ToolPrices(), new Limits());
        return new ModelClientFactory(catalog, retry: new RetrySettings(0, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5))).For("m");
    }

    private static ChatOptions WithTool() =>
        new() { Tools = [AIFunctionFactory.CreateDeclaration("answer", "Answer the question", JsonDocument.Parse(Schema).RootElement)] };

    [Fact]
    public async Task A_request_carries_the_tools_exactly_as_declared()
    {
        _server.Script("provider/m", FakeReply.Call("answer", new { model = "a-1" }));

        await Client().GetResponseAsync([new ChatMessage(ChatRole.User, "q")], WithTool());

        _server.Requests.Single().ToolsJson.Should().Be(Expected);
        _server.Requests.Single().LastUserText.Should().Be("q", "the rest of the body is untouched");
    }

    [Fact]
    public async Task A_streamed_request_carries_them_the_same_way()
    {
        _server.Script("provider/m", new FakeReply("done"));

        await foreach (var _ in Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "q")], WithTool())) { }

        _server.Requests.Single().ToolsJson.Should().Be(Expected);
        _server.Requests.Single().Body["stream"]!.GetValue<bool>().Should().BeTrue();
    }
}
