using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ToolOrchestra.Core;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Environments.Servers;

/// <summary>How <c>orchestra env serve</c> listens and how many sessions it holds.</summary>
/// <param name="MaxSessions">WebSocket sessions held at once; one more is answered <c>CAPACITY_REACHED</c>.</param>
/// <param name="SessionTimeout">A session idle this long (no message, no step in flight) is closed and freed; null: never.</param>
public sealed record EnvServerOptions(int MaxSessions = 64, TimeSpan? SessionTimeout = null)
{
    public IPAddress Bind { get; init; } = IPAddress.Loopback;
    public int Port { get; init; }
    public WebGuard Guard { get; init; } = WebGuard.Default;
}

/// <summary>
/// QA episodes over OpenEnv's wire protocol: <c>POST /reset</c>, <c>POST /step</c>, <c>GET /state</c> (one default
/// session for plain HTTP), <c>GET /schema</c>, <c>GET /health</c>, <c>GET /metadata</c>, and <c>/ws</c>, where each
/// WebSocket is its own session (<c>reset</c>/<c>step</c>/<c>state</c>/<c>close</c> messages; errors carry OpenEnv's
/// codes). A session is the unit of state, so replicas behind a load balancer need no shared store.
/// </summary>
public sealed class QaEnvServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly QaEnvironment _env;
    private readonly EnvServerOptions _options;
    private readonly ConcurrentDictionary<string, QaEnvSession> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _httpGate = new(1, 1);
    private QaEnvSession? _http;
    private int _open;
    private Task _reaper = Task.CompletedTask;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>WebSocket sessions open now.</summary>
    public int ActiveSessions => Volatile.Read(ref _open);

    private QaEnvServer(QaEnvironment env, EnvServerOptions options)
    {
        if (options.MaxSessions < 1) throw new UserError($"--max-sessions must be at least 1, got {options.MaxSessions}.");
        if (options.SessionTimeout is { } t && t <= TimeSpan.Zero) throw new UserError("--session-timeout must be a positive number of seconds.");
        _env = env;
        _options = options;
        _app = LoopbackWebApp.Create(options.Bind, options.Port, options.Guard);
        _app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        _app.MapGet("/health", () => Json(new JsonObject { ["status"] = "healthy" }));
        _app.MapGet("/schema", () => Json(EnvSchemas.All()));
        _app.MapGet("/metadata", () => Json(new JsonObject
        {
            ["name"] = "toolorchestra-qa",
            ["description"] = $"ToolOrchestra QA episodes: {env.Tasks.Count} tasks; the policy calls search, enhance_reasoning and answer with the catalog's aliases, billed at the catalog's prices.",
        }));
        _app.MapPost("/reset", async (HttpContext c) => await (await HttpResetAsync(c).ConfigureAwait(false)).ExecuteAsync(c).ConfigureAwait(false));
        _app.MapPost("/step", async (HttpContext c) => await (await HttpStepAsync(c).ConfigureAwait(false)).ExecuteAsync(c).ConfigureAwait(false));
        _app.MapGet("/state", async () => Json((await HttpSessionAsync().ConfigureAwait(false)).State()));
        _app.Map("/ws", WebSocketAsync);
    }

    public static async Task<QaEnvServer> StartAsync(QaEnvironment env, EnvServerOptions options, CancellationToken ct = default)
    {
        var server = new QaEnvServer(env, options);
        server.BaseUrl = await LoopbackWebApp.StartAsync(server._app, ct).ConfigureAwait(false);
        if (options.SessionTimeout is { } timeout) server._reaper = server.ReapAsync(timeout);
        return server;
    }

    private async Task<IResult> HttpResetAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Undefined })
            return Detail(422, "the reset body must be a JSON object (task_id, seed, episode_id, group_id, preferences).");
        var session = await HttpSessionAsync().ConfigureAwait(false);
        return await Run(() => session.ResetAsync(body ?? default, context.RequestAborted)).ConfigureAwait(false);
    }

    private async Task<IResult> HttpStepAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is not { ValueKind: JsonValueKind.Object } b || !b.TryGetProperty("action", out var action))
            return Detail(422, "the step body must be {\"action\": {\"message\": \"…\"}} or {\"action\": {\"tool_calls\": […]}}.");
        var session = await HttpSessionAsync().ConfigureAwait(false);
        return await Run(() => session.StepAsync(action, context.RequestAborted)).ConfigureAwait(false);
    }

    private static async Task<IResult> Run(Func<Task<JsonObject>> body)
    {
        try
        {
            return Json(await body().ConfigureAwait(false));
        }
        catch (Exception e) when (e is EnvValidationException or UserError) { return Detail(422, e.Message); }
        catch (InvalidOperationException e) { return Detail(409, e.Message); }
    }

    private static IResult Detail(int status, string message) => Json(new JsonObject { ["detail"] = message }, status);

    /// <summary>A JSON reply written from the node itself (no reflection-based serializer: the engine runs without one).</summary>
    private static IResult Json(JsonNode body, int status = 200) => Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8, status);

    private static async Task<JsonElement?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The one session of plain HTTP, made again once the reaper freed it.</summary>
    private async Task<QaEnvSession> HttpSessionAsync()
    {
        await _httpGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_http is null || _http.Closed.IsCancellationRequested) _http = new QaEnvSession(_env, "http", TimeProvider.System);
            return _http;
        }
        finally { _httpGate.Release(); }
    }

    private async Task WebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await WebGuard.RefuseAsync(context, 400, "/ws takes a WebSocket upgrade; send reset, step, state and close messages on it.", "not_websocket").ConfigureAwait(false);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        if (Interlocked.Increment(ref _open) > _options.MaxSessions)
        {
            var active = Interlocked.Decrement(ref _open);
            var refusal = EnvWire.Error(EnvWire.CapacityReached, $"the server holds its maximum of {_options.MaxSessions} sessions; retry later or start another replica.");
            refusal["data"]!["active_sessions"] = active;
            refusal["data"]!["max_sessions"] = _options.MaxSessions;
            await SendAsync(socket, refusal, CancellationToken.None).ConfigureAwait(false);
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "capacity reached").ConfigureAwait(false);
            return;
        }
        var session = new QaEnvSession(_env, Guid.NewGuid().ToString("N"), TimeProvider.System);
        _sessions[session.Id] = session;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(session.Closed, _stopping.Token, context.RequestAborted);
        try
        {
            await ServeAsync(socket, session, stop.Token).ConfigureAwait(false);
            await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "closed").ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client left, the session timed out or the server stops: the socket is gone either way.
        }
        finally
        {
            _sessions.TryRemove(session.Id, out _);
            await session.DisposeAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task ServeAsync(WebSocket socket, QaEnvSession session, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var (text, tooLarge, closed) = await ReceiveAsync(socket, buffer, ct).ConfigureAwait(false);
                if (closed) return;
                if (tooLarge)
                {
                    await SendAsync(socket, EnvWire.Error(EnvWire.ValidationError, $"the message is larger than {_options.Guard.MaxBodyBytes} bytes."), ct).ConfigureAwait(false);
                    await CloseAsync(socket, WebSocketCloseStatus.MessageTooBig, "message too large").ConfigureAwait(false);
                    return;
                }
                var (reply, close) = await HandleAsync(session, text!, ct).ConfigureAwait(false);
                if (close) return;
                await SendAsync(socket, reply!, ct).ConfigureAwait(false);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>One message of the session: its reply, or that the client closed the session.</summary>
    private static async Task<(JsonObject? Reply, bool Close)> HandleAsync(QaEnvSession session, string text, CancellationToken ct)
    {
        JsonElement message;
        try
        {
            using var doc = JsonDocument.Parse(text);
            message = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return (EnvWire.Error(EnvWire.InvalidJson, $"Invalid JSON: {e.Message.Split(" Path:")[0]}"), false);
        }
        if (message.ValueKind != JsonValueKind.Object)
            return (EnvWire.Error(EnvWire.ValidationError, "a message is a JSON object {\"type\": \"reset\"|\"step\"|\"state\"|\"close\", \"data\": {…}}."), false);
        var type = message.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        if (type is not ("reset" or "step" or "state" or "close"))
            return (EnvWire.Error(EnvWire.UnknownType, $"Unknown message type: {type}"), false);
        try
        {
            JsonElement data = default;
            foreach (var p in message.EnumerateObject())
            {
                if (p.Name == "data") data = p.Value;
                else if (p.Name != "type") throw new EnvValidationException($"Invalid message: field '{p.Name}' is not allowed; a message has type and data.");
            }
            switch (type)
            {
                case "reset":
                    return (EnvWire.Reply("observation", await session.ResetAsync(data, ct).ConfigureAwait(false)), false);
                case "step":
                    if (data.ValueKind == JsonValueKind.Undefined) throw new EnvValidationException("Invalid message: step needs data, the action.");
                    return (EnvWire.Reply("observation", await session.StepAsync(data, ct).ConfigureAwait(false)), false);
                case "state":
                    return (EnvWire.Reply("state", session.State()), false);
                default:
                    return (null, true);
            }
        }
        catch (EnvValidationException e)
        {
            return (EnvWire.Error(EnvWire.ValidationError, e.Message), false);
        }
        catch (Exception e) when (e is InvalidOperationException or UserError)
        {
            return (EnvWire.Error(EnvWire.ExecutionError, e.Message), false);
        }
    }

    private async Task<(string? Text, bool TooLarge, bool Closed)> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close) return (null, false, true);
            if (message.Length + result.Count > _options.Guard.MaxBodyBytes) return (null, true, false);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage) return (Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length), false, false);
        }
    }

    private static Task SendAsync(WebSocket socket, JsonObject reply, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(reply.ToJsonString()), WebSocketMessageType.Text, true, ct);

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync(status, reason, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
    }

    /// <summary>Closes sessions idle past the timeout (a step in flight is not idle), freeing their slots.</summary>
    private async Task ReapAsync(TimeSpan timeout)
    {
        var every = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(5).Ticks));
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                foreach (var session in _sessions.Values)
                    if (!session.Busy && session.Idle > timeout) await session.DisposeAsync().ConfigureAwait(false);
                if (_http is { Busy: false } http && http.Idle > timeout) await http.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _reaper.ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_http is not null) await _http.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
