using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ToolOrchestra.Models;

/// <summary>
/// Base of our wire clients (chat completions, raw completions): they answer whole responses, because the runtime
/// needs usage and tool calls at once; streaming is served from one completed response. Reports its endpoint and
/// provider model as <see cref="ChatClientMetadata"/> so decorators can name them in errors.
/// </summary>
public abstract class WireChatClient(ChatClientMetadata metadata) : IChatClient
{
    public abstract Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => GC.SuppressFinalize(this);
}
