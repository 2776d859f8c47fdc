using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models.Tokenization;

namespace ToolOrchestra.Models;

/// <summary>
/// Builds the <see cref="IChatClient"/> for each catalog model once, with a <see cref="ChatClientBuilder"/>, as
/// telemetry → (response cache) → budget → ledger → hermes parsing → retry → (logging) → wire, outermost first: the span carries the ledger's
/// dollars, the ledger's seconds include retries, parsing sees the final reply, and logging (when a logger factory is
/// given) sees every attempt. <paramref name="configure"/> (a user's own steps, <c>OrchestraOptions.ConfigureChatClient</c>)
/// adds steps outermost, before telemetry: they see each call once, as the engine sends it, and its final reply (tool
/// calls parsed, after retries). Clients are cached per model id. <paramref name="transport"/> replaces the HTTP wire (when it returns a client) for
/// in-process models (the offline world's simulated experts, benchmarks, nested orchestrator profiles); the decorators stay.
/// <paramref name="cache"/>, when given, replays repeated requests outside the budget step (a hit holds no real money).
/// </summary>
public sealed class ModelClientFactory(
    Catalog catalog,
    ITokenCounter? counter = null,
    RetrySettings? retry = null,
    TimeProvider? time = null,
    Func<ModelEntry, IChatClient?>? transport = null,
    ILoggerFactory? loggerFactory = null,
    Action<ChatClientBuilder, ModelEntry>? configure = null,
    Caching.ResponseCache? cache = null)
{
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new();
    // Shared by every factory in the process: a tokenizer is immutable and takes a moment to load.
    private static readonly ConcurrentDictionary<string, Qwen3Tokenizer> Tokenizers = new();
    private readonly ITokenCounter _counter = counter ?? EstimatingTokenCounter.Instance;
    private readonly RetrySettings _retry = retry ?? new RetrySettings(catalog.Limits.MaxRetries, TimeSpan.FromSeconds(catalog.Limits.RequestTimeoutSeconds));

    public Catalog Catalog => catalog;

    /// <summary>The response cache in every model's pipeline, if any.</summary>
    public Caching.ResponseCache? Cache => cache;

    public IChatClient For(string modelId) => _clients.GetOrAdd(modelId, Create);

    public IChatClient ForAlias(string alias) => For(catalog.Aliases.TryGetValue(alias, out var a) ? a.Model : catalog.ModelFor(alias).Id);

    private IChatClient Create(string modelId)
    {
        if (!catalog.Models.TryGetValue(modelId, out var model))
            throw new UserError($"{catalog.SourcePath ?? "catalog"}: unknown model '{modelId}'.");
        var wire = transport?.Invoke(model) ?? (model.IsInProcessOrchestrator
            ? throw new UserError($"{catalog.SourcePath ?? "catalog"}: model '{modelId}' is an in-process orchestrator (\"profile\"); only the engine (orchestra run, serve, eval run; AddToolOrchestra) runs it. Serve that catalog with orchestra serve and give its URL as \"endpoint\" instead.")
            : model.Api == ModelApi.Completions
            ? new RawCompletionsChatClient(new Uri(model.Endpoint), model.Name, ApiKey(model), Tokenizers.GetOrAdd(model.Tokenizer!, Qwen3Tokenizer.Load))
            : new OpenAiCompatibleChatClient(new Uri(model.Endpoint + "/"), model.Name, ApiKey(model), _retry.Timeout + TimeSpan.FromSeconds(5),
                reportsRuns: model.Api == ModelApi.Orchestra));
        var builder = new ChatClientBuilder(wire);
        configure?.Invoke(builder, model);
        builder.UseTelemetry(model, time: time);
        if (cache is not null) builder.UseResponseCache(cache, model);
        builder
            .UseBudget(model)
            .UseLedger(model, _counter, time)
            .UseHermesToolCalls()
            .UseOrchestraRetry(_retry, modelId, time);
        if (loggerFactory is not null) builder.UseLogging(loggerFactory);
        return builder.Build();
    }

    private string ApiKey(ModelEntry model)
    {
        if (model.ApiKeyEnv is null) return "not-needed"; // local servers ignore the key, the SDK requires one
        var key = Environment.GetEnvironmentVariable(model.ApiKeyEnv);
        SecretRedactor.Register(key); // an upstream error may echo it; see EndpointException
        return !string.IsNullOrEmpty(key) ? key
            : throw new UserError($"{catalog.SourcePath ?? "catalog"}: $.models.{model.Id}.api_key_env names {model.ApiKeyEnv}, which is not set. Export it, or remove api_key_env for a local server.");
    }
}
