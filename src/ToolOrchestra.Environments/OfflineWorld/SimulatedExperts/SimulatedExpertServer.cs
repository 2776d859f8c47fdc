using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ToolOrchestra.Core;

using ToolOrchestra.Tools;

namespace ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

/// <summary>
/// The simulated experts over HTTP: an OpenAI-compatible <c>POST /v1/chat/completions</c> (and <c>GET /v1/models</c>)
/// on 127.0.0.1 only, so <c>orchestra run</c> reaches them exactly as it reaches vLLM or OpenAI. The request's
/// <c>model</c> picks the profile; <c>usage</c> is filled; the reply's model name, its text and the
/// <c>system_fingerprint</c> say "simulated". Replies return at once (or after a chosen fraction of the modelled
/// seconds); the modelled seconds are reported in the <c>x-simulated-latency-s</c> header. The optional <c>seed</c>
/// field varies the reply; without one a request always gets the same reply. <c>"stream": true</c> is answered as
/// server-sent events in OpenAI's chunk format (with a usage chunk when <c>stream_options.include_usage</c> asks).
/// HTTP carries no episode, so an orchestrator prompt asked again right after itself (same model, same problem) counts
/// as another search that found nothing (see <see cref="HeuristicOrchestrator.EmptySearches"/>): an out-of-world
/// question ends with an answer, not at max_turns, and the next episode of the same question starts afresh.
/// Like every server here it checks the Host header, takes JSON bodies only and caps their size; bound beyond
/// loopback it requires a key.
/// </summary>
public sealed class SimulatedExpertServer : IAsyncDisposable
{
    public const string Fingerprint = "toolorchestra-simulated";
    private readonly WebApplication _app;
    private readonly SimulatedEndpoint _endpoint;
    private long _requests;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Prompt, int Times)> _lastAsked = new(StringComparer.Ordinal);

    private readonly double _latencyScale;

    private SimulatedExpertServer(WebApplication app, SimulatedEndpoint endpoint, double latencyScale)
    {
        _app = app;
        _endpoint = endpoint;
        _latencyScale = latencyScale;
    }

    /// <summary>Base URL of the API, ending in <c>/v1</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    public int Port { get; private set; }

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>
    /// Starts listening on 127.0.0.1:<paramref name="port"/> (0 picks a free port); a taken port is a <see cref="UserError"/>.
    /// <paramref name="latencyScale"/> &gt; 0 makes each reply wait that fraction of its modelled seconds (1 = real time).
    /// </summary>
    public static Task<SimulatedExpertServer> StartAsync(SimulatedEndpoint endpoint, int port, double latencyScale = 0, CancellationToken ct = default) =>
        StartAsync(endpoint, IPAddress.Loopback, port, null, latencyScale, ct);

    /// <summary>
    /// As above on <paramref name="bind"/>; any address but loopback needs <paramref name="apiKey"/>, which every
    /// request must then send as <c>Authorization: Bearer</c> (also on loopback, when given).
    /// </summary>
    public static async Task<SimulatedExpertServer> StartAsync(SimulatedEndpoint endpoint, IPAddress bind, int port, string? apiKey, double latencyScale = 0, CancellationToken ct = default)
    {
        if (!double.IsFinite(latencyScale) || latencyScale < 0) throw new UserError($"--latency-scale must be 0 or more, got {latencyScale}.");
        if (!IPAddress.IsLoopback(bind) && string.IsNullOrEmpty(apiKey))
            throw new UserError($"--bind {bind} serves beyond this machine, which requires a key: set one in an environment variable and pass --api-key-env VAR.");
        var app = LoopbackWebApp.Create(bind, port, new WebGuard { ApiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey });
        var server = new SimulatedExpertServer(app, endpoint, latencyScale);
        app.MapPost("/v1/chat/completions", server.CompleteAsync);
        app.MapGet("/v1/models", server.ModelsAsync);
        var address = await LoopbackWebApp.StartAsync(app, ct).ConfigureAwait(false);
        server.BaseUrl = address.ToString().TrimEnd('/') + "/v1";
        server.Port = address.Port;
        return server;
    }

    private async Task ModelsAsync(HttpContext context)
    {
        var data = new JsonArray(SimulatedEndpoint.ServedModels.Select(m => (JsonNode)new JsonObject
        {
            ["id"] = m, ["object"] = "model", ["owned_by"] = Fingerprint,
        }).ToArray());
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private async Task CompleteAsync(HttpContext context)
    {
        var id = Interlocked.Increment(ref _requests);
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await ErrorAsync(context, 400, $"the request body is not JSON: {e.Message}").ConfigureAwait(false);
            return;
        }
        if (body?["model"] is not JsonValue modelValue || !modelValue.TryGetValue<string>(out var model))
        {
            await ErrorAsync(context, 400, "the request needs a string field \"model\".").ConfigureAwait(false);
            return;
        }
        if (body["messages"] is not JsonArray messages)
        {
            await ErrorAsync(context, 400, "the request needs an array field \"messages\".").ConfigureAwait(false);
            return;
        }
        if (!SimulatedEndpoint.Serves(model))
        {
            await ErrorAsync(context, 404, $"model '{model}' is not served here (simulated); served: {string.Join(", ", SimulatedEndpoint.ServedModels)}.").ConfigureAwait(false);
            return;
        }
        var prompt = messages.OfType<JsonObject>().Select(m => new PromptMessage(m["role"]?.GetValue<string>() ?? "user", Text(m["content"]))).ToList();
        var tools = (body["tools"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(t => t["function"] as JsonObject).OfType<JsonObject>()
            .Select(f => new OfferedTool(f["name"]?.GetValue<string>() ?? "",
                f["parameters"] is { } p ? SimulatedEndpoint.ModelChoices(JsonSerializer.Deserialize<JsonElement>(p.ToJsonString())) : []))
            .ToList();
        var seed = body["seed"] is JsonValue s && s.TryGetValue<long>(out var seedValue) ? (int)seedValue : 0;

        var completion = _endpoint.Complete(model, prompt, tools, seed, AskedBefore);
        if (_latencyScale > 0)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(completion.LatencySeconds * _latencyScale), context.RequestAborted).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
        context.Response.Headers["x-simulated-latency-s"] = completion.LatencySeconds.ToString("0.###", CultureInfo.InvariantCulture);
        if (body["stream"] is JsonValue streamValue && streamValue.TryGetValue<bool>(out var stream) && stream)
        {
            var includeUsage = body["stream_options"]?["include_usage"] is JsonValue u && u.TryGetValue<bool>(out var usage) && usage;
            await StreamAsync(context, id, completion, includeUsage).ConfigureAwait(false);
            return;
        }
        var message = new JsonObject { ["role"] = "assistant", ["content"] = completion.Content };
        if (completion.ToolCalls.Count > 0)
            message["tool_calls"] = new JsonArray(completion.ToolCalls.Select((c, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"call_{id}_{i}",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
            }).ToArray());
        var reply = new JsonObject
        {
            ["id"] = $"chatcmpl-sim-{id}",
            ["object"] = "chat.completion",
            ["created"] = 1735689600,
            ["model"] = completion.Model,
            ["system_fingerprint"] = Fingerprint,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = completion.ToolCalls.Count > 0 ? "tool_calls" : "stop",
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = completion.PromptTokens,
                ["completion_tokens"] = completion.CompletionTokens,
                ["total_tokens"] = completion.PromptTokens + completion.CompletionTokens,
            },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(reply.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The same reply as server-sent events: the role, the text in pieces, each tool call, the finish, usage when asked, [DONE].</summary>
    private static async Task StreamAsync(HttpContext context, long id, SimulatedCompletion completion, bool includeUsage)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        async Task Send(JsonNode? delta, string? finish = null, JsonObject? usage = null)
        {
            var chunk = new JsonObject
            {
                ["id"] = $"chatcmpl-sim-{id}",
                ["object"] = "chat.completion.chunk",
                ["created"] = 1735689600,
                ["model"] = completion.Model,
                ["system_fingerprint"] = Fingerprint,
                ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
            };
            if (usage is not null) chunk["usage"] = usage;
            await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n", context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        await Send(new JsonObject { ["role"] = "assistant", ["content"] = "" }).ConfigureAwait(false);
        var text = completion.Content ?? "";
        for (var i = 0; i < text.Length; i += 64)
            await Send(new JsonObject { ["content"] = text.Substring(i, Math.Min(64, text.Length - i)) }).ConfigureAwait(false);
        for (var i = 0; i < completion.ToolCalls.Count; i++)
            await Send(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = i,
                    ["id"] = $"call_{id}_{i}",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = completion.ToolCalls[i].Name, ["arguments"] = completion.ToolCalls[i].ArgumentsJson },
                }),
            }).ConfigureAwait(false);
        await Send(new JsonObject(), completion.ToolCalls.Count > 0 ? "tool_calls" : "stop").ConfigureAwait(false);
        if (includeUsage)
            await Send(null, usage: new JsonObject
            {
                ["prompt_tokens"] = completion.PromptTokens,
                ["completion_tokens"] = completion.CompletionTokens,
                ["total_tokens"] = completion.PromptTokens + completion.CompletionTokens,
            }).ConfigureAwait(false);
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A message's text: a plain string or the concatenated text parts of a content array.</summary>
    /// <summary>
    /// How often an orchestrator prompt was asked in a row before, per model and problem (counting this time): a new
    /// prompt for the problem (documents found) starts again at 0, and so does the episode after one that gave up.
    /// </summary>
    private int AskedBefore(string prompt)
    {
        if (_lastAsked.Count > 10_000) _lastAsked.Clear(); // only a memory of recent episodes
        var problem = prompt[..(prompt.IndexOf('\n') + 1)] + HeuristicOrchestrator.Problem(prompt);
        var seen = _lastAsked.AddOrUpdate(problem, _ => (prompt, 0), (_, last) => last.Prompt == prompt ? (prompt, last.Times + 1) : (prompt, 0));
        if (seen.Times >= HeuristicOrchestrator.EmptySearches) _lastAsked.TryRemove(problem, out _); // it answers now
        return seen.Times;
    }

    private static string Text(JsonNode? content) => content switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Select(p => p["text"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : "")),
        _ => "",
    };

    private static async Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var error = new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error" } };
        await context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
