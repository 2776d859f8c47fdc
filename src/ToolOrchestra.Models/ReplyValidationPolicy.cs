using System.ClientModel.Primitives;

namespace ToolOrchestra.Models;

/// <summary>
/// Step of the OpenAI SDK's HTTP pipeline that judges each reply before the SDK deserializes it: an error status
/// becomes a typed <see cref="EndpointException"/> (with <c>Retry-After</c>), and a 200 that cannot be used (empty
/// choices, broken or cut-off JSON, no message, an HTML page) is typed too, instead of surfacing later as an
/// <see cref="ArgumentOutOfRangeException"/> or a half-filled completion from deep inside the SDK.
/// </summary>
internal sealed class ReplyValidationPolicy : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        if (message.Response is { } response && !message.BufferResponse && NeedsBody(response)) response.BufferContent();
        Check(message);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        if (message.Response is { } response && !message.BufferResponse && NeedsBody(response))
            await response.BufferContentAsync(message.CancellationToken).ConfigureAwait(false);
        Check(message);
    }

    /// <summary>A streamed reply whose body must be read to say what went wrong (an error status, or a page instead of events).</summary>
    private static bool NeedsBody(PipelineResponse response) =>
        response.Status is < 200 or >= 300 || !IsStream(ContentType(response));

    private static void Check(PipelineMessage message)
    {
        if (message.Response is not { } response) return;
        WireAttempt.MarkReply();
        if (response.Status is < 200 or >= 300)
            throw EndpointFailures.FromStatus(response.Status, response.Content.ToString(),
                EndpointFailures.ParseRetryAfter(response.Headers.TryGetValue("Retry-After", out var ra) ? ra : null));
        var contentType = ContentType(response);
        if (!message.BufferResponse) // a stream: the SDK parses server-sent events; anything else is a page, not a stream
        {
            if (!IsStream(contentType))
                throw new EndpointException(EndpointFailureKind.NonJsonContentType,
                    $"a streaming reply with content type '{contentType}', not text/event-stream: {EndpointFailures.Snippet(response.Content.ToMemory().Span)}");
            return;
        }
        if (EndpointFailures.CheckReply(contentType, response.Content.ToMemory().Span, "message") is { } failure) throw failure;
    }

    private static string? ContentType(PipelineResponse response) =>
        response.Headers.TryGetValue("Content-Type", out var value) ? value : null;

    private static bool IsStream(string? contentType) =>
        contentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
}
