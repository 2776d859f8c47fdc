using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models.Caching;

namespace ToolOrchestra.Models;

/// <summary>
/// The project's decorators as <see cref="ChatClientBuilder"/> steps, in the Microsoft.Extensions.AI style. The first
/// step added is the outermost. Logging is Microsoft.Extensions.AI's own <c>UseLogging(ILoggerFactory)</c>: it logs
/// messages only at Trace level and never sees API keys, which live inside the wire's HTTP pipeline.
/// </summary>
public static class OrchestraChatClientBuilderExtensions
{
    /// <summary>Retries transient endpoint failures and types the last one (see <see cref="RetryingChatClient"/>).</summary>
    public static ChatClientBuilder UseOrchestraRetry(this ChatClientBuilder builder, RetrySettings settings, string modelId, TimeProvider? time = null) =>
        builder.Use(inner => new RetryingChatClient(inner, settings, modelId, time));

    /// <summary>Reads hermes <c>&lt;tool_call&gt;</c> and <c>&lt;think&gt;</c> blocks (see <see cref="HermesToolCallChatClient"/>).</summary>
    public static ChatClientBuilder UseHermesToolCalls(this ChatClientBuilder builder) =>
        builder.Use(inner => new HermesToolCallChatClient(inner));

    /// <summary>Bills every call to the scope's ledger (see <see cref="LedgerChatClient"/>).</summary>
    public static ChatClientBuilder UseLedger(this ChatClientBuilder builder, ModelEntry model, ITokenCounter counter, TimeProvider? time = null) =>
        builder.Use(inner => new LedgerChatClient(inner, model, counter, time));

    /// <summary>Holds each call's worst case on its scope's ledger, refusing what would cross a budget (see <see cref="BudgetChatClient"/>).</summary>
    public static ChatClientBuilder UseBudget(this ChatClientBuilder builder, ModelEntry model) =>
        builder.Use(inner => new BudgetChatClient(inner, model));

    /// <summary>
    /// Answers repeated requests from <paramref name="cache"/> and keeps every completed call (see
    /// <see cref="ResponseCacheChatClient"/>); add it outside the budget step, so a hit takes no real-money hold.
    /// </summary>
    public static ChatClientBuilder UseResponseCache(this ChatClientBuilder builder, ResponseCache cache, ModelEntry model) =>
        builder.Use(inner => new ResponseCacheChatClient(inner, cache, model));

    /// <summary>A GenAI <c>chat</c> span and metrics per call (see <see cref="TelemetryChatClient"/>); add it outside the ledger.</summary>
    public static ChatClientBuilder UseTelemetry(this ChatClientBuilder builder, ModelEntry model, string providerName = "openai", TimeProvider? time = null) =>
        builder.Use(inner => new TelemetryChatClient(inner, model, providerName, time));
}
