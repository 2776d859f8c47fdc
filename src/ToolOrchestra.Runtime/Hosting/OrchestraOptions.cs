using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Runtime.Hosting;

/// <summary>
/// How <see cref="ServiceCollectionExtensions.AddToolOrchestra(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{OrchestraOptions}?)"/>
/// builds the engine. Every property has the CLI option of the same idea (<c>orchestra run --help</c>). The plain
/// values (paths, numbers, switches, <c>McpServers</c>, <c>Protocol</c> by name) also bind from an
/// <c>appsettings.json</c> section through <c>AddToolOrchestra(configuration.GetSection("ToolOrchestra"))</c>.
/// </summary>
public sealed class OrchestraOptions : OrchestraSettings
{
    /// <summary>How hard to try each endpoint (retries, attempt timeout, backoff); null takes the catalog's <c>limits</c>.</summary>
    public RetrySettings? Retry { get; set; }

    /// <summary>
    /// The QA protocol's shape: <see cref="QaProtocolVariant.Hle"/>, <see cref="QaProtocolVariant.Frames"/> or
    /// <see cref="QaProtocolVariant.Train"/> reproduce the reference's prompts; legacy is this project's original.
    /// Null takes the catalog's <c>orchestrator.protocol</c>, else <see cref="QaProtocolVariant.Default"/> (train).
    /// In configuration: <c>"Protocol": "hle"</c>.
    /// </summary>
    public QaProtocolVariant? Protocol { get; set; }

    /// <summary>How much context the orchestrator sees each turn (the legacy protocol only).</summary>
    public OrchestratorContextLimits ContextLimits { get; set; } = new();

    /// <summary>
    /// Your own steps in every catalog model's client pipeline, e.g. <c>(builder, model) =&gt; builder.Use(...)</c> or
    /// <c>builder.UseLogging()</c>. They are added outermost, before the engine's telemetry, budget, ledger, tool-call
    /// parsing and retry steps, so they see each model call once, as the engine sends it, and its final reply (tool
    /// calls parsed, after retries). The <see cref="ModelEntry"/> says which model the pipeline is for.
    /// </summary>
    public Action<ChatClientBuilder, ModelEntry>? ConfigureChatClient { get; set; }

    /// <summary>
    /// Replays repeated model calls instead of paying for them again (open one with
    /// <c>ResponseCacheStore.OpenAsync</c>): every catalog model's pipeline gets it outside the budget step. Opt-in; null
    /// sends every call.
    /// </summary>
    public Models.Caching.ResponseCache? ResponseCache { get; set; }

    /// <summary>
    /// Who orchestrates: null for the catalog's LLM orchestrator; otherwise a factory (e.g. the small learned policy of
    /// <c>ToolOrchestra.Training</c>, which this layer cannot name).
    /// </summary>
    public Func<IServiceProvider, IQaPolicy>? Policy { get; set; }

    // What only code can supply, set through ToolOrchestraBuilder's Use* methods; read once when the engine is built.
    internal Func<ModelEntry, IChatClient?>? ChatClients { get; set; }
    internal Func<IServiceProvider, Tools.IRetriever>? SearchBackend { get; set; }
    internal Func<IServiceProvider, Tools.ICodeRunner>? CodeBackend { get; set; }
}

/// <summary>
/// The plain values of <see cref="OrchestraOptions"/>: the part an <c>IConfiguration</c> section binds (by the binder's
/// source generator, which binds a declared type's own properties, so delegates and protocol records stay out of it).
/// </summary>
public class OrchestraSettings
{
    /// <summary>Catalog JSON (models, aliases, prices, limits).</summary>
    public string CatalogPath { get; set; } = "";

    /// <summary>A local BM25 index (<c>orchestra index build</c>) behind <c>search</c>.</summary>
    public string? Index { get; set; }

    /// <summary>Base URL of a <c>/retrieve</c> service (the reference's API) behind <c>search</c>.</summary>
    public string? Retriever { get; set; }

    /// <summary>Fall back to Tavily web search when retrieval finds fewer than 3 documents (needs TAVILY_API_KEY).</summary>
    public bool Web { get; set; }

    /// <summary>Documents per search; null takes the protocol variant's (hle 50, frames 150, train 30; legacy 30).</summary>
    public int? TopK { get; set; }

    /// <summary>Allowed document ids: a JSON list, or a map {question id: [ids]} used with the request's eid.</summary>
    public string? AllowedIds { get; set; }

    /// <summary>Where trajectories go (one append-only file per run); null keeps none.</summary>
    public string? RunsDirectory { get; set; } = "runs";

    /// <summary>Qwen3 <c>tokenizer.json</c> (or its folder) for exact counts; null estimates (~4 characters a token).</summary>
    public string? Tokenizer { get; set; }

    /// <summary>Run expert-written code in the bubblewrap sandbox (false: <c>enhance_reasoning</c> answers "not configured").</summary>
    public bool Code { get; set; } = true;

    /// <summary>Wall-clock seconds per code execution.</summary>
    public double CodeTimeoutSeconds { get; set; } = 60;

    /// <summary>DANGER: run expert-written code without bubblewrap isolation.</summary>
    public bool UnsafeNoSandbox { get; set; }

    /// <summary>MCP servers whose tools are offered to the orchestrator: a command line (stdio) or an http(s) URL each.</summary>
    public List<string> McpServers { get; } = [];

    /// <summary>Limits over the catalog's <c>limits</c>; each request may narrow them again.</summary>
    public int? MaxTurns { get; set; }
    public int? MaxErrors { get; set; }
    public decimal? BudgetUsd { get; set; }
    public double? BudgetSeconds { get; set; }
}
