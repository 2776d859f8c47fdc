using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ToolOrchestra.Server.Keys;

namespace ToolOrchestra.Server.Tests;

/// <summary>What a refused client is told: when to retry (every 429 carries <c>Retry-After</c>), nothing of the
/// server's files, and no metrics without an admin key once keys exist.</summary>
public sealed class RefusalTests : ServerWorld
{
    /// <summary>Posts until the key is refused (the first run may be admitted with what its budget left).</summary>
    private async Task<HttpResponseMessage> RefusedAsync(string secret)
    {
        for (var i = 0; i < 5; i++)
        {
            var r = await PostAsync(Body(Question(i % 3)), secret);
            if (r.StatusCode != HttpStatusCode.OK) return r;
            r.Dispose();
        }
        throw new InvalidOperationException("the key was never refused");
    }

    private static int RetryAfter(HttpResponseMessage r) =>
        r.Headers.RetryAfter?.Delta is { } d ? (int)d.TotalSeconds : throw new InvalidOperationException($"no Retry-After in seconds: {r.Headers}");

    [Fact]
    public async Task A_rate_limited_request_is_told_when_the_window_frees()
    {
        var key = await CreateKeyAsync("one-a-minute", new KeyLimits(RequestsPerMinute: 1));
        using (var first = await PostAsync(Body(Question()), key.Secret)) first.StatusCode.Should().Be(HttpStatusCode.OK);
        using var second = await PostAsync(Body(Question()), key.Secret);
        second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        RetryAfter(second).Should().BeInRange(1, 60, "the first request leaves the one-minute window within a minute");
        (await JsonAsync(second))["error"]!["message"]!.GetValue<string>().Should().Contain($"retry in {RetryAfter(second)} s");
    }

    [Fact]
    public async Task A_key_over_its_daily_budget_is_told_to_come_back_at_midnight_utc()
    {
        var key = await CreateKeyAsync("daily", new KeyLimits(DailyUsd: 0.000001m));
        using var refused = await RefusedAsync(key.Secret);
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await JsonAsync(refused))["error"]!["code"]!.GetValue<string>().Should().Be("insufficient_quota");
        var untilMidnight = (DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow).TotalSeconds;
        RetryAfter(refused).Should().BeCloseTo((int)untilMidnight, 10);
    }

    [Fact]
    public async Task A_key_over_its_total_budget_gets_a_retry_after_too()
    {
        var key = await CreateKeyAsync("total", new KeyLimits(TotalUsd: 0.000001m));
        using var refused = await RefusedAsync(key.Secret);
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await JsonAsync(refused))["error"]!["code"]!.GetValue<string>().Should().Be("insufficient_quota");
        RetryAfter(refused).Should().BePositive();
    }

    [Fact]
    public async Task Metrics_need_an_admin_key_once_keys_exist()
    {
        var metrics = new Uri(BaseAddress, "metrics");
        using (var open = await Http.GetAsync(metrics)) open.StatusCode.Should().Be(HttpStatusCode.OK, "loopback without keys stays open");
        var user = await CreateKeyAsync("user");
        var admin = await CreateKeyAsync("ops", new KeyLimits(Admin: true));
        await Task.Delay(1100); // a new key takes effect within a second (see OrchestraServer.KeysExistAsync)

        async Task<HttpStatusCode> GetAsync(string? secret)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, metrics);
            if (secret is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var response = await Http.SendAsync(request);
            return response.StatusCode;
        }
        (await GetAsync(null)).Should().Be(HttpStatusCode.Unauthorized);
        (await GetAsync("sk-orch-not-a-key")).Should().Be(HttpStatusCode.Unauthorized);
        (await GetAsync(user.Secret)).Should().Be(HttpStatusCode.Forbidden, "metrics tell every key's traffic and spend: admin keys only");
        (await GetAsync(admin.Secret)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Error_messages_never_show_clients_the_servers_catalog_path()
    {
        using var r = await PostAsync(Body(Question(), orchestra: new JsonObject { ["preferences"] = new JsonObject { ["weights"] = new JsonObject { ["nosuch-alias"] = 1 } } }));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var message = (await JsonAsync(r))["error"]!["message"]!.GetValue<string>();
        message.Should().Contain("nosuch-alias").And.Contain("the catalog of model 'orchestrator'");
        message.Should().NotContain(CatalogPath).And.NotContain(Dir).And.NotContain("catalog.json");
    }
}
