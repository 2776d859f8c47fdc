using Microsoft.Extensions.AI;

namespace ToolOrchestra.Runtime.Episodes;

/// <summary>
/// Gives every model call of an episode the request's seed (<see cref="OrchestrationRequest.Seed"/>) unless the call set
/// its own, so a sampling server (or the simulated experts) varies across a GRPO group yet replays each rollout. The
/// seed travels with the episode's async flow, as the ledger scope does, because the policy and tools that make the
/// calls are shared by concurrent episodes.
/// </summary>
internal sealed class EpisodeSeedChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    private static readonly AsyncLocal<long?> Current = new();

    /// <summary>Sets the seed for the calling flow until disposed (a null seed leaves calls as they are).</summary>
    public static IDisposable Enter(long? seed)
    {
        var before = Current.Value;
        Current.Value = seed;
        return new Restore(before);
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, Seeded(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, Seeded(options), cancellationToken);

    private static ChatOptions? Seeded(ChatOptions? options)
    {
        if (Current.Value is not { } seed || options?.Seed is not null) return options;
        var seeded = options?.Clone() ?? new ChatOptions();
        seeded.Seed = seed;
        return seeded;
    }

    private sealed class Restore(long? before) : IDisposable
    {
        public void Dispose() => Current.Value = before;
    }
}
