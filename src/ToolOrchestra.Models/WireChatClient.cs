using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ToolOrchestra.Models;

/// <summary>
/// Base of our wire clients (chat completions, raw completions). Every failure of an attempt leaves it typed as an
/// <see cref="EndpointException"/> (see <see cref="EndpointFailures.Classify"/>), for whole and streamed responses alike,
/// so the retry decorator above judges one kind of exception. Reports its endpoint and provider model as
/// <see cref="ChatClientMetadata"/> so decorators can name them in errors and spans.
/// </summary>
public abstract class WireChatClient(ChatClientMetadata metadata) : IChatClient
{
    protected abstract Task<ChatResponse> SendAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken);

    /// <summary>A stream; by default one completed response cut into updates.</summary>
    protected virtual async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = await SendAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var attempt = WireAttempt.Begin();
        try
        {
            return await SendAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (EndpointFailures.Classify(e, cancellationToken, attempt.ReplyStarted) is { } typed)
        {
            throw typed;
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var attempt = WireAttempt.Begin();
        var stream = StreamAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                attempt.Enter();
                try { more = await stream.MoveNextAsync().ConfigureAwait(false); }
                catch (Exception e) when (EndpointFailures.Classify(e, cancellationToken, attempt.ReplyStarted) is { } typed) { throw typed; }
                if (!more) yield break;
                yield return stream.Current;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    public virtual object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }
}
