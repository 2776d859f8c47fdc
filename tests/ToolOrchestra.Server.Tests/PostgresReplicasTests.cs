using System.Net;
using System.Text.Json.Nodes;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Server.Keys;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Server.Tests;

/// <summary>Two replicas behind one PostgreSQL store share keys and spend: a budget spent on one is refused on the other.</summary>
public sealed class PostgresReplicasTests : PostgresServerWorld
{
    [Fact]
    public async Task Replicas_on_one_postgres_store_share_keys_runs_and_budgets()
    {
        await using var replica = await StartServerAsync(StoreLocation.Parse(PostgresUrl));
        var key = await replica.Keys.CreateAsync("team", new KeyLimits(TotalUsd: 5m));

        using var first = await PostAsync(Body(Question()), key.Secret); // the key was made through the replica; this is the first server
        first.StatusCode.Should().Be(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var cost = (await JsonAsync(first))["orchestra"]!["cost_usd"]!.GetValue<decimal>();
        (await replica.Keys.SpendAsync(key.Key.Id)).Total.Should().Be(cost);

        var admin = await Server.Keys.CreateAsync("ops", new KeyLimits(Admin: true));
        using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(replica.Address, "ui/api/runs"));
        get.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin.Secret);
        using var listed = await Http.SendAsync(get);
        var runs = JsonNode.Parse(await listed.Content.ReadAsStringAsync())!.AsArray();
        runs.Should().ContainSingle().Which!["cost_usd"]!.GetValue<decimal>().Should().Be(cost);
        var runId = runs[0]!["id"]!.GetValue<string>();

        async Task<JsonNode> Get(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(replica.Address, path));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin.Secret);
            using var r = await Http.SendAsync(request);
            r.StatusCode.Should().Be(HttpStatusCode.OK, path);
            return JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        }
        var spend = await Get("ui/api/spend");
        spend["per_key_model_day"]!.AsArray().Should().ContainSingle().Which!["cost_usd"]!.GetValue<decimal>().Should().Be(cost);
        spend["per_alias"]!.AsArray().Concat(spend["per_tool"]!.AsArray()).Sum(a => a!["cost_usd"]!.GetValue<decimal>()).Should().Be(cost, "model calls and tool executions, apart, cover every call");
        var keys = await Get("ui/api/keys");
        keys.AsArray().Single(k => k!["name"]!.GetValue<string>() == "team")!["left_total_usd"]!.GetValue<decimal>().Should().Be(5m - cost);
        var run = await Get($"ui/api/runs/{runId}");
        run["ledger"]!.AsArray().Sum(c => c!["cost_usd"]!.GetValue<decimal>()).Should().Be(cost);
        run["timeline"]!.AsArray().Should().NotBeEmpty();
    }
}
