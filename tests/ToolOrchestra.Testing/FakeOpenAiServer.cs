using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

using ToolOrchestra.Tools;

namespace ToolOrchestra.Testing;

/// <summary>
/// An OpenAI-compatible <c>/v1/chat/completions</c> and <c>/v1/completions</c> server on 127.0.0.1 (Kestrel, real HTTP) that answers with
/// scripted replies per provider model name, in order. Used wherever a test needs an LLM: no weights exist here.
/// Every request is recorded so tests can check what was sent.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeReply>> _scripts = new();
    private readonly ConcurrentQueue<FakeRequest> _requests = new();

    private FakeOpenAiServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public IReadOnlyList<FakeRequest> Requests => _requests.ToArray();
    /// <summary>Answers a request for a model whose script is empty; null means HTTP 500 "no scripted reply".</summary>
    public Func<FakeRequest, FakeReply>? Fallback { get; set; }

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var app = LoopbackWebApp.Create(0);
        var server = new FakeOpenAiServer(app);
        app.MapPost("/v1/chat/completions", context => server.HandleAsync(context, completions: false));
        app.MapPost("/v1/completions", context => server.HandleAsync(context, completions: true));
        server.BaseUrl = (await LoopbackWebApp.StartAsync(app)).ToString().TrimEnd('/') + "/v1";
        return server;
    }

    public FakeOpenAiServer Script(string model, params FakeReply[] replies)
    {
        var q = _scripts.GetOrAdd(model, _ => new());
        foreach (var r in replies) q.Enqueue(r);
        return this;
    }

    public int Remaining(string model) => _scripts.TryGetValue(model, out var q) ? q.Count : 0;

    private async Task HandleAsync(HttpContext context, bool completions)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var request = new FakeRequest(body!["model"]!.GetValue<string>(), body, context.Request.Headers.Authorization.ToString());
        _requests.Enqueue(request);
        FakeReply? reply = _scripts.TryGetValue(request.Model, out var q) && q.TryDequeue(out var r) ? r : Fallback?.Invoke(request);
        if (reply is null)
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync($"{{\"error\":{{\"message\":\"no scripted reply for model {request.Model}\"}}}}");
            return;
        }
        if (reply.Delay > TimeSpan.Zero)
        {
            try { await Task.Delay(reply.Delay, context.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        if (reply.Status != 200)
        {
            context.Response.StatusCode = reply.Status;
            if (reply.RetryAfterSeconds is { } ra) context.Response.Headers.RetryAfter = ra.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await context.Response.WriteAsync($"{{\"error\":{{\"message\":\"scripted status {reply.Status}\"}}}}");
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(completions ? reply.ToCompletionJson(request.Model) : reply.ToJson(request.Model));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One recorded request: the model asked for and the JSON body.</summary>
public sealed record FakeRequest(string Model, JsonNode Body, string Authorization)
{
    public JsonArray Messages => Body["messages"]!.AsArray();
    /// <summary>The raw prompt of a <c>/v1/completions</c> request.</summary>
    public string? Prompt => Body["prompt"]?.GetValue<string>();
    public IReadOnlyList<string> ToolNames => Body["tools"]?.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).ToList() ?? [];
    public string ToolsJson => Body["tools"]?.ToJsonString() ?? "[]";
    public string LastUserText => Messages.Last(m => m!["role"]!.GetValue<string>() == "user")!["content"] is JsonValue v ? v.GetValue<string>() : Messages.Last()!["content"]!.ToJsonString();
}

/// <summary>A scripted reply: content and/or tool calls with fixed usage, or an HTTP error status, after an optional delay.</summary>
public sealed record FakeReply(
    string? Content = null,
    IReadOnlyList<FakeToolCall>? ToolCalls = null,
    int PromptTokens = 100,
    int CompletionTokens = 20,
    bool OmitUsage = false,
    int Status = 200,
    TimeSpan Delay = default,
    int? RetryAfterSeconds = null)
{
    public static FakeReply Error(int status, int? retryAfterSeconds = null) => new(Status: status, RetryAfterSeconds: retryAfterSeconds);
    public static FakeReply Slow(TimeSpan delay, FakeReply then) => then with { Delay = delay };
    public static FakeReply Call(string name, object arguments, int prompt = 100, int completion = 20) =>
        new(ToolCalls: [new FakeToolCall(name, JsonSerializer.Serialize(arguments))], PromptTokens: prompt, CompletionTokens: completion);

    /// <summary>A <c>/v1/completions</c> body: the content is the completion text.</summary>
    public string ToCompletionJson(string model)
    {
        var root = new JsonObject
        {
            ["id"] = "cmpl-fake",
            ["object"] = "text_completion",
            ["created"] = 1700000000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["text"] = Content ?? "", ["finish_reason"] = "stop" }),
        };
        if (!OmitUsage)
            root["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens };
        return root.ToJsonString();
    }

    public string ToJson(string model)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = Content };
        if (ToolCalls is { Count: > 0 })
            message["tool_calls"] = new JsonArray(ToolCalls.Select((c, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"call_{i}",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
            }).ToArray());
        var root = new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = 1700000000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = ToolCalls is { Count: > 0 } ? "tool_calls" : "stop",
            }),
        };
        if (!OmitUsage)
            root["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens };
        return root.ToJsonString();
    }
}

public sealed record FakeToolCall(string Name, string ArgumentsJson);
