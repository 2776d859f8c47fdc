using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Models.Tokenization;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Tools;
using ToolOrchestra.Tools.Mcp;

namespace ToolOrchestra.Runtime.Hosting;

/// <summary>
/// <c>services.AddToolOrchestra("catalog.json", o => …)</c> (or <c>AddToolOrchestra(configuration.GetSection("ToolOrchestra"))</c>):
/// the whole engine from a catalog, resolved as <see cref="IOrchestrator"/>, as <see cref="OrchestratorChatClient"/>
/// and as the keyed <see cref="IChatClient"/> <see cref="ChatClientKey"/>. For M.E.AI's pipeline around it:
/// <c>services.AddChatClient(sp =&gt; sp.GetRequiredService&lt;OrchestratorChatClient&gt;()).UseLogging()</c>. Shape it further
/// through the <see cref="ToolOrchestraBuilder"/> it returns (your tools, chat clients, pipeline steps, a policy). A malformed catalog fails when the orchestrator is first
/// resolved, with a <see cref="Core.UserError"/> naming the file, the JSON path and the fix.
/// </summary>
public static class ServiceCollectionExtensions
{
    /// <summary>The key of the orchestrator's <see cref="IChatClient"/>: <c>sp.GetRequiredKeyedService&lt;IChatClient&gt;("orchestrator")</c>.</summary>
    public const string ChatClientKey = "orchestrator";

    public static ToolOrchestraBuilder AddToolOrchestra(this IServiceCollection services, string catalogPath, Action<OrchestraOptions>? configure = null)
    {
        var options = new OrchestraOptions { CatalogPath = catalogPath };
        configure?.Invoke(options);
        return services.AddToolOrchestra(options, () => CatalogLoader.Load(options.CatalogPath));
    }

    /// <summary>
    /// The engine over a catalog already loaded (or derived in memory, as the evaluation harness's setups and the
    /// offline world do); <see cref="OrchestraSettings.CatalogPath"/> is ignored.
    /// </summary>
    public static ToolOrchestraBuilder AddToolOrchestra(this IServiceCollection services, Catalog catalog, Action<OrchestraOptions>? configure = null)
    {
        var options = new OrchestraOptions { CatalogPath = catalog.SourcePath ?? "" };
        configure?.Invoke(options);
        return services.AddToolOrchestra(options, () => catalog);
    }

    /// <summary>
    /// The engine with <see cref="OrchestraOptions"/> bound from a configuration section, e.g. <c>appsettings.json</c>'s
    /// <c>{"ToolOrchestra": {"CatalogPath": "catalog.json", "Index": "index.db", "Protocol": "hle", "MaxTurns": 20}}</c>;
    /// <paramref name="configure"/> then sets what configuration cannot hold (a policy, your pipeline steps).
    /// </summary>
    public static ToolOrchestraBuilder AddToolOrchestra(this IServiceCollection services, IConfiguration section, Action<OrchestraOptions>? configure = null)
    {
        var options = new OrchestraOptions();
        // The binder's source generator writes this call out (EnableConfigurationBindingGenerator: no reflection) for
        // the declared type, so the settings part only: delegates and protocol records cannot come from configuration.
        OrchestraSettings settings = options;
        section.Bind(settings);
        if (section[nameof(OrchestraOptions.Protocol)] is { Length: > 0 } protocol)
            options.Protocol = QaProtocolVariant.Parse(protocol);
        configure?.Invoke(options);
        if (string.IsNullOrWhiteSpace(options.CatalogPath))
            throw new UserError($"configuration section '{(section as IConfigurationSection)?.Path ?? "(root)"}' has no CatalogPath; add \"CatalogPath\": \"catalog.json\" to it.");
        return services.AddToolOrchestra(options, () => CatalogLoader.Load(options.CatalogPath));
    }

    private static ToolOrchestraBuilder AddToolOrchestra(this IServiceCollection services, OrchestraOptions options, Func<Catalog> catalog)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(_ => catalog());
        services.AddSingleton<ITokenCounter>(_ => options.Tokenizer is { } t ? Qwen3Tokenizer.Load(t) : EstimatingTokenCounter.Instance);
        // One clock for the episode and its model calls (attempt timeouts, backoff, latencies): the one registered.
        // The request's seed step goes first (outermost) so the user's steps see the call as it is sent.
        services.AddSingleton(sp => new ModelClientFactory(sp.GetRequiredService<Catalog>(), sp.GetRequiredService<ITokenCounter>(), options.Retry,
            time: sp.GetRequiredService<TimeProvider>(),
            transport: model => options.ChatClients?.Invoke(model) ?? (model.IsInProcessOrchestrator ? new InProcessOrchestratorClient(model, options) : null),
            loggerFactory: sp.GetService<ILoggerFactory>(),
            configure: (builder, model) => { builder.Use(inner => new EpisodeSeedChatClient(inner)); options.ConfigureChatClient?.Invoke(builder, model); },
            cache: options.ResponseCache));
        services.AddSingleton(sp =>
        {
            var catalog = sp.GetRequiredService<Catalog>();
            var models = sp.GetRequiredService<ModelClientFactory>();
            return options.Policy?.Invoke(sp) ?? new LlmQaPolicy(models.For(catalog.Orchestrator.Model), catalog.Orchestrator);
        });
        services.AddSingleton(sp => QaServicesFactory.Create(options, sp.GetRequiredService<Catalog>(), sp));
        services.AddSingleton(sp =>
        {
            var catalog = sp.GetRequiredService<Catalog>();
            var time = sp.GetRequiredService<TimeProvider>();
            var runner = (IReadOnlyList<IOrchestratorTool> extra, QaProtocolVariant? variant) => new QaEpisodeRunner(catalog, sp.GetRequiredService<ModelClientFactory>(),
                sp.GetRequiredService<IQaPolicy>(), sp.GetRequiredService<QaToolServices>(), sp.GetRequiredService<ITokenCounter>(),
                options.ContextLimits, time, extra, variant ?? options.Protocol ?? QaProtocolVariant.FromCatalog(catalog));
            var fromCatalog = EpisodeLimits.From(catalog.Limits);
            var defaults = new EpisodeLimits(options.MaxTurns ?? fromCatalog.MaxTurns, options.MaxErrors ?? fromCatalog.MaxErrors,
                options.BudgetUsd ?? fromCatalog.BudgetUsd, options.BudgetSeconds ?? fromCatalog.BudgetSeconds).Validate();
            return new Orchestrator(catalog, runner, sp.GetRequiredService<ModelClientFactory>(), sp.GetServices<IOrchestratorTool>(),
                options.McpServers.Select(McpSpec), options.RunsDirectory is { } dir ? new RunStore(dir) : null, defaults, time,
                sp.GetService<ILoggerFactory>());
        });
        services.AddSingleton<IOrchestrator>(sp => sp.GetRequiredService<Orchestrator>());
        services.AddSingleton(sp => new OrchestratorChatClient(sp.GetRequiredService<IOrchestrator>(), sp.GetRequiredService<Catalog>().Orchestrator.Model));
        services.AddKeyedSingleton<IChatClient>(ChatClientKey, (sp, _) => sp.GetRequiredService<OrchestratorChatClient>());
        return new ToolOrchestraBuilder(services, options);
    }

    /// <summary>An http(s) URL is a Streamable HTTP server; anything else a command line started over stdio.</summary>
    public static McpServerSpec McpSpec(string server) =>
        server.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || server.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? McpServerSpec.Http(server) : McpServerSpec.Stdio(server);
}
