using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Server.Tests;

/// <summary>
/// An orchestrator as a catalog model of another (<c>"api": "orchestra"</c>): the outer server's catalog routes
/// <c>answer-1</c> to this fixture's server. Each call is billed exactly once: where it ran, and in the outer ledger as
/// what the inner run reported (never its tokens at the catalog's absurd price).
/// </summary>
public sealed class RecursiveOrchestrationTests : ServerWorld
{
    private async Task<OrchestraServer> OuterAsync()
    {
        var catalog = JsonNode.Parse(SimulatedCatalog.Json(Experts.BaseUrl))!.AsObject();
        catalog["models"]!["inner"] = new JsonObject
        {
            ["endpoint"] = new Uri(BaseAddress, "v1").ToString().TrimEnd('/'),
            ["name"] = "orchestrator",
            ["api"] = "orchestra",
            ["family"] = "generic",
            ["price"] = new JsonObject { ["input_per_million"] = 1000, ["output_per_million"] = 1000 },
            ["tags"] = new JsonArray("orchestrator"),
        };
        catalog["aliases"]!["answer-1"] = new JsonObject { ["model"] = "inner" };
        var path = Path.Combine(Dir, "outer.json");
        File.WriteAllText(path, catalog.ToJsonString());
        return await OrchestraServer.StartAsync(Options(StoreLocation.Parse(Path.Combine(Dir, "outer.db"))) with
        {
            CatalogPath = path,
            RunsDirectory = Path.Combine(Dir, "outer-runs"),
        });
    }

    [Fact]
    public async Task A_two_level_orchestration_bills_each_call_exactly_once_and_links_the_inner_run()
    {
        await using var outer = await OuterAsync();
        var body = Body(Question(), orchestra: new JsonObject { ["allowed_aliases"] = new JsonArray("search-2", "answer-1") });

        using var response = await PostAsync(body, server: outer);

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var orchestra = (await JsonAsync(response))["orchestra"]!;
        var outerRun = RunStore.Load(Path.Combine(Dir, "outer-runs", orchestra["run_id"]!.GetValue<string>() + ".jsonl"));
        var nested = outerRun.Ledger.Where(e => e.Model == "inner").ToList();
        nested.Should().NotBeEmpty($"the outer orchestrator answered through the inner one; ledger: {string.Join(", ", outerRun.Ledger.Select(e => $"{e.Tool}/{e.Alias}/{e.Model}"))}; stop {outerRun.StopReason} {outerRun.StopDetail}; turns: {string.Join(" | ", outerRun.Turns.Select(t => t.RawOutput[..Math.Min(200, t.RawOutput.Length)] + " => " + t.Observation?[..Math.Min(200, t.Observation.Length)]))}");

        // The inner server's store holds the inner runs, each linked from the outer ledger and billed there as reported.
        await using var conn = await Server.Store.OpenAsync();
        foreach (var call in nested)
        {
            call.InnerRunId.Should().NotBeNullOrEmpty();
            var innerPico = Convert.ToInt64(await ScalarAsync("SELECT SUM(cost_pusd) FROM orchestra_calls WHERE run_id = @id", ("@id", call.InnerRunId)));
            call.CostUsd.Should().Be(Money.FromPico(innerPico), "the inner run's own calls, summed once");
            call.CostUsd.Should().NotBe(call.InputTokens * 1000m / 1_000_000m + call.OutputTokens * 1000m / 1_000_000m);
            call.LatencySeconds.Should().Be((double)(await ScalarAsync("SELECT wall_s FROM orchestra_runs WHERE id = @id", ("@id", call.InnerRunId)))!);
        }
        Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM orchestra_runs")).Should().Be(nested.Count, "one inner run per nested call");

        // Every leaf call (the outer's own, the inner's) is paid once: the outer total is their sum.
        var innerLeaves = Money.FromPico(Convert.ToInt64(await ScalarAsync("SELECT SUM(cost_pusd) FROM orchestra_calls")));
        var outerLeaves = outerRun.Ledger.Where(e => e.Model != "inner").Sum(e => e.CostUsd);
        orchestra["cost_usd"]!.GetValue<decimal>().Should().Be(outerLeaves + innerLeaves);
    }

    [Fact]
    public async Task An_inner_orchestration_runs_within_what_the_outer_run_has_left()
    {
        await using var outer = await OuterAsync();
        // Room for each orchestrator's own call (12000 tokens at $0.2/M at worst), not for an expert's on top.
        const decimal budget = 0.006m;
        var body = Body(Question(), orchestra: new JsonObject { ["allowed_aliases"] = new JsonArray("answer-1"), ["budget_usd"] = budget });

        using var response = await PostAsync(body, server: outer);

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var orchestra = (await JsonAsync(response))["orchestra"]!;
        orchestra["cost_usd"]!.GetValue<decimal>().Should().BeLessThanOrEqualTo(budget);
        var outerRun = RunStore.Load(Path.Combine(Dir, "outer-runs", orchestra["run_id"]!.GetValue<string>() + ".jsonl"));
        var nested = outerRun.Ledger.Where(e => e.Model == "inner").Should().NotBeEmpty().And.Subject.First();
        var stop = (string?)await ScalarAsync("SELECT stop_reason FROM orchestra_runs WHERE id = @id", ("@id", nested.InnerRunId));
        var detail = (string?)await ScalarAsync("SELECT stop_detail FROM orchestra_runs WHERE id = @id", ("@id", nested.InnerRunId));
        stop.Should().Be("budget_usd", "the inner run was given what the outer had left, which no expert's worst case fits; {0}", detail);
        var given = decimal.Parse(System.Text.RegularExpressions.Regex.Match(detail!, @"of the \$([0-9.]+) budget").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        given.Should().BeLessThan(budget).And.BePositive();
    }

    [Fact]
    public async Task A_cycle_and_a_nesting_too_deep_are_refused()
    {
        async Task<(HttpStatusCode, string)> Nested(string chain)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseAddress, "v1/chat/completions"))
            {
                Content = new StringContent(Body(Question()).ToJsonString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(OrchestrationChain.Header, chain);
            using var r = await Http.SendAsync(request);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        var (status, text) = await Nested($"other/orchestrator,{Server.Runs.Instance}/orchestrator");
        ((int)status).Should().Be(508);
        text.Should().Contain("loop_detected").And.Contain("cycle");

        (status, text) = await Nested("a/orchestrator,b/orchestrator,c/orchestrator");
        ((int)status).Should().Be(508);
        text.Should().Contain("nesting_too_deep").And.Contain("at most 3");

        (status, _) = await Nested("a/orchestrator,b/orchestrator");
        status.Should().Be(HttpStatusCode.OK);
    }
}
