namespace ToolOrchestra.Models;

/// <summary>
/// Marks, for the attempt in flight, whether the server's reply has arrived. An exception thrown after that point is a
/// reply we could not read (typed, retried); one thrown before is a fault in building the request (left raw: retrying
/// would repeat it). The mark flows down the call through an <see cref="AsyncLocal{T}"/>, so the HTTP pipeline
/// policy deep inside the OpenAI SDK can set it without the SDK knowing.
/// </summary>
internal sealed class WireAttempt
{
    private static readonly AsyncLocal<WireAttempt?> Current = new();

    public bool ReplyStarted { get; private set; }

    public static WireAttempt Begin() => Current.Value = new WireAttempt();

    /// <summary>Re-enters an attempt (an async iterator's context is not kept between its steps).</summary>
    public void Enter() => Current.Value = this;

    public static void MarkReply()
    {
        if (Current.Value is { } attempt) attempt.ReplyStarted = true;
    }

    /// <summary>Marks the reply as soon as its headers arrive, before any body is read (the OpenAI SDK buffers inside its transport).</summary>
    public sealed class MarkingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            MarkReply();
            return response;
        }
    }
}
