using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Telemetry;
using ToolOrchestra.Server.Chat;
using ToolOrchestra.Server.Dashboard;
using ToolOrchestra.Server.Keys;
using ToolOrchestra.Server.Runs;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Server;

/// <summary>
/// <c>orchestra serve</c>: orchestrator profiles behind an OpenAI-compatible API (<c>/v1/chat/completions</c>,
/// <c>/v1/models</c>), Prometheus metrics at <c>/metrics</c> and a dashboard at <c>/ui</c>, built only on the engine's
/// public API. Bound to loopback unless told otherwise; any other bind needs keys. Once a key exists in the store,
/// every request must carry one (<c>Authorization: Bearer sk-orch-…</c>).
/// </summary>
public sealed class OrchestraServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeat;
    private readonly IReadOnlyList<(string Path, string Says)> _catalogPaths;
    private volatile bool _keysSeen;
    private long _keysCheckedAt = long.MinValue / 2;

    private OrchestraServer(ServerOptions options, WebApplication app, ServerStore store, IReadOnlyDictionary<string, OrchestratorProfile> profiles)
    {
        Options = options;
        _app = app;
        Store = store;
        Profiles = profiles;
        Keys = new KeyStore(store, options.Clock);
        Runs = new RunLog(store, options.Clock);
        _catalogPaths = CatalogPaths(profiles.Values);
        _heartbeat = HeartbeatLoopAsync();
    }

    public ServerOptions Options { get; }
    public ServerStore Store { get; }
    public KeyStore Keys { get; }
    public RunLog Runs { get; }
    public ServerMetrics Metrics { get; } = new();
    public IReadOnlyDictionary<string, OrchestratorProfile> Profiles { get; }

    /// <summary>Base address with a trailing slash, e.g. http://127.0.0.1:8080/.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Runs found left running by a dead server at start, now marked interrupted.</summary>
    public int InterruptedAtStart { get; private set; }

    /// <summary>Whether a request must carry a key: off loopback always, on loopback once the store holds any.</summary>
    public bool LoopbackOnly => IPAddress.IsLoopback(Options.Bind);

    public static async Task<OrchestraServer> StartAsync(ServerOptions options, CancellationToken ct = default)
    {
        var store = new ServerStore(options.Store);
        await store.MigrateAsync(ct).ConfigureAwait(false);
        var keys = new KeyStore(store, options.Clock);
        if (!IPAddress.IsLoopback(options.Bind) && !await keys.AnyAsync(ct).ConfigureAwait(false))
            throw new UserError($"--bind {options.Bind} serves beyond this machine, which requires keys: create one first with `orchestra keys create --store {options.Store} --name NAME`.");
        var profiles = new Dictionary<string, OrchestratorProfile>(StringComparer.Ordinal)
        {
            [ServerOptions.DefaultProfile] = OrchestratorProfile.Create(ServerOptions.DefaultProfile, options.CatalogPath, options.RunsDirectory, options.Engine),
        };
        foreach (var (name, catalog) in options.Profiles)
        {
            if (profiles.ContainsKey(name)) throw new UserError($"--profile {name}: the model name is given twice.");
            profiles[name] = OrchestratorProfile.Create(name, catalog, options.RunsDirectory, options.Engine);
        }
        var guard = new WebGuard { MaxBodyBytes = options.MaxBodyBytes, AllowedHosts = options.AllowedHosts };
        var app = LoopbackWebApp.Create(options.Bind, options.Port, guard, b =>
            b.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(OrchestraTelemetry.SourceName, ServerMetrics.MeterName).AddPrometheusExporter()));
        var server = new OrchestraServer(options, app, store, profiles);
        await server.Runs.HeartbeatAsync(ct).ConfigureAwait(false);
        server.InterruptedAtStart = await server.Runs.SweepInterruptedAsync(ct).ConfigureAwait(false);
        server.Map();
        server.Address = await LoopbackWebApp.StartAsync(app, ct).ConfigureAwait(false);
        return server;
    }

    private void Map()
    {
        var chat = new ChatCompletionsEndpoint(this);
        _app.MapPost("/v1/chat/completions", chat.HandleAsync);
        _app.MapGet("/v1/models", ModelsAsync);
        _app.MapGet("/health", () => Results.Json(new { status = "ok" }));
        // Metrics tell traffic and spend per model: like the dashboard's data, they need an admin key once keys exist.
        _app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/metrics"))
            {
                try { await AuthenticateAdminAsync(http, "/metrics").ConfigureAwait(false); }
                catch (ApiError e)
                {
                    await WebGuard.RefuseAsync(http, e.Status, e.Message, e.Code).ConfigureAwait(false);
                    return;
                }
            }
            await next(http).ConfigureAwait(false);
        });
        _app.MapPrometheusScrapingEndpoint("/metrics");
        new DashboardEndpoints(this).Map(_app);
        _app.MapFallback(context => WebGuard.RefuseAsync(context, 404, $"no route {context.Request.Method} {context.Request.Path}; the API is POST /v1/chat/completions and GET /v1/models.", "not_found"));
    }

    private async Task ModelsAsync(HttpContext http)
    {
        try
        {
            await AuthenticateAsync(http).ConfigureAwait(false);
        }
        catch (ApiError e)
        {
            await WebGuard.RefuseAsync(http, e.Status, e.Message, e.Code).ConfigureAwait(false);
            return;
        }
        var data = new JsonArray(Profiles.Values.Select(p => (JsonNode)new JsonObject
        {
            ["id"] = p.Name,
            ["object"] = "model",
            ["created"] = 0,
            ["owned_by"] = ChatWire.Fingerprint,
            ["orchestra"] = new JsonObject
            {
                ["orchestrator_model"] = p.Catalog.Orchestrator.Model,
                ["aliases"] = new JsonArray(p.Catalog.Aliases.Keys.Order(StringComparer.Ordinal).Select(a => (JsonNode)a).ToArray()),
            },
        }).ToArray());
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The request's key; null when keys are not required and the request names none of the store's (OpenAI clients
    /// always send some key: "not-needed", "sk-…"). 401 for a missing, unknown or revoked key when keys are required.
    /// </summary>
    public async Task<ApiKey?> AuthenticateAsync(HttpContext http)
    {
        var token = WebGuard.BearerToken(http.Request);
        var key = token is null ? null : await Keys.FindAsync(token, http.RequestAborted).ConfigureAwait(false);
        if (key is null)
        {
            if (LoopbackOnly && !await KeysExistAsync(http.RequestAborted).ConfigureAwait(false)) return null;
            throw new ApiError(401, "invalid_api_key", token is null
                ? "this server requires an API key; send Authorization: Bearer sk-orch-… (orchestra keys create)."
                : "the API key is not known here; check it, or create one with orchestra keys create.");
        }
        if (key.IsRevoked) throw new ApiError(401, "invalid_api_key", $"key '{key.Name}' was revoked on {key.Revoked:yyyy-MM-dd HH:mm} UTC.");
        _keysSeen = true;
        return key;
    }

    /// <summary>The request's admin key (null when keys are not required); 401 without a valid key, 403 for a key made without --admin.</summary>
    public async Task<ApiKey?> AuthenticateAdminAsync(HttpContext http, string what)
    {
        var key = await AuthenticateAsync(http).ConfigureAwait(false);
        if (key is { Admin: false }) throw new ApiError(403, "admin_required", $"key '{key.Name}' may not read {what}; use a key made with orchestra keys create --admin.");
        return key;
    }

    /// <summary>
    /// A message as a client may see it: the server's catalog paths (engine errors name the file, e.g. "…/catalog.json:
    /// unknown alias") replaced by the model they serve, so a client learns nothing of the server's file system.
    /// </summary>
    public string ForClient(string message)
    {
        foreach (var (path, says) in _catalogPaths) message = message.Replace(path, says, StringComparison.Ordinal);
        return message;
    }

    /// <summary>Every catalog path a message could name, longest first (a full path before the relative path it ends with).</summary>
    private static List<(string, string)> CatalogPaths(IEnumerable<OrchestratorProfile> profiles) =>
        profiles.SelectMany(p => new[] { (p.Catalog.SourcePath, $"the catalog of model '{p.Name}'") }
                .Concat(p.Catalog.Models.Values.Where(m => m.Profile is not null).Select(m => (m.Profile, $"the catalog of model '{m.Id}'"))))
            .Where(x => !string.IsNullOrEmpty(x.Item1))
            .SelectMany(x => new[] { (x.Item1!, x.Item2), (Path.GetFullPath(x.Item1!), x.Item2) })
            .DistinctBy(x => x.Item1)
            .OrderByDescending(x => x.Item1.Length)
            .ToList();

    /// <summary>
    /// Whether the store holds any key. Keys are never deleted, so once seen the answer stays yes; a no is asked again
    /// after a second (a key made by <c>orchestra keys create</c> takes effect within it) rather than on every request.
    /// </summary>
    private async Task<bool> KeysExistAsync(CancellationToken ct)
    {
        if (_keysSeen) return true;
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _keysCheckedAt) < 1000) return false;
        _keysSeen = await Keys.AnyAsync(ct).ConfigureAwait(false);
        Interlocked.Exchange(ref _keysCheckedAt, now);
        return _keysSeen;
    }

    private async Task HeartbeatLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), _stop.Token).ConfigureAwait(false);
                try
                {
                    await Runs.HeartbeatAsync(_stop.Token).ConfigureAwait(false);
                    await Runs.SweepInterruptedAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is UserError or System.Data.Common.DbException) { /* the store is briefly unreachable; try again next beat */ }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _heartbeat.ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        foreach (var p in Profiles.Values) await p.DisposeAsync().ConfigureAwait(false);
        Metrics.Dispose();
        _stop.Dispose();
    }
}
