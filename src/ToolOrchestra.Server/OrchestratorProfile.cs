using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;

namespace ToolOrchestra.Server;

/// <summary>
/// One model name the server answers to: an engine built with <c>AddToolOrchestra</c> from a catalog, its catalog,
/// and the turn limit a request may not raise.
/// </summary>
public sealed class OrchestratorProfile : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private OrchestratorProfile(string name, ServiceProvider services)
    {
        Name = name;
        _services = services;
        Orchestrator = services.GetRequiredService<IOrchestrator>(); // a malformed catalog fails here, at start
        Catalog = services.GetRequiredService<Catalog>();
        var options = services.GetRequiredService<OrchestraOptions>();
        MaxTurns = options.MaxTurns ?? Catalog.Limits.MaxTurns;
    }

    public string Name { get; }
    public IOrchestrator Orchestrator { get; }
    public Catalog Catalog { get; }
    public int MaxTurns { get; }

    public static OrchestratorProfile Create(string name, string catalogPath, string runsDirectory, Action<OrchestraOptions>? engine) =>
        new(name, new ServiceCollection().AddToolOrchestra(catalogPath, o =>
        {
            engine?.Invoke(o);
            o.RunsDirectory = runsDirectory;
        }).Services.BuildServiceProvider());

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
