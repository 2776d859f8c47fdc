using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Models;

/// <summary>
/// An endpoint call failed, typed by <see cref="Kind"/>. Wire clients throw it for each failed attempt; after the
/// retries the last one surfaces with a message naming the catalog model, the URL and a fix. Cancellation by the
/// caller is never turned into this: it stays an <see cref="OperationCanceledException"/>. The message is redacted
/// (<see cref="SecretRedactor"/>) here, where every endpoint error is made: upstream bodies echo the API key they were sent.
/// </summary>
public sealed class EndpointException(EndpointFailureKind kind, string message, Exception? inner = null, TimeSpan? retryAfter = null)
    : Exception(SecretRedactor.Redact(message), inner)
{
    public EndpointFailureKind Kind { get; } = kind;

    /// <summary>The server's <c>Retry-After</c>, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>
    /// What a nested orchestrator that failed reports it spent (its error's <c>orchestra</c> object): billed all the same,
    /// and never retried, since a second attempt would spend again.
    /// </summary>
    public ReportedRun? Spent { get; init; }

    public bool IsTransient => Kind.IsTransient() && Spent is null;
}
