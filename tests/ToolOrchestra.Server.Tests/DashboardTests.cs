using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ToolOrchestra.Server.Keys;

namespace ToolOrchestra.Server.Tests;

/// <summary>The dashboard at /ui in a real browser: Playwright driving Debian's Chromium (installed by .ci/install-tools.sh).</summary>
public sealed class DashboardTests : ServerWorld
{
    [Fact]
    public async Task The_dashboard_finds_a_run_made_by_the_test_and_shows_its_calls_and_cost()
    {
        var admin = await CreateKeyAsync("ops", new KeyLimits(Admin: true));
        var user = await CreateKeyAsync("dash-user", new KeyLimits(DailyUsd: 5m));
        using var response = await PostAsync(Body(Question()), user.Secret);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var orchestra = (await JsonAsync(response))["orchestra"]!;
        var runId = orchestra["run_id"]!.GetValue<string>();
        var cost = orchestra["cost_usd"]!.GetValue<decimal>();
        // Every ledger entry is a row: the model calls and, counted apart, the tool executions.
        var calls = orchestra["calls"]!.AsObject().Concat(orchestra["tool_executions"]!.AsObject()).Sum(c => c.Value!.GetValue<int>());
        using (var denied = await Http.GetAsync(new Uri(BaseAddress, "ui/api/runs")))
            denied.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the dashboard's data needs an admin key once keys exist");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(BaseAddress, "ui").ToString());
        await page.Locator("#auth").WaitForAsync();
        await page.FillAsync("#key", admin.Secret);
        await page.ClickAsync("#use-key");

        var row = page.Locator($"tr[data-run='{runId}']");
        await row.WaitForAsync();
        (await row.InnerTextAsync()).Should().Contain("dash-user").And.Contain("answered");
        await page.SelectOptionAsync("#f-key", "dash-user");
        await row.WaitForAsync();
        await row.ClickAsync();
        var costText = await page.Locator(".run-cost").InnerTextAsync();
        decimal.Parse(costText.TrimStart('$'), CultureInfo.InvariantCulture).Should().Be(cost);
        (await page.Locator("table.calls tbody tr").CountAsync()).Should().Be(calls);
        (await page.Locator("table.timeline tbody tr").CountAsync()).Should().BePositive();
        (await page.Locator("table.timeline").InnerTextAsync()).Should().Contain("search");

        (await page.Locator("#aliases").InnerTextAsync()).Should().Contain("orchestrator").And.Contain("%");
        (await page.Locator("#tools").InnerTextAsync()).Should().Contain("search", "retrievals are tool executions, apart from the alias that asked");
        (await page.Locator("#spend").InnerTextAsync()).Should().Contain("dash-user").And.Contain(DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var keys = await page.Locator("#keys").InnerTextAsync();
        keys.Should().Contain("dash-user").And.Contain("5.000000").And.Contain(cost.ToString("0.000000", CultureInfo.InvariantCulture).Length > 0 ? "active" : "");
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_text_format()
    {
        using var response = await PostAsync(Body(Question()));
        response.StatusCode.Should().Be(HttpStatusCode.OK);

        string text = "";
        for (var i = 0; i < 50 && !text.Contains("orchestra_server_runs"); i++)
        {
            await Task.Delay(100);
            text = await Http.GetStringAsync(new Uri(BaseAddress, "metrics"));
        }
        text.Should().Contain("orchestra_server_runs_total").And.Contain("stop_reason=\"answered\"");
        text.Should().Contain("gen_ai_client_token_usage", "the engine's GenAI metrics are exported too");
    }
}
