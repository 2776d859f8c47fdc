using System.Net;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Server;

/// <summary>How <c>orchestra serve</c> runs: which catalogs serve which model names, the store, where it listens.</summary>
public sealed record ServerOptions
{
    /// <summary>The model name a request gives for the main catalog's orchestrator.</summary>
    public const string DefaultProfile = "orchestrator";

    /// <summary>Catalog behind <see cref="DefaultProfile"/>.</summary>
    public required string CatalogPath { get; init; }

    /// <summary>More orchestrator profiles: model name → catalog file.</summary>
    public IReadOnlyDictionary<string, string> Profiles { get; init; } = new Dictionary<string, string>();

    /// <summary>Keys, runs and spend (a SQLite file, or postgres:// shared by replicas).</summary>
    public required StoreLocation Store { get; init; }

    public IPAddress Bind { get; init; } = IPAddress.Loopback;
    public int Port { get; init; } = 8080;

    /// <summary>Host names accepted besides loopback and the bound address.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Where the engine writes each run's trajectory file.</summary>
    public string RunsDirectory { get; init; } = "runs";

    /// <summary>Engine settings shared by every profile (index, retriever, protocol, policy, code sandbox, …).</summary>
    public Action<OrchestraOptions>? Engine { get; init; }

    /// <summary>How many orchestrators deep a request may already be nested when it arrives (recursive orchestration).</summary>
    public int MaxDepth { get; init; } = 3;

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
