using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;

namespace ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

/// <summary>
/// A simulated model reached in-process: the wire under the runtime's usual decorators (ledger, hermes parsing, retry),
/// given to <c>ModelClientFactory</c> as its transport. One client serves every episode: each call reads the
/// <see cref="WorldEpisode.Current"/> episode and advances its virtual clock by the modelled latency, so the ledger's
/// seconds are the simulated ones while the call itself takes microseconds. Replies are a function of (world, model,
/// prompt, the episode's seed, this model's call number in the episode), so an episode replays exactly.
/// </summary>
/// <param name="modelId">The catalog model this client serves; calls are numbered per model and episode.</param>
/// <param name="model">The name the endpoint knows the model by (its calibrated profile).</param>
public sealed class SimulatedChatClient(SimulatedEndpoint endpoint, string modelId, string model) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var prompt = messages.Select(m => new PromptMessage(m.Role.Value, m.Text)).ToList();
        var tools = (options?.Tools ?? []).OfType<AIFunctionDeclaration>()
            .Select(t => new OfferedTool(t.Name, SimulatedEndpoint.ModelChoices(t.JsonSchema))).ToList();
        var episode = WorldEpisode.Current;
        var call = episode.NextCall(modelId);
        var completion = endpoint.Complete(model, prompt, tools, unchecked(episode.Seed * 7919 + call), episode.AskedBefore);
        episode.Time.Advance(completion.LatencySeconds);

        var contents = new List<AIContent> { new TextContent(completion.Content) };
        foreach (var (c, i) in completion.ToolCalls.Select((c, i) => (c, i)))
            contents.Add(new FunctionCallContent($"call_{call}_{i}", c.Name,
                JsonSerializer.Deserialize<Dictionary<string, object?>>(c.ArgumentsJson)));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
        {
            ModelId = completion.Model,
            FinishReason = completion.ToolCalls.Count > 0 ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = new UsageDetails
            {
                InputTokenCount = completion.PromptTokens,
                OutputTokenCount = completion.CompletionTokens,
                TotalTokenCount = completion.PromptTokens + completion.CompletionTokens,
            },
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata)
            ? new ChatClientMetadata("toolorchestra-simulated", new Uri("simulated://offline-world/"), model)
            : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
