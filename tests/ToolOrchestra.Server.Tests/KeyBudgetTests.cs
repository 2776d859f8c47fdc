using System.Net;
using System.Text.Json.Nodes;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Server.Keys;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Server.Tests;

/// <summary>
/// A key's dollar budget holds under concurrency: every paid call is granted against the key's account before it is
/// sent, so 40 requests at once never spend past the budget, and every request refused gets the key's 429 with
/// <c>Retry-After</c>. The same on one SQLite store and on two replicas sharing PostgreSQL.
/// </summary>
public sealed class KeyBudgetTests : ServerWorld
{
    /// <summary>
    /// The budget: a run here costs about $0.0000135, so 40 at once ($0.00054) overspent it before; now each
    /// call's worst case (every byte sent a token, 12000 output tokens) must fit first, and here none does.
    /// </summary>
    internal const decimal Budget = 0.0002m;


    [Fact]
    public async Task Forty_concurrent_requests_on_a_small_total_budget_never_spend_past_it()
    {
        var key = await CreateKeyAsync("tight-total", new KeyLimits(TotalUsd: Budget));
        await Storm(this, key, [Server]);
    }

    [Fact]
    public async Task Forty_concurrent_requests_on_a_small_daily_budget_never_spend_past_it()
    {
        var key = await CreateKeyAsync("tight-daily", new KeyLimits(DailyUsd: Budget));
        await Storm(this, key, [Server]);
    }

    [Fact]
    public async Task A_request_whose_first_call_cannot_fit_is_refused_with_nothing_spent()
    {
        var key = await CreateKeyAsync("crumbs", new KeyLimits(TotalUsd: 0.0000001m));
        using var r = await PostAsync(Body(Question()), key.Secret);
        r.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        r.Headers.RetryAfter.Should().NotBeNull();
        var error = (await JsonAsync(r))["error"]!;
        error["code"]!.GetValue<string>().Should().Be("insufficient_quota");
        error["message"]!.GetValue<string>().Should().Contain("worst case");
        (await Server.Keys.SpendAsync(key.Key.Id)).Total.Should().Be(0);
    }

    /// <summary>40 requests at once spread over <paramref name="servers"/>; checks the bound, the refusals and the books.</summary>
    internal static async Task Storm(ServerWorld world, CreatedKey key, IReadOnlyList<OrchestraServer> servers)
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var r = await world.PostAsync(Body(Question(i % 3)), key.Secret, servers[i % servers.Count]);
            return (r.StatusCode, Json: await JsonAsync(r), RetryAfter: r.Headers.RetryAfter);
        }));

        var (today, total) = await servers[0].Keys.SpendAsync(key.Key.Id);
        total.Should().BeLessThanOrEqualTo(Budget, "spend never exceeds the key's budget, however many requests race");
        today.Should().Be(total);
        var ok = replies.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        ok.Sum(r => r.Json["orchestra"]!["cost_usd"]!.GetValue<decimal>()).Should().Be(total, "the books are the sum of the runs' ledgers");
        var refused = replies.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        refused.Should().NotBeEmpty("40 runs do not fit");
        foreach (var r in refused)
        {
            r.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, r.Json.ToJsonString());
            r.Json["error"]!["code"]!.GetValue<string>().Should().Be("insufficient_quota");
            r.RetryAfter.Should().NotBeNull();
            r.RetryAfter!.Delta.Should().BePositive();
        }
        // Every run has ended, so nothing is held any more.
        (await servers[0].Keys.HeldAsync(key.Key.Id)).Should().Be(0);
    }
}

/// <summary>The same storm over two replicas sharing one PostgreSQL store.</summary>
public sealed class PostgresKeyBudgetTests : PostgresServerWorld
{
    [Fact]
    public async Task Forty_concurrent_requests_over_two_replicas_never_spend_past_the_key_budget()
    {
        await using var replica = await StartServerAsync(StoreLocation.Parse(PostgresUrl));
        var key = await replica.Keys.CreateAsync("shared-tight", new KeyLimits(TotalUsd: KeyBudgetTests.Budget));
        await KeyBudgetTests.Storm(this, key, [Server, replica]);
    }
}

/// <summary>
/// Against endpoints that bill each call its worst case (every byte sent as a token, every allowed output token), 40
/// concurrent runs on a key still stay within its budget: the bound is what the engine holds before each call, not luck.
/// </summary>
public sealed class WorstCaseBillingKeyBudgetTests() : FakeModelsServer("budget-")
{
    /// <summary>A run here bills about $0.0288 (the answer expert's 28000 output tokens, the train protocol's, dominate): about 10 of 40 fit.</summary>
    private const decimal Budget = 0.3m;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Models.Fallback = request =>
        {
            var sent = request.Body["messages"]!.AsArray().Sum(m => System.Text.Encoding.UTF8.GetByteCount(m!["content"]?.ToString() ?? ""));
            var most = request.Body["max_completion_tokens"]?.GetValue<int>() ?? request.Body["max_tokens"]!.GetValue<int>();
            var reply = request.Model == "orch-8b"
                ? FakeReply.Call("answer", new { model = "answer-1" }, sent, most)
                : new FakeReply("<answer>Paris</answer>", PromptTokens: sent, CompletionTokens: most);
            return reply with { Delay = TimeSpan.FromMilliseconds(50) };
        };
        await StartAsync($$$"""
            {"orchestrator":{"model":"orch","max_output_tokens":100},
             "models":{"orch":{"endpoint":"{{{Models.BaseUrl}}}","name":"orch-8b","price":{"input_per_million":1,"output_per_million":1},"tags":["local"]},
                       "gpt-5":{"endpoint":"{{{Models.BaseUrl}}}","name":"gpt-5","price":{"input_per_million":1,"output_per_million":1},"tags":["proprietary"],"max_output_tokens":100}},
             "aliases":{"answer-1":"gpt-5"},
             "limits":{"max_retries":0,"max_turns":3}}
            """);
    }

    [Fact]
    public async Task Forty_concurrent_runs_billed_their_worst_case_stay_within_the_key_budget()
    {
        var key = await Server.Keys.CreateAsync("worst", new KeyLimits(TotalUsd: Budget));
        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Server.Address, "v1/chat/completions"))
            {
                Content = new StringContent(ServerWorld.Body($"Capital of France? ({i})").ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Secret);
            using var r = await Http.SendAsync(request);
            return (r.StatusCode, Json: JsonNode.Parse(await r.Content.ReadAsStringAsync())!, r.Headers.RetryAfter);
        }));

        var spent = (await Server.Keys.SpendAsync(key.Key.Id)).Total;
        spent.Should().BeLessThanOrEqualTo(Budget);
        var answered = replies.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        answered.Should().NotBeEmpty("the budget fits several runs");
        answered.Sum(r => r.Json["orchestra"]!["cost_usd"]!.GetValue<decimal>()).Should().Be(spent);
        spent.Should().BeGreaterThan(Budget / 2, "the budget is used, not left idle by an over-cautious hold");
        // Runs the budget could not finish stop with budget_usd naming the key; runs it could not start are its 429.
        answered.Where(r => r.Json["orchestra"]!["stop_reason"]!.GetValue<string>() != "answered").Should().NotBeEmpty("40 runs at their worst case cost more than the budget")
            .And.OnlyContain(r => r.Json["orchestra"]!["stop_reason"]!.GetValue<string>() == "budget_usd" && r.Json["orchestra"]!["stop_detail"]!.GetValue<string>().Contains("key 'worst'"));
        foreach (var r in replies.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            r.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, r.Json.ToJsonString());
            r.Json["error"]!["code"]!.GetValue<string>().Should().Be("insufficient_quota");
            r.RetryAfter.Should().NotBeNull();
        }
    }
}
