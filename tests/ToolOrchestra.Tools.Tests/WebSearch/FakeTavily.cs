using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

using ToolOrchestra.Tools;

namespace ToolOrchestra.Tools.Tests.WebSearch;

/// <summary>
/// An in-process stand-in for api.tavily.com over real HTTP on 127.0.0.1: /search answers with scripted hits,
/// /extract with scripted page texts; requests are recorded so tests can check what the adapter sent.
/// </summary>
public sealed class FakeTavily : IAsyncDisposable
{
    public const string Key = "tvly-test-key";

    private readonly WebApplication _app;

    public ConcurrentQueue<(string Path, JsonObject Body, string? Authorization)> Requests { get; } = new();

    /// <summary>url → (Tavily score, extracted text or null when extraction fails).</summary>
    public Dictionary<string, (double Score, string? Text)> Pages { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    private FakeTavily(WebApplication app) => _app = app;

    public static async Task<FakeTavily> StartAsync()
    {
        var app = LoopbackWebApp.Create(0);
        var fake = new FakeTavily(app);
        app.MapPost("/search", (Delegate)((HttpContext http) => fake.Handle(http, fake.Search)));
        app.MapPost("/extract", (Delegate)((HttpContext http) => fake.Handle(http, fake.Extract)));
        fake.BaseUrl = await LoopbackWebApp.StartAsync(app);
        return fake;
    }

    private async Task<IResult> Handle(HttpContext http, Func<JsonObject, JsonObject> answer)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(http.Request.Body))!;
        var auth = http.Request.Headers.Authorization.ToString();
        Requests.Enqueue((http.Request.Path, body, auth));
        if (auth != "Bearer " + Key) return Results.Json(new { detail = new { error = "Unauthorized: missing or invalid API key." } }, statusCode: 401);
        return Results.Text(answer(body).ToJsonString(), "application/json");
    }

    private JsonObject Search(JsonObject body) => new()
    {
        ["query"] = body["query"]!.GetValue<string>(),
        ["results"] = new JsonArray(Pages.Select(p => (JsonNode)new JsonObject
        {
            ["title"] = "Title of " + p.Key, ["url"] = p.Key, ["content"] = "snippet", ["score"] = p.Value.Score,
        }).ToArray()),
        ["response_time"] = 0.1,
    };

    private JsonObject Extract(JsonObject body)
    {
        var urls = body["urls"]!.AsArray().Select(u => u!.GetValue<string>()).ToList();
        return new JsonObject
        {
            ["results"] = new JsonArray(urls.Where(u => Pages.TryGetValue(u, out var p) && p.Text is not null)
                .Select(u => (JsonNode)new JsonObject { ["url"] = u, ["raw_content"] = Pages[u].Text }).ToArray()),
            ["failed_results"] = new JsonArray(urls.Where(u => !Pages.TryGetValue(u, out var p) || p.Text is null)
                .Select(u => (JsonNode)new JsonObject { ["url"] = u, ["error"] = "blocked" }).ToArray()),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
