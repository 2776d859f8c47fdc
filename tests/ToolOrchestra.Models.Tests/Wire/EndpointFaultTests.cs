using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests.Wire;

/// <summary>
/// Every way an endpoint fails, against real HTTP on both wires: once, it is retried and billed once; always, it
/// surfaces as an <see cref="EndpointException"/> of the right kind naming the model and the URL, and nothing is billed.
/// </summary>
public sealed class EndpointFaultTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync()
    {
        await TestCatalog.WarmUpAsync();
        _server = await FakeOpenAiServer.StartAsync();
    }
    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, ModelApi> Faults()
    {
        var data = new TheoryData<string, ModelApi>();
        foreach (var api in new[] { ModelApi.Chat, ModelApi.Completions })
            foreach (var fault in Replies.Keys) data.Add(fault, api);
        return data;
    }

    private static readonly Dictionary<string, (Func<FakeReply> Reply, EndpointFailureKind Kind)> Replies = new()
    {
        ["429 with Retry-After"] = (() => FakeReply.Error(429, retryAfterSeconds: 0), EndpointFailureKind.RateLimited),
        ["500"] = (() => FakeReply.Error(500), EndpointFailureKind.ServerError),
        ["503"] = (() => FakeReply.Error(503), EndpointFailureKind.ServerError),
        ["hang past the attempt timeout"] = (() => FakeReply.Slow(TimeSpan.FromSeconds(30), new FakeReply("late")), EndpointFailureKind.Timeout),
        ["malformed JSON"] = (() => FakeReply.Broken(FakeFault.MalformedJson), EndpointFailureKind.MalformedJson),
        ["empty choices"] = (() => FakeReply.Broken(FakeFault.EmptyChoices), EndpointFailureKind.EmptyChoices),
        ["truncated body"] = (() => FakeReply.Broken(FakeFault.TruncatedBody), EndpointFailureKind.TruncatedBody),
        ["missing message"] = (() => FakeReply.Broken(FakeFault.MissingMessage), EndpointFailureKind.MissingMessage),
        ["non-JSON content type"] = (() => FakeReply.Broken(FakeFault.NonJsonContentType), EndpointFailureKind.NonJsonContentType),
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_fault_once_is_retried_and_billed_once(string fault, ModelApi api)
    {
        _server.Script("provider/m", Replies[fault].Reply(), new FakeReply("ok", PromptTokens: 10, CompletionTokens: 2));
        var ledger = new Ledger();

        var response = await TestCatalog.Factory(_server.BaseUrl, api).For("m").GetResponseAsync(TestCatalog.Question, TestCatalog.Scoped(ledger));

        response.Text.Should().Be("ok");
        _server.Requests.Should().HaveCount(2);
        var entry = ledger.Entries.Single();
        (entry.InputTokens, entry.OutputTokens, entry.TokensEstimated).Should().Be((10L, 2L, false));
        entry.CostUsd.Should().Be(0.0000325m); // 10 × 1.25/1e6 + 2 × 10/1e6
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_fault_every_time_surfaces_typed_naming_model_and_url_and_bills_nothing(string fault, ModelApi api)
    {
        var (reply, kind) = Replies[fault];
        _server.Script("provider/m", reply(), reply(), reply());
        var ledger = new Ledger();

        var act = () => TestCatalog.Factory(_server.BaseUrl, api, retries: 2).For("m").GetResponseAsync(TestCatalog.Question, TestCatalog.Scoped(ledger));

        var e = (await act.Should().ThrowAsync<EndpointException>()).Which;
        e.Kind.Should().Be(kind);
        e.Message.Should().Contain("model 'm'").And.Contain(_server.BaseUrl).And.Contain("3 attempts").And.Contain("Fix:");
        _server.Requests.Should().HaveCount(3);
        ledger.Entries.Should().BeEmpty();
    }

    [Theory]
    [InlineData(401, ModelApi.Chat)]
    [InlineData(404, ModelApi.Completions)]
    public async Task A_client_error_is_typed_and_not_retried(int status, ModelApi api)
    {
        _server.Script("provider/m", FakeReply.Error(status), new FakeReply("never asked for"));
        var act = () => TestCatalog.Factory(_server.BaseUrl, api).For("m").GetResponseAsync(TestCatalog.Question);

        var e = (await act.Should().ThrowAsync<EndpointException>()).Which;
        (e.Kind, e.IsTransient).Should().Be((EndpointFailureKind.ClientError, false));
        e.Message.Should().Contain($"HTTP {status}").And.Contain("1 attempt");
        _server.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_connection_failure()
    {
        var act = () => TestCatalog.Factory("http://127.0.0.1:9/v1", retries: 0).For("m").GetResponseAsync(TestCatalog.Question);
        var e = (await act.Should().ThrowAsync<EndpointException>()).Which;
        e.Kind.Should().Be(EndpointFailureKind.Connection);
        e.Message.Should().Contain("http://127.0.0.1:9/v1").And.Contain("start the server");
    }

    [Fact]
    public async Task Cancellation_by_the_caller_stays_a_cancellation()
    {
        _server.Script("provider/m", FakeReply.Slow(TimeSpan.FromSeconds(30), new FakeReply("late")));
        using var cts = new CancellationTokenSource();
        var call = TestCatalog.Factory(_server.BaseUrl).For("m").GetResponseAsync(TestCatalog.Question, cancellationToken: cts.Token);
        // Cancel once the server holds the request, not after a fixed time a loaded machine may not reach it in.
        for (var waited = 0; _server.Requests.Count == 0 && waited < 30_000; waited += 10) await Task.Delay(10);
        await cts.CancelAsync();
        await FluentActions.Awaiting(() => call).Should().ThrowAsync<OperationCanceledException>();
        _server.Requests.Should().HaveCount(1);
    }

    [Theory]
    [InlineData(ModelApi.Chat)]
    [InlineData(ModelApi.Completions)]
    public async Task One_fault_in_five_over_a_hundred_calls_leaves_no_untyped_exception_and_bills_each_success_once(ModelApi api)
    {
        var random = new Random(7);
        var faults = Replies.Values.ToList();
        _server.Fallback = _ => random.NextDouble() < 0.2 ? faults[random.Next(faults.Count)].Reply() : new FakeReply("ok", PromptTokens: 10, CompletionTokens: 2);
        var client = TestCatalog.Factory(_server.BaseUrl, api, retries: 1).For("m");
        var ledger = new Ledger();
        int successes = 0, typed = 0;
        var untyped = new List<Exception>();

        for (var i = 0; i < 100; i++)
        {
            try
            {
                (await client.GetResponseAsync(TestCatalog.Question, TestCatalog.Scoped(ledger))).Text.Should().Be("ok");
                successes++;
            }
            catch (EndpointException) { typed++; }
            catch (Exception e) { untyped.Add(e); }
        }

        untyped.Should().BeEmpty();
        (successes + typed).Should().Be(100);
        successes.Should().BeGreaterThan(90); // two faults in a row: about 4 in 100
        ledger.Entries.Should().HaveCount(successes);
        ledger.Entries.Should().OnlyContain(e => e.InputTokens == 10 && !e.TokensEstimated);
    }
}
