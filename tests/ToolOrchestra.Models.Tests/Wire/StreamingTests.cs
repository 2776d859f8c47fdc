using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests.Wire;

/// <summary>Streams go through the same stack as whole responses: retried until their first update, then billed once.</summary>
public sealed class StreamingTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync()
    {
        await TestCatalog.WarmUpAsync();
        _server = await FakeOpenAiServer.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(ChatResponse Response, int Updates)> StreamAsync(Ledger ledger, ModelApi api = ModelApi.Chat, int retries = 3)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in TestCatalog.Factory(_server.BaseUrl, api, retries).For("m").GetStreamingResponseAsync(TestCatalog.Question, TestCatalog.Scoped(ledger)))
            updates.Add(u);
        return (updates.ToChatResponse(), updates.Count);
    }

    [Theory]
    [InlineData(ModelApi.Chat)]
    [InlineData(ModelApi.Completions)]
    public async Task A_stream_that_fails_before_its_first_chunk_is_retried_and_billed_from_the_servers_usage(ModelApi api)
    {
        _server.Script("provider/m", FakeReply.Error(503), FakeReply.Slow(TimeSpan.FromSeconds(30), new FakeReply("late")),
            new FakeReply("streamed in several pieces", PromptTokens: 30, CompletionTokens: 6));
        var ledger = new Ledger();

        var (response, updates) = await StreamAsync(ledger, api);

        response.Text.Should().Be("streamed in several pieces");
        if (api == ModelApi.Chat) updates.Should().BeGreaterThan(3); // real server-sent events, not one cut-up reply
        _server.Requests.Should().HaveCount(3);
        var entry = ledger.Entries.Single();
        (entry.InputTokens, entry.OutputTokens, entry.TokensEstimated).Should().Be((30L, 6L, false));
        response.AdditionalProperties![LedgerChatClient.EntryKey].Should().Be(entry);
        response.Messages.Should().ContainSingle();
        if (api == ModelApi.Chat) _server.Requests.Last().Body["stream_options"]!["include_usage"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task A_stream_without_usage_is_estimated_and_flagged()
    {
        _server.Script("provider/m", new FakeReply(new string('x', 400), OmitUsage: true));
        var ledger = new Ledger();
        await StreamAsync(ledger);
        var entry = ledger.Entries.Single();
        (entry.TokensEstimated, entry.OutputTokens).Should().Be((true, 100L));
    }

    [Fact]
    public async Task A_stream_cut_after_its_first_chunk_fails_typed_is_not_replayed_and_bills_nothing()
    {
        _server.Script("provider/m", FakeReply.Broken(FakeFault.TruncatedBody), new FakeReply("never asked for"));
        var ledger = new Ledger();

        var act = () => StreamAsync(ledger);

        var e = (await act.Should().ThrowAsync<EndpointException>()).Which;
        e.Kind.Should().Be(EndpointFailureKind.TruncatedBody);
        e.Message.Should().Contain("model 'm'").And.Contain(_server.BaseUrl);
        _server.Requests.Should().HaveCount(1);
        ledger.Entries.Should().BeEmpty();
    }

    [Theory]
    [InlineData(FakeFault.MalformedJson, EndpointFailureKind.MalformedJson)]
    [InlineData(FakeFault.NonJsonContentType, EndpointFailureKind.NonJsonContentType)]
    public async Task A_broken_stream_is_typed_and_retried(FakeFault fault, EndpointFailureKind kind)
    {
        _server.Script("provider/m", FakeReply.Broken(fault), FakeReply.Broken(fault));
        var act = () => StreamAsync(new Ledger(), retries: 1);
        (await act.Should().ThrowAsync<EndpointException>()).Which.Kind.Should().Be(kind);
        _server.Requests.Should().HaveCount(2);
    }
}
