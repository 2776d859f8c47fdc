using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ToolOrchestra.Models;

/// <summary>How hard to try an endpoint: attempts after the first, per-attempt timeout, backoff base delay.</summary>
public sealed record RetrySettings(int MaxRetries = 3, TimeSpan? AttemptTimeout = null, TimeSpan? BaseDelay = null)
{
    public TimeSpan Timeout => AttemptTimeout ?? TimeSpan.FromSeconds(600);
    public TimeSpan Delay => BaseDelay ?? TimeSpan.FromSeconds(1);
}

/// <summary>
/// Decorator that retries transient endpoint failures (every <see cref="EndpointFailureKind"/> but
/// <see cref="EndpointFailureKind.ClientError"/>, and attempts past the timeout) with exponential backoff and jitter,
/// honouring <c>Retry-After</c>. One Polly pipeline, built once; with no retries it holds only the timeout. When every
/// attempt fails the last failure surfaces as an <see cref="EndpointException"/> naming the model, the URL and a fix.
/// A stream is retried until its first update arrives; after that an attempt cannot be replayed without showing the
/// caller the same text twice, so a later failure surfaces at once.
/// </summary>
public sealed class RetryingChatClient : DelegatingChatClient
{
    private readonly ResiliencePipeline _pipeline;
    private readonly string _modelId;
    private readonly Uri? _endpoint;

    public RetryingChatClient(IChatClient inner, RetrySettings settings, string modelId, TimeProvider? time = null) : base(inner)
    {
        _modelId = modelId;
        _endpoint = inner.GetService<ChatClientMetadata>()?.ProviderUri;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System };
        if (settings.MaxRetries > 0)
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.Delay,
                ShouldHandle = new PredicateBuilder().Handle<EndpointException>(e => e.IsTransient).Handle<TimeoutRejectedException>(),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is EndpointException { RetryAfter: { } after } ? after : (TimeSpan?)null),
            });
        builder.AddTimeout(settings.Timeout);
        _pipeline = builder.Build();
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var attempts = 0;
        try
        {
            return await _pipeline.ExecuteAsync(async ct =>
            {
                attempts++;
                try { return await base.GetResponseAsync(list, options, ct).ConfigureAwait(false); }
                catch (Exception e) when (EndpointFailures.Classify(e, ct, replyStarted: false) is { } typed) { throw typed; }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Final(e, attempts, cancellationToken) is { } final)
        {
            throw final;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var attempts = 0;
        Opened opened;
        try
        {
            opened = await _pipeline.ExecuteAsync(async ct =>
            {
                attempts++;
                return await OpenAsync(list, options, ct, cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Final(e, attempts, cancellationToken) is { } final)
        {
            throw final;
        }

        using var life = opened.Life;
        await using var stream = opened.Stream;
        if (!opened.HasFirst) yield break;
        yield return stream.Current;
        while (true)
        {
            bool more;
            try { more = await stream.MoveNextAsync().ConfigureAwait(false); }
            catch (Exception e) when (Final(e, attempts, cancellationToken) is { } final) { throw final; }
            if (!more) yield break;
            yield return stream.Current;
        }
    }

    /// <summary>
    /// Starts one streamed attempt and waits for its first update. The stream lives on a token of its own, tied to
    /// the caller's: the attempt timeout's token covers only the wait for the first update, because Polly reuses it
    /// once this attempt returns.
    /// </summary>
    private async Task<Opened> OpenAsync(IReadOnlyList<ChatMessage> list, ChatOptions? options, CancellationToken attemptToken, CancellationToken callerToken)
    {
        var life = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        var stream = base.GetStreamingResponseAsync(list, options, life.Token).GetAsyncEnumerator(life.Token);
        try
        {
            using (attemptToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), life))
                return new Opened(stream, await stream.MoveNextAsync().ConfigureAwait(false), life);
        }
        catch (Exception e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            life.Dispose();
            if (e is OperationCanceledException && attemptToken.IsCancellationRequested && !callerToken.IsCancellationRequested)
                throw new OperationCanceledException(attemptToken); // the timeout's own token, so Polly reads it as a timeout
            if (EndpointFailures.Classify(e, callerToken, replyStarted: false) is { } typed) throw typed;
            throw;
        }
    }

    private sealed record Opened(IAsyncEnumerator<ChatResponseUpdate> Stream, bool HasFirst, CancellationTokenSource Life);

    /// <summary>The exception the caller sees: the last failure, typed and named; null leaves cancellation and our own faults as they are.</summary>
    private EndpointException? Final(Exception e, int attempts, CancellationToken cancellationToken)
    {
        var typed = e switch
        {
            TimeoutRejectedException t when !cancellationToken.IsCancellationRequested =>
                new EndpointException(EndpointFailureKind.Timeout, $"no reply within {t.Timeout.TotalSeconds:0.###} s", e),
            EndpointException ee => ee,
            _ => EndpointFailures.Classify(e, cancellationToken, replyStarted: false),
        };
        if (typed is null) return null;
        var tries = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
        return new EndpointException(typed.Kind,
            $"model '{_modelId}' at {_endpoint?.ToString() ?? "(in-process)"} failed after {tries}: {typed.Kind}: {typed.Message} Fix: {typed.Kind.Fix()}.",
            typed, typed.RetryAfter) { Spent = typed.Spent };
    }
}
