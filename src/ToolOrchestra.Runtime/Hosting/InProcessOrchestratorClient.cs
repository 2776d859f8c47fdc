using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;

namespace ToolOrchestra.Runtime.Hosting;

/// <summary>
/// Recursive orchestration without a server: a catalog model with <c>"profile": "inner.json"</c> is another
/// orchestrator, built from that catalog in this process and called like any model. Its reply carries a
/// <see cref="ReportedRun"/>, so the outer ledger bills the dollars and seconds the inner run reports (its own calls
/// were priced where they ran), never its tokens at a price a second time, and keeps the inner run's id. The nesting is
/// tracked in <see cref="OrchestrationChain"/> (shared with <c>orchestra serve</c>): a profile already in the chain
/// (a cycle) or a chain deeper than <see cref="MaxDepth"/> is refused as a client error, an observation for the caller.
/// </summary>
internal sealed class InProcessOrchestratorClient(ModelEntry model, OrchestraOptions outer) : IChatClient
{
    public const int MaxDepth = 3;

    private readonly Lazy<ServiceProvider> _inner = new(() => new ServiceCollection()
        .AddToolOrchestra(model.Profile!, o =>
        {
            // The inner orchestrator shares the outer one's tools and run store; its catalog decides its models and limits.
            (o.Index, o.Retriever, o.Web, o.TopK, o.AllowedIds) = (outer.Index, outer.Retriever, outer.Web, outer.TopK, outer.AllowedIds);
            (o.RunsDirectory, o.Tokenizer, o.Code, o.CodeTimeoutSeconds, o.UnsafeNoSandbox) =
                (outer.RunsDirectory, outer.Tokenizer, outer.Code, outer.CodeTimeoutSeconds, outer.UnsafeNoSandbox);
            (o.Retry, o.ConfigureChatClient, o.SearchBackend, o.CodeBackend) = (outer.Retry, outer.ConfigureChatClient, outer.SearchBackend, outer.CodeBackend);
        })
        .Services.BuildServiceProvider());

    private static string Link(string catalogPath) => "profile:" + Path.GetFullPath(catalogPath);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var self = Link(model.Profile!);
        var chain = OrchestrationChain.Current.Count > 0 ? OrchestrationChain.Current : [Link(outer.CatalogPath)];
        if (chain.Contains(self, StringComparer.Ordinal))
            throw new EndpointException(EndpointFailureKind.ClientError,
                $"model '{model.Id}' would run {model.Profile} inside itself (a cycle: {string.Join(" → ", chain)} → {self}); point \"profile\" at another catalog.");
        if (chain.Count >= MaxDepth)
            throw new EndpointException(EndpointFailureKind.ClientError,
                $"model '{model.Id}' would nest orchestrators {chain.Count + 1} deep; at most {MaxDepth} are allowed.");
        OrchestrationChain.Current = [.. chain, self]; // async-local: the caller's chain is back when this method returns

        // Sampling options are the expert's, not an orchestrator's; the budget is what the outer run has left (BudgetChatClient).
        var inner = OrchestrationChain.BudgetUsd is { } budget ? new ChatOptions { AdditionalProperties = new() { [OrchestratorChatClient.BudgetUsdKey] = budget } } : null;
        var response = await _inner.Value.GetRequiredService<OrchestratorChatClient>()
            .GetResponseAsync(messages, inner, cancellationToken).ConfigureAwait(false);
        var p = response.AdditionalProperties!;
        p[ReportedRun.Key] = new ReportedRun((string)p[OrchestratorChatClient.RunIdKey]!, (decimal)p[OrchestratorChatClient.CostUsdKey]!,
            (double)p[OrchestratorChatClient.WallSecondsKey]!);
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        if (_inner.IsValueCreated) _inner.Value.Dispose();
    }
}
