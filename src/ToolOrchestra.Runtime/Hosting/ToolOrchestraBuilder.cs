using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Hosting;

/// <summary>
/// What <c>services.AddToolOrchestra(…)</c> returns: the one way to shape the engine beyond its options. Each method
/// replaces one part the engine would otherwise build from the options and the catalog, and returns the builder, as
/// M.E.AI's <see cref="ChatClientBuilder"/> does. The engine itself is resolved from <see cref="Services"/> as
/// <see cref="IOrchestrator"/> (every episode kind), <see cref="OrchestratorChatClient"/> or the keyed
/// <see cref="IChatClient"/> <c>"orchestrator"</c>.
/// </summary>
public sealed class ToolOrchestraBuilder
{
    internal ToolOrchestraBuilder(IServiceCollection services, OrchestraOptions options)
    {
        Services = services;
        Options = options;
    }

    /// <summary>The service collection the engine is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The engine's options (also settable through the <c>configure</c> callback of <c>AddToolOrchestra</c>).</summary>
    public OrchestraOptions Options { get; }

    /// <summary>Offers one more tool to the orchestrator: write the class, register it here, nothing else.</summary>
    public ToolOrchestraBuilder AddTool<T>() where T : class, IOrchestratorTool
    {
        Services.AddSingleton<IOrchestratorTool, T>();
        return this;
    }

    /// <inheritdoc cref="AddTool{T}"/>
    public ToolOrchestraBuilder AddTool(IOrchestratorTool tool)
    {
        Services.AddSingleton(tool);
        return this;
    }

    /// <summary>
    /// Adds your own steps to every catalog model's client pipeline (outermost: they see each call once, as the engine
    /// sends it, and its final reply). Several calls add their steps in order.
    /// </summary>
    public ToolOrchestraBuilder ConfigureChatClient(Action<ChatClientBuilder, ModelEntry> configure)
    {
        var earlier = Options.ConfigureChatClient;
        Options.ConfigureChatClient = earlier is null ? configure : (b, m) => { earlier(b, m); configure(b, m); };
        return this;
    }

    /// <summary>
    /// Your own <see cref="IChatClient"/> as the wire to one catalog model (an Azure client, a local ONNX model, a
    /// test double): the engine still wraps it in its pipeline (telemetry, budget holds, ledger, tool-call parsing,
    /// retries), so its calls are priced at the catalog's prices like any other.
    /// </summary>
    public ToolOrchestraBuilder UseChatClient(string modelId, IChatClient client) =>
        UseChatClients(model => model.Id == modelId ? client : null);

    /// <summary>
    /// The wire to each catalog model: return a client for the models you serve yourself, null for the catalog's
    /// endpoint. Several calls are tried in order; the engine's pipeline wraps whatever is returned.
    /// </summary>
    public ToolOrchestraBuilder UseChatClients(Func<ModelEntry, IChatClient?> clients)
    {
        var earlier = Options.ChatClients;
        Options.ChatClients = earlier is null ? clients : model => earlier(model) ?? clients(model);
        return this;
    }

    /// <summary>Who orchestrates: a policy instead of the catalog's LLM orchestrator (e.g. the small learned policy).</summary>
    public ToolOrchestraBuilder UsePolicy(Func<IServiceProvider, IQaPolicy> policy)
    {
        Options.Policy = policy;
        return this;
    }

    /// <summary>What stands behind <c>search</c>, instead of <see cref="OrchestraSettings.Index"/> / <see cref="OrchestraSettings.Retriever"/>.</summary>
    public ToolOrchestraBuilder UseRetriever(IRetriever retriever)
    {
        Options.SearchBackend = _ => retriever;
        return this;
    }

    /// <summary>What runs the code <c>enhance_reasoning</c>'s experts write, instead of the bubblewrap sandbox.</summary>
    public ToolOrchestraBuilder UseCodeRunner(ICodeRunner runner)
    {
        Options.CodeBackend = _ => runner;
        return this;
    }

    /// <summary>How tokens are counted for prompts and the ledger, instead of <see cref="OrchestraSettings.Tokenizer"/>.</summary>
    public ToolOrchestraBuilder UseTokenCounter(ITokenCounter counter)
    {
        Services.Replace(ServiceDescriptor.Singleton(counter));
        return this;
    }

    /// <summary>
    /// The clock of episodes and their model calls (attempt timeouts, backoff, latencies): a virtual one replays a
    /// simulated world exactly.
    /// </summary>
    public ToolOrchestraBuilder UseTimeProvider(TimeProvider clock)
    {
        Services.Replace(ServiceDescriptor.Singleton(clock));
        return this;
    }
}
