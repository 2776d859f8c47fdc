using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models.Caching;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests;

/// <summary>
/// The response cache in the model pipeline, over real HTTP to the fake server and a real SQLite file (or PostgreSQL):
/// a warm cache replays a run without a request and with the same ledger; sampling calls keep k distinct samples per
/// group; a hit holds no real money; identical calls in flight pay once; a store that cannot be opened says so in a line.
/// </summary>
public sealed class ResponseCacheTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("response-cache").FullName;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private string Db => Path.Combine(_dir, "cache.db");

    private ModelClientFactory Factory(ResponseCache cache)
    {
        var model = new ModelEntry("m", _server.BaseUrl, "provider/m", new Price(2m, 8m), ["proprietary"]);
        var catalog = new Catalog(new OrchestratorSettings("m"), new Dictionary<string, ModelEntry> { ["m"] = model },
            new Dictionary<string, AliasEntry>(), new ToolPrices(), new Limits());
        return new ModelClientFactory(catalog, retry: new RetrySettings(0, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5)), cache: cache);
    }

    private static ChatOptions Scoped(Ledger ledger, int turn, float? temperature = null) =>
        new LedgerScope(ledger, turn, CallKind.Expert, "answer", "answer-1").Apply(new ChatOptions { Temperature = temperature, MaxOutputTokens = 500 });

    /// <summary>One small episode: three turns, a tool call among them, each prompt built from the replies so far.</summary>
    private static async Task<(Ledger Ledger, List<string> Replies)> EpisodeAsync(IChatClient client, Ledger ledger)
    {
        var replies = new List<string>();
        var history = new List<ChatMessage> { new(ChatRole.User, "What is 2+2?") };
        for (var turn = 1; turn <= 3; turn++)
        {
            var response = await client.GetResponseAsync(history, Scoped(ledger, turn, temperature: 0));
            var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().FirstOrDefault();
            var said = call is null ? response.Text : $"{call.Name}({string.Join(",", call.Arguments!.Select(a => $"{a.Key}={a.Value}"))})";
            replies.Add(said);
            history.Add(new ChatMessage(ChatRole.Assistant, said));
            history.Add(new ChatMessage(ChatRole.User, $"turn {turn} done"));
        }
        return (ledger, replies);
    }

    private static object Billing(LedgerEntry e) => new { e.Turn, e.Kind, e.Tool, e.Alias, e.Model, e.InputTokens, e.OutputTokens, e.CostUsd, e.LatencySeconds, e.TokensEstimated };

    [Fact]
    public async Task A_second_identical_run_through_a_warm_cache_makes_no_request_and_bills_the_same_ledger()
    {
        _server.Script("provider/m",
            FakeReply.Slow(TimeSpan.FromMilliseconds(30), new FakeReply("thinking", PromptTokens: 120, CompletionTokens: 30)),
            FakeReply.Call("search", new { query = "2+2", k = 3 }, prompt: 200, completion: 15),
            new FakeReply("<answer>4</answer>", PromptTokens: 260, CompletionTokens: 9));
        (Ledger Ledger, List<string> Replies) first;
        ResponseCacheStats cold;
        await using (var cache = await ResponseCacheStore.OpenAsync(Db))
        {
            first = await EpisodeAsync(Factory(cache).For("m"), new Ledger());
            cold = cache.Stats;
        }
        _server.Requests.Should().HaveCount(3);
        cold.Should().Be(new ResponseCacheStats(0, 3, first.Ledger.CostUsd, 0));
        first.Ledger.Entries.Should().OnlyContain(e => !e.Cached);

        await using var warm = await ResponseCacheStore.OpenAsync(Db); // another process, the same file
        var second = await EpisodeAsync(Factory(warm).For("m"), new Ledger());

        _server.Requests.Should().HaveCount(3, "every call of the replayed episode came from the cache");
        second.Replies.Should().Equal(first.Replies);
        second.Replies[1].Should().Be("search(query=2+2,k=3)");
        second.Ledger.Entries.Select(Billing).Should().Equal(first.Ledger.Entries.Select(Billing), "tokens, dollars and seconds are billed as when the calls were made");
        second.Ledger.Entries.Should().OnlyContain(e => e.Cached);
        (second.Ledger.CostUsd, second.Ledger.ToolLatencySeconds).Should().Be((first.Ledger.CostUsd, first.Ledger.ToolLatencySeconds), "the reward's inputs");
        second.Ledger.PaidUsd.Should().Be(0);
        first.Ledger.Entries[0].LatencySeconds.Should().BeGreaterThan(0.02, "the stored seconds are the call's, not the replay's");
        warm.Stats.Should().Be(new ResponseCacheStats(3, 0, 0, first.Ledger.CostUsd));
    }

    [Fact]
    public async Task Sampling_calls_give_a_group_k_distinct_samples_and_replay_each_members_own()
    {
        const int k = 4;
        _server.Script("provider/m", Enumerable.Range(0, k + 1).Select(i => new FakeReply($"sample {i}")).ToArray());
        await using var cache = await ResponseCacheStore.OpenAsync(Db);
        var client = Factory(cache).For("m");
        async Task<string[]> GroupAsync(float temperature) => await Task.WhenAll(Enumerable.Range(0, k).Select(async member =>
        {
            using var _ = ResponseCache.BeginScope(member, k);
            await Task.Delay(member * 7 % 3); // members finish in another order than they start
            return (await client.GetResponseAsync([new ChatMessage(ChatRole.User, "pick a number")], Scoped(new Ledger(), 1, temperature))).Text;
        }));

        var first = await GroupAsync(0.7f);
        first.Should().OnlyHaveUniqueItems().And.HaveCount(k, "each member of the group saw its own sample");
        _server.Requests.Should().HaveCount(k);
        var again = await GroupAsync(0.7f);
        again.Should().Equal(first, "member g replays sample g");
        _server.Requests.Should().HaveCount(k, "the second group was replayed");

        var greedy = await GroupAsync(0f);
        greedy.Should().OnlyContain(t => t == greedy[0], "a greedy request has one sample, shared by the group");
        _server.Requests.Should().HaveCount(k + 1);
    }

    [Fact]
    public async Task A_sampling_request_repeated_within_an_episode_gets_a_fresh_sample()
    {
        _server.Script("provider/m", new FakeReply("first"), new FakeReply("second"));
        await using var cache = await ResponseCacheStore.OpenAsync(Db);
        var client = Factory(cache).For("m");
        var ledger = new Ledger();
        var a = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "again?")], Scoped(ledger, 1, 1f));
        var b = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "again?")], Scoped(ledger, 2, 1f));
        (a.Text, b.Text).Should().Be(("first", "second"));

        var replay = new Ledger();
        (await client.GetResponseAsync([new ChatMessage(ChatRole.User, "again?")], Scoped(replay, 1, 1f))).Text.Should().Be("first");
        (await client.GetResponseAsync([new ChatMessage(ChatRole.User, "again?")], Scoped(replay, 2, 1f))).Text.Should().Be("second");
        _server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_sampling_call_that_failed_and_is_sent_again_keeps_its_sample_so_a_replay_finds_the_answer()
    {
        _server.Script("provider/m", FakeReply.Error(500), new FakeReply("after the failure"));
        await using var cache = await ResponseCacheStore.OpenAsync(Db);
        var client = Factory(cache).For("m");
        var ledger = new Ledger();
        await FluentActions.Awaiting(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(ledger, 1, 1f))).Should().ThrowAsync<EndpointException>();
        (await client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(ledger, 1, 1f))).Text.Should().Be("after the failure");

        var replay = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(new Ledger(), 1, 1f));
        replay.Text.Should().Be("after the failure");
        _server.Requests.Should().HaveCount(2, "the failed call was not kept and the replay was a hit");
    }

    [Fact]
    public async Task Anything_else_sent_differently_is_another_request()
    {
        _server.Fallback = r => new FakeReply("reply " + r.Body["seed"]);
        await using var cache = await ResponseCacheStore.OpenAsync(Db);
        var client = Factory(cache).For("m");
        ChatOptions With(Action<ChatOptions> change)
        {
            var o = Scoped(new Ledger(), 1, 0);
            change(o);
            return o;
        }
        ChatMessage[] q = [new(ChatRole.User, "q")];
        await client.GetResponseAsync(q, With(_ => { }));
        await client.GetResponseAsync(q, With(o => o.Seed = 7));
        await client.GetResponseAsync(q, With(o => o.MaxOutputTokens = 501));
        await client.GetResponseAsync(q, With(o => o.StopSequences = ["END"]));
        await client.GetResponseAsync(q, With(o => o.Tools = [AIFunctionFactory.CreateDeclaration("search", "Search", System.Text.Json.JsonDocument.Parse("{\"type\":\"object\"}").RootElement)]));
        await client.GetResponseAsync([new ChatMessage(ChatRole.System, "be brief"), .. q], With(_ => { }));
        _server.Requests.Should().HaveCount(6);
        await client.GetResponseAsync(q, With(o => o.Seed = 7));
        _server.Requests.Should().HaveCount(6, "the same request again is a hit");
    }

    [Fact]
    public async Task A_hit_takes_no_real_money_hold_and_leaves_the_shared_account_untouched()
    {
        _server.Script("provider/m", new FakeReply("paid", PromptTokens: 1000, CompletionTokens: 100), new FakeReply("new", PromptTokens: 10, CompletionTokens: 10));
        await using var cache = await ResponseCacheStore.OpenAsync(Db);
        var client = Factory(cache).For("m");
        var account = new RecordingAccount();
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(new Ledger(budgetUsd: 1m, account: account), 1, 0));
        account.Covers.Should().ContainSingle("the miss was paid, so it asked the account");

        account.Covers.Clear();
        var ledger = new Ledger(budgetUsd: 1m, account: account);
        var hit = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(ledger, 1, 0));
        hit.Text.Should().Be("paid");
        account.Covers.Should().BeEmpty("a replayed call costs no real money");
        ledger.CostUsd.Should().Be(0.0028m, "the reward sees the call's stored dollars: 1000 in at $2/M + 100 out at $8/M");
        ledger.PaidUsd.Should().Be(0);
        ledger.AvailableUsd.Should().Be(1m - 0.0028m, "no hold is left behind");

        // The next paid call asks the account to cover real money only: its own worst case, not the replayed dollars.
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "other")], Scoped(ledger, 2, 0));
        var cover = account.Covers.Should().ContainSingle().Subject;
        cover.Committed.Should().Be(cover.WorstCase);
        ledger.PaidUsd.Should().Be(10 * 2m / 1_000_000 + 10 * 8m / 1_000_000);
    }

    [Fact]
    public async Task A_hit_that_would_cross_the_episodes_own_budget_stops_the_episode_as_the_paid_call_would_have()
    {
        _server.Script("provider/m", new FakeReply("paid", PromptTokens: 1000, CompletionTokens: 100));
        await using var cache = await ResponseCacheStore.OpenAsync(Db);
        var client = Factory(cache).For("m");
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(new Ledger(), 1, 0));
        var tight = new Ledger(budgetUsd: 0.002m);
        await FluentActions.Awaiting(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(tight, 1, 0)))
            .Should().ThrowAsync<BudgetExhaustedException>();
        tight.Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task Identical_calls_in_flight_at_once_pay_once()
    {
        _server.Script("provider/m", FakeReply.Slow(TimeSpan.FromMilliseconds(300), new FakeReply("shared")));
        await using var cache = await ResponseCacheStore.OpenAsync(Db);
        var client = Factory(cache).For("m");
        var ledgers = Enumerable.Range(0, 5).Select(_ => new Ledger()).ToList();
        var replies = await Task.WhenAll(ledgers.Select(l => client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(l, 1, 0))));
        replies.Select(r => r.Text).Should().AllBe("shared");
        _server.Requests.Should().ContainSingle();
        ledgers.Count(l => l.Entries.Single().Cached).Should().Be(4);
        cache.Stats.Should().Be(new ResponseCacheStats(4, 1, ledgers[0].CostUsd, 4 * ledgers[0].CostUsd));
    }

    [Fact]
    public async Task Two_caches_on_one_PostgreSQL_database_share_their_calls()
    {
        await using var pg = await LocalPostgres.StartAsync();
        _server.Script("provider/m", new FakeReply("from the first trainer"));
        await using var a = await ResponseCacheStore.OpenAsync(pg.Url());
        await using var b = await ResponseCacheStore.OpenAsync(pg.Url());
        var first = await Factory(a).For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(new Ledger(), 1, 0));
        var ledger = new Ledger();
        var second = await Factory(b).For("m").GetResponseAsync([new ChatMessage(ChatRole.User, "q")], Scoped(ledger, 1, 0));
        second.Text.Should().Be(first.Text);
        _server.Requests.Should().ContainSingle();
        ledger.Entries.Single().Cached.Should().BeTrue();
        (a.Stats.Misses, b.Stats.Hits).Should().Be((1, 1));
    }

    [Fact]
    public async Task Two_caches_writing_one_SQLite_file_at_once_keep_every_call()
    {
        _server.Fallback = r => new FakeReply("re: " + r.LastUserText);
        await using var a = await ResponseCacheStore.OpenAsync(Db);
        await using var b = await ResponseCacheStore.OpenAsync(Db);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Factory(i % 2 == 0 ? a : b).For("m").GetResponseAsync([new ChatMessage(ChatRole.User, $"q{i}")], Scoped(new Ledger(), 1, 0))));
        await using var c = await ResponseCacheStore.OpenAsync(Db);
        var client = Factory(c).For("m");
        for (var i = 0; i < 40; i++)
            (await client.GetResponseAsync([new ChatMessage(ChatRole.User, $"q{i}")], Scoped(new Ledger(), 1, 0))).Text.Should().Be($"re: q{i}");
        c.Stats.Hits.Should().Be(40);
        _server.Requests.Should().HaveCount(40);
    }

    [Theory]
    [InlineData("dir")]
    [InlineData("garbage")]
    [InlineData("missing-folder")]
    [InlineData("postgres")]
    public async Task A_store_that_cannot_be_opened_is_a_one_line_error(string kind)
    {
        var store = kind switch
        {
            "dir" => _dir,
            "garbage" => Path.Combine(_dir, "not-a-db.db"),
            "missing-folder" => Path.Combine(_dir, "nope", "cache.db"),
            _ => "postgres://nobody:secret@127.0.0.1:1/cache",
        };
        if (kind == "garbage") File.WriteAllText(store, new string('x', 4096));
        var error = await FluentActions.Awaiting(() => ResponseCacheStore.OpenAsync(store)).Should().ThrowAsync<UserError>();
        error.Which.Message.Should().StartWith("--cache").And.NotContain("\n").And.NotContain("secret");
    }

    private sealed class RecordingAccount : ISpendAccount
    {
        public List<(decimal Committed, decimal WorstCase)> Covers { get; } = [];

        public ValueTask CoverAsync(decimal committedUsd, decimal worstCaseUsd, CancellationToken ct)
        {
            lock (Covers) Covers.Add((committedUsd, worstCaseUsd));
            return ValueTask.CompletedTask;
        }
    }
}
