using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Server.Tests;

/// <summary>
/// <c>orchestra serve</c> in process over real HTTP on 127.0.0.1 in front of a <see cref="FakeOpenAiServer"/> (scripted
/// models), with a SQLite store in a temporary folder. A test class writes its catalog and starts the server with
/// <see cref="StartAsync"/>.
/// </summary>
public abstract class FakeModelsServer(string prefix) : IAsyncLifetime
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory(prefix).FullName;
    protected HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(120) };
    protected FakeOpenAiServer Models { get; private set; } = null!;
    protected OrchestraServer Server { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Models = await FakeOpenAiServer.StartAsync();

    /// <summary>Writes <paramref name="catalogJson"/> and serves it with the engine options <paramref name="engine"/> (code off).</summary>
    protected async Task StartAsync(string catalogJson, Action<OrchestraOptions>? engine = null)
    {
        var catalog = Path.Combine(Dir, "catalog.json");
        File.WriteAllText(catalog, catalogJson);
        Server = await OrchestraServer.StartAsync(new ServerOptions
        {
            CatalogPath = catalog,
            Store = StoreLocation.Parse(Path.Combine(Dir, "orchestra.db")),
            Port = 0,
            RunsDirectory = Path.Combine(Dir, "runs"),
            Engine = o =>
            {
                o.Code = false;
                engine?.Invoke(o);
            },
        });
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        await Models.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A <see cref="ServerWorld"/> whose store is a throwaway PostgreSQL on 127.0.0.1, so replicas can share it.</summary>
public abstract class PostgresServerWorld : ServerWorld
{
    private LocalPostgres _pg = null!;

    protected string PostgresUrl => _pg.Url();

    protected override StoreLocation Store() => StoreLocation.Parse(_pg.Url());

    public override async Task InitializeAsync()
    {
        _pg = await LocalPostgres.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _pg.DisposeAsync();
    }
}
