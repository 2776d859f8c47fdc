using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests;

/// <summary>The pipeline's budget step: what a call may cost at worst is held before it is sent; nested orchestrators get what is left.</summary>
public sealed class BudgetClientTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ModelClientFactory Factory(ModelApi api = ModelApi.Chat, int? maxOutputTokens = null)
    {
        var model = new ModelEntry("m", _server.BaseUrl, "provider/m", new Price(1m, 1m), ["proprietary"], MaxOutputTokens: maxOutputTokens, Api: api);
        var catalog = new Catalog(new OrchestratorSettings("m"), new Dictionary<string, ModelEntry> { ["m"] = model },
            new Dictionary<string, AliasEntry>(), new ToolPrices(), new Limits());
        return new ModelClientFactory(catalog, retry: new RetrySettings(3, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5)));
    }

    private static ChatOptions Scoped(Ledger ledger, int? maxTokens = null) =>
        new LedgerScope(ledger, 1, CallKind.Expert, "answer", "answer-1").Apply(new ChatOptions { MaxOutputTokens = maxTokens });

    [Fact]
    public async Task A_call_whose_worst_case_would_cross_the_budget_is_refused_before_it_is_sent()
    {
        var prompt = new string('x', 1000);
        // Worst case at $1/M: 1000 bytes + 16 a message + 256 of template, plus 1000 output tokens = $0.002272.
        var ledger = new Ledger(budgetUsd: 0.002271m);
        var refused = await FluentActions.Awaiting(() => Factory().For("m").GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], Scoped(ledger, 1000)))
            .Should().ThrowAsync<BudgetExhaustedException>();
        refused.Which.WorstCaseUsd.Should().Be(0.002272m);
        _server.Requests.Should().BeEmpty();

        _server.Script("provider/m", new FakeReply("ok", PromptTokens: 300, CompletionTokens: 10));
        var fits = new Ledger(budgetUsd: 0.002272m);
        await Factory().For("m").GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], Scoped(fits, 1000));
        fits.CostUsd.Should().Be(0.00031m);
        fits.AvailableUsd.Should().Be(0.002272m - 0.00031m, "the hold is released once the call is billed");
    }

    [Fact]
    public async Task A_bounded_call_without_max_tokens_is_sent_with_the_catalogs_so_its_worst_case_is_real()
    {
        _server.Script("provider/m", new FakeReply("ok"), new FakeReply("ok"));
        await Factory(maxOutputTokens: 700).For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(new Ledger(budgetUsd: 1m)));
        await Factory(maxOutputTokens: 700).For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(new Ledger()));

        _server.Requests[0].Body["max_completion_tokens"]!.GetValue<int>().Should().Be(700);
        _server.Requests[1].Body["max_completion_tokens"].Should().BeNull("an unbounded call is sent as asked");
    }

    [Fact]
    public async Task A_nested_orchestrator_gets_what_is_left_of_the_budget_and_a_failed_one_is_billed_what_it_spent_once()
    {
        _server.Script("provider/m", new FakeReply(Status: 502,
            ErrorBody: """{"error":{"message":"an upstream model endpoint failed","type":"server_error","code":"upstream_error","orchestra":{"run_id":"inner-1","cost_usd":0.0123,"wall_s":1.5}}}"""));
        var ledger = new Ledger(budgetUsd: 0.05m);
        ledger.Record(new LedgerEntry(1, CallKind.Orchestrator, "orchestrator", null, "orch", 0, 0, 0.01m, 0));

        await FluentActions.Awaiting(() => Factory(ModelApi.Orchestra).For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(ledger)))
            .Should().ThrowAsync<EndpointException>();

        _server.Requests.Should().ContainSingle("a failed run that spent money is not retried: a second attempt would spend again")
            .Which.Headers[OrchestrationChain.BudgetHeader.ToLowerInvariant()].Should().Be("0.04");
        var billed = ledger.Entries.Last();
        (billed.CostUsd, billed.InnerRunId, billed.LatencySeconds).Should().Be((0.0123m, "inner-1", 1.5));
        ledger.AvailableUsd.Should().Be(0.05m - 0.01m - 0.0123m);
    }
}
