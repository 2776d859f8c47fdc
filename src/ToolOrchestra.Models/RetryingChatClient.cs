using System.ClientModel;
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
/// Decorator that retries transient endpoint failures (429, 408, 5xx, connection errors, attempt timeouts) with
/// exponential backoff and jitter, honouring <c>Retry-After</c>. The pipeline is built once (Polly) rather than
/// sprinkled through call sites. When every attempt fails it throws an <see cref="EndpointException"/> naming the URL.
/// </summary>
public sealed class RetryingChatClient : DelegatingChatClient
{
    private readonly ResiliencePipeline _pipeline;
    private readonly string _where;

    public RetryingChatClient(IChatClient inner, RetrySettings settings, string modelId, TimeProvider? time = null) : base(inner)
    {
        var meta = inner.GetService<ChatClientMetadata>();
        _where = $"model '{modelId}' at {meta?.ProviderUri}";
        var builder = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System };
        if (settings.MaxRetries > 0)
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.Delay,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception)),
            });
        builder.AddTimeout(settings.Timeout);
        _pipeline = builder.Build();
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        try
        {
            return await _pipeline.ExecuteAsync(
                async ct => await base.GetResponseAsync(list, options, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsTransient(e) || e is ClientResultException)
        {
            throw new EndpointException($"{_where} failed: {Describe(e)}", e);
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        ClientResultException { Status: 429 or 408 or >= 500 or 0 } => true,
        HttpRequestException or TimeoutRejectedException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        IOException => true,
        _ => false,
    };

    private static TimeSpan? RetryAfter(Exception? e)
    {
        if (e is ClientResultException cre && cre.GetRawResponse() is { } raw
            && raw.Headers.TryGetValue("Retry-After", out var value)
            && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(Math.Min(seconds, 60));
        return null;
    }

    private static string Describe(Exception e) => e switch
    {
        ClientResultException { Status: 0 } cre => cre.InnerException?.Message ?? cre.Message,
        ClientResultException cre => $"HTTP {cre.Status}: {FirstLine(cre.Message)}",
        TimeoutRejectedException t => $"no reply within {t.Timeout.TotalSeconds:0.#} s",
        _ => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message,
    };

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
}
