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
/// Every request is recorded so tests can check what was sent. A reply may carry a <see cref="FakeFault"/> (a broken
/// body) and chat requests with <c>"stream": true</c> are answered as server-sent events.
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
        app.MapGet("/v1/models", server.ListModelsAsync);
        server.BaseUrl = (await LoopbackWebApp.StartAsync(app)).ToString().TrimEnd('/') + "/v1";
        return server;
    }

    public FakeOpenAiServer Script(string model, params FakeReply[] replies)
    {
        var q = _scripts.GetOrAdd(model, _ => new());
        foreach (var r in replies) q.Enqueue(r);
        return this;
    }

    /// <summary>What <c>GET /v1/models</c> lists (free, unlike the chat requests in <see cref="Requests"/>); null: every scripted model.</summary>
    public IReadOnlyList<string>? ListedModels { get; set; }

    /// <summary>How many times <c>GET /v1/models</c> was asked.</summary>
    public int Listings => _listings;

    private int _listings;

    private Task ListModelsAsync(HttpContext context)
    {
        Interlocked.Increment(ref _listings);
        var data = new JsonArray((ListedModels ?? _scripts.Keys.ToList()).Select(m => (JsonNode)new JsonObject { ["id"] = m, ["object"] = "model" }).ToArray());
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString());
    }

    public int Remaining(string model) => _scripts.TryGetValue(model, out var q) ? q.Count : 0;

    private async Task HandleAsync(HttpContext context, bool completions)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var request = new FakeRequest(body!["model"]!.GetValue<string>(), body, context.Request.Headers.Authorization.ToString())
        {
            Headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
        };
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
            if (reply.EchoesKey) // as careless upstreams and proxies do: the key and the whole header, quoted back
            {
                var header = request.Authorization;
                var key = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : header;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(new JsonObject
                {
                    ["error"] = new JsonObject
                    {
                        ["message"] = $"Incorrect API key provided: {key}. The request carried Authorization: {header}",
                        ["type"] = "invalid_request_error",
                        ["code"] = "invalid_api_key",
                    },
                }.ToJsonString());
                return;
            }
            await context.Response.WriteAsync(reply.ErrorBody ?? $"{{\"error\":{{\"message\":\"scripted status {reply.Status}\"}}}}");
            return;
        }
        var json = completions ? reply.ToCompletionJson(request.Model) : reply.ToJson(request.Model);
        if (!completions && body["stream"]?.GetValue<bool>() == true)
        {
            await StreamAsync(context, reply, request);
            return;
        }
        switch (reply.Fault)
        {
            case FakeFault.NonJsonContentType:
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body><h1>502 Bad Gateway</h1></body></html>");
                return;
            case FakeFault.TruncatedBody: // promise the whole body, send half, hang up
                var bytes = System.Text.Encoding.UTF8.GetBytes(json);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = bytes.Length;
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await context.Response.Body.FlushAsync();
                await Task.Delay(50); // let the client read the headers, so the cut falls inside the body
                context.Abort();
                return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    /// <summary>Server-sent events: a role chunk, the content in pieces, tool calls, the finish, then usage when asked for.</summary>
    private static async Task StreamAsync(HttpContext context, FakeReply reply, FakeRequest request)
    {
        if (reply.Fault == FakeFault.NonJsonContentType)
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body><h1>502 Bad Gateway</h1></body></html>");
            return;
        }
        context.Response.ContentType = "text/event-stream";
        async Task Send(JsonNode chunk)
        {
            await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
            await context.Response.Body.FlushAsync();
        }
        JsonObject Chunk(JsonObject? delta, string? finish = null) => new()
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1700000000,
            ["model"] = request.Model,
            ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        if (reply.Fault == FakeFault.MalformedJson)
        {
            await context.Response.WriteAsync("data: {\"id\": \"chatcmpl-fake\", \"choices\": [}\n\n");
            return;
        }
        await Send(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }));
        if (reply.Fault == FakeFault.TruncatedBody) // one chunk, then the connection drops
        {
            await Task.Delay(50);
            context.Abort();
            return;
        }
        var content = reply.Content ?? "";
        for (var i = 0; i < content.Length; i += 8)
            await Send(Chunk(new JsonObject { ["content"] = content.Substring(i, Math.Min(8, content.Length - i)) }));
        foreach (var (call, index) in (reply.ToolCalls ?? []).Select((c, i) => (c, i)))
            await Send(Chunk(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = index,
                    ["id"] = $"call_{index}",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.ArgumentsJson },
                }),
            }));
        await Send(Chunk(new JsonObject(), reply.ToolCalls is { Count: > 0 } ? "tool_calls" : "stop"));
        if (!reply.OmitUsage && request.Body["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
        {
            var usage = Chunk(null);
            usage["usage"] = new JsonObject { ["prompt_tokens"] = reply.PromptTokens, ["completion_tokens"] = reply.CompletionTokens, ["total_tokens"] = reply.PromptTokens + reply.CompletionTokens };
            await Send(usage);
        }
        await context.Response.WriteAsync("data: [DONE]\n\n");
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
    /// <summary>The request's headers, names lower-case.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public JsonArray Messages => Body["messages"]!.AsArray();
    /// <summary>The raw prompt of a <c>/v1/completions</c> request.</summary>
    public string? Prompt => Body["prompt"]?.GetValue<string>();
    public IReadOnlyList<string> ToolNames => Body["tools"]?.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).ToList() ?? [];
    public string ToolsJson => Body["tools"]?.ToJsonString() ?? "[]";
    public string LastUserText => Messages.Last(m => m!["role"]!.GetValue<string>() == "user")!["content"] is JsonValue v ? v.GetValue<string>() : Messages.Last()!["content"]!.ToJsonString();
}

/// <summary>
/// A way a 200 reply can be unusable, as proxies and overloaded servers produce them. <see cref="TruncatedBody"/>
/// promises a Content-Length, sends half and hangs up (in a stream: one chunk, then the hang-up).
/// </summary>
public enum FakeFault { None, MalformedJson, EmptyChoices, TruncatedBody, MissingMessage, NonJsonContentType }

/// <summary>A scripted reply: content and/or tool calls with fixed usage, or an HTTP error status (optionally echoing the key) or a broken body, after an optional delay.</summary>
public sealed record FakeReply(
    string? Content = null,
    IReadOnlyList<FakeToolCall>? ToolCalls = null,
    int PromptTokens = 100,
    int CompletionTokens = 20,
    bool OmitUsage = false,
    int Status = 200,
    TimeSpan Delay = default,
    int? RetryAfterSeconds = null,
    FakeFault Fault = FakeFault.None,
    bool EchoesKey = false,
    string? ErrorBody = null)
{
    public static FakeReply Error(int status, int? retryAfterSeconds = null) => new(Status: status, RetryAfterSeconds: retryAfterSeconds);
    /// <summary>An error whose body quotes back the API key and the Authorization header the request carried.</summary>
    public static FakeReply EchoingKey(int status = 401) => new(Status: status, EchoesKey: true);
    public static FakeReply Broken(FakeFault fault) => new(Content: "never seen", Fault: fault);
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
        return Finish(root, "text");
    }

    /// <summary>Usage, then the scripted fault applied to a well-formed body.</summary>
    private string Finish(JsonObject root, string field)
    {
        if (!OmitUsage)
            root["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens };
        switch (Fault)
        {
            case FakeFault.EmptyChoices: root["choices"] = new JsonArray(); break;
            case FakeFault.MissingMessage: root["choices"]![0]!.AsObject().Remove(field); break;
            case FakeFault.MalformedJson: return "{\"id\": \"chatcmpl-fake\", \"choices\": [}";
        }
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
        return Finish(root, "message");
    }
}

public sealed record FakeToolCall(string Name, string ArgumentsJson);
