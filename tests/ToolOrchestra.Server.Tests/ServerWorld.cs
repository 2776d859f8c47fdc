using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Server.Keys;

namespace ToolOrchestra.Server.Tests;

/// <summary>
/// <c>orchestra serve</c> in process over real HTTP on 127.0.0.1, in front of the offline world's SIMULATED experts
/// (their own Kestrel server, the heuristic orchestrator included) with the world's search index, and a SQLite store
/// in a temporary folder. Tests talk to it with plain HttpClient or the official OpenAI SDKs.
/// </summary>
public class ServerWorld : IAsyncLifetime
{
    public static readonly World World = World.Generate(4, WorldOptions.Small);
    public string Dir { get; } = Directory.CreateTempSubdirectory("serve-").FullName;
    public SimulatedExpertServer Experts { get; private set; } = null!;
    public OrchestraServer Server { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(120) };
    public string CatalogPath => Path.Combine(Dir, "catalog.json");
    public string IndexPath => Path.Combine(Dir, "world", WorldRetrieval.IndexFile);
    public Uri BaseAddress => Server.Address;

    /// <summary>Seconds of modelled latency the experts really wait, as a fraction (0: at once).</summary>
    protected virtual double LatencyScale => 0;

    protected virtual StoreLocation Store() => StoreLocation.Parse(Path.Combine(Dir, "orchestra.db"));

    public virtual async Task InitializeAsync()
    {
        Experts = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(World), 0, LatencyScale);
        File.WriteAllText(CatalogPath, SimulatedCatalog.Json(Experts.BaseUrl));
        WorldRetrieval.Build(World, Path.Combine(Dir, "world"));
        Server = await StartServerAsync(Store());
    }

    public Task<OrchestraServer> StartServerAsync(StoreLocation store) => OrchestraServer.StartAsync(Options(store));

    public ServerOptions Options(StoreLocation store) => new()
    {
        CatalogPath = CatalogPath,
        Store = store,
        Port = 0,
        RunsDirectory = Path.Combine(Dir, "runs"),
        Engine = o =>
        {
            o.Index = IndexPath;
            o.TopK = 5;
            o.Code = false;
            o.MaxTurns = 8;
        },
    };

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Experts.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A question of the world the simulated experts know.</summary>
    public static string Question(int i = 0) => World.TestTasks.Where(t => t.Family == TaskFamily.Lookup).ElementAt(i).Question;

    public Task<CreatedKey> CreateKeyAsync(string name, KeyLimits? limits = null) => Server.Keys.CreateAsync(name, limits ?? new KeyLimits());

    public static JsonObject Body(string question, bool stream = false, JsonObject? orchestra = null, string model = "orchestrator")
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question }),
        };
        if (stream) body["stream"] = true;
        if (orchestra is not null) body["orchestra"] = orchestra;
        return body;
    }

    public Task<HttpResponseMessage> PostAsync(JsonNode body, string? key = null, OrchestraServer? server = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri((server ?? Server).Address, "v1/chat/completions"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>Reads a value from the store with one SQL query (both engines).</summary>
    public async Task<object?> ScalarAsync(string sql, params (string, object?)[] args)
    {
        await using var conn = await Server.Store.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = n;
            p.Value = v ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return await cmd.ExecuteScalarAsync();
    }
}
