using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests;

public sealed class ModelClientTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ModelClientFactory Factory(int retries = 3, double attemptTimeoutSeconds = 30, string? endpoint = null)
    {
        var model = new ModelEntry("m", endpoint ?? _server.BaseUrl, "provider/m", new Price(1.25m, 10m), ["proprietary"]);
        var catalog = new Catalog(new OrchestratorSettings("m"), new Dictionary<string, ModelEntry> { ["m"] = model },
            new Dictionary<string, AliasEntry>(), new ToolPrices(), new Limits());
        return new ModelClientFactory(catalog, retry: new RetrySettings(retries, TimeSpan.FromSeconds(attemptTimeoutSeconds), TimeSpan.FromMilliseconds(5)));
    }

    private static ChatOptions Scoped(Ledger ledger) => new LedgerScope(ledger, 1, CallKind.Expert, "answer", "answer-1").Apply(new ChatOptions());

    [Fact]
    public async Task Tool_calls_from_the_wire_and_usage_are_accounted_exactly()
    {
        _server.Script("provider/m", FakeReply.Call("search", new { model = "search-2" }, prompt: 1000, completion: 200));
        var ledger = new Ledger();
        var response = await Factory().For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Scoped(ledger));

        var call = response.Messages.Single().Contents.OfType<FunctionCallContent>().Single();
        call.Name.Should().Be("search");
        call.Arguments!["model"]!.ToString().Should().Be("search-2");
        var entry = ledger.Entries.Single();
        entry.InputTokens.Should().Be(1000);
        entry.OutputTokens.Should().Be(200);
        entry.CostUsd.Should().Be(0.00325m); // 1000 × 1.25/1e6 + 200 × 10/1e6
        entry.TokensEstimated.Should().BeFalse();
        entry.Alias.Should().Be("answer-1");
    }

    [Fact]
    public async Task Hermes_blocks_in_content_become_calls_and_reasoning_stays_out_of_the_text()
    {
        _server.Script("provider/m", new FakeReply(Content:
            "<think>I need facts first.</think>\nLet me search.\n<tool_call>\n{\"name\": \"search\", \"arguments\": {\"model\": \"search-1\"}}\n</tool_call>"));
        var response = await Factory().For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")]);

        var contents = response.Messages.Single().Contents;
        contents.OfType<TextReasoningContent>().Single().Text.Should().Be("I need facts first.");
        response.Text.Should().Be("Let me search.");
        var call = contents.OfType<FunctionCallContent>().Single();
        (call.Name, call.Arguments!["model"]!.ToString(), call.Exception).Should().Be(("search", "search-1", (Exception?)null));
        response.AdditionalProperties![HermesToolCallChatClient.RawContentKey].Should().BeOfType<string>().Which.Should().Contain("<tool_call>");
    }

    [Fact]
    public async Task A_hermes_block_that_is_not_json_becomes_a_call_with_an_error()
    {
        _server.Script("provider/m", new FakeReply(Content: "<tool_call>{\"name\": \"search\", \"arguments\": {model: search-1}</tool_call>"));
        var response = await Factory().For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")]);
        var call = response.Messages.Single().Contents.OfType<FunctionCallContent>().Single();
        call.Exception.Should().NotBeNull();
        call.Exception!.Message.Should().Contain("not valid JSON");
    }

    [Fact]
    public async Task Retries_429_500_and_slow_replies_then_succeeds()
    {
        _server.Script("provider/m",
            FakeReply.Error(429, retryAfterSeconds: 0),
            FakeReply.Error(500),
            FakeReply.Slow(TimeSpan.FromSeconds(5), new FakeReply(Content: "late")),
            new FakeReply(Content: "ok", PromptTokens: 10, CompletionTokens: 2));
        var ledger = new Ledger();
        var response = await Factory(retries: 3, attemptTimeoutSeconds: 1).For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(ledger));

        response.Text.Should().Be("ok");
        _server.Requests.Should().HaveCount(4);
        ledger.Entries.Single().InputTokens.Should().Be(10); // failed attempts are not billed
        ledger.Entries.Single().LatencySeconds.Should().BeGreaterThan(1.0); // but their time counts
    }

    [Fact]
    public async Task Gives_up_after_the_retries_with_a_message_naming_the_endpoint()
    {
        _server.Script("provider/m", FakeReply.Error(503), FakeReply.Error(503));
        var act = () => Factory(retries: 1).For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")]);
        (await act.Should().ThrowAsync<EndpointException>()).Which.Message.Should().Contain(_server.BaseUrl).And.Contain("503");
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_named()
    {
        var act = () => Factory(retries: 0, endpoint: "http://127.0.0.1:9/v1").For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")]);
        (await act.Should().ThrowAsync<EndpointException>()).Which.Message.Should().Contain("http://127.0.0.1:9/v1").And.Contain("model 'm'");
    }

    [Fact]
    public async Task Missing_usage_is_estimated_and_flagged()
    {
        _server.Script("provider/m", new FakeReply(Content: new string('x', 400), OmitUsage: true));
        var ledger = new Ledger();
        await Factory().For("m").GetResponseAsync([new ChatMessage(ChatRole.User, new string('y', 800))], Scoped(ledger));
        var entry = ledger.Entries.Single();
        entry.TokensEstimated.Should().BeTrue();
        entry.OutputTokens.Should().Be(100);
        entry.InputTokens.Should().Be(204);
    }
}
