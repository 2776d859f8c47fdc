using System.Threading.Channels;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Environments.Servers;

/// <summary>
/// The engine's one policy in <c>orchestra env serve</c>: the policy is an RL trainer outside the process. Each turn it
/// hands the observation to the episode's <see cref="EpisodeBridge"/> and waits for the action the trainer sends with
/// <c>step</c>. Concurrent episodes share one engine; each episode's bridge is entered for its own async flow.
/// </summary>
internal sealed class RemoteQaPolicy : IQaPolicy
{
    public static readonly RemoteQaPolicy Instance = new();
    private static readonly AsyncLocal<EpisodeBridge?> Current = new();

    /// <summary>Makes <paramref name="bridge"/> the policy of the calling async flow (an episode's own task).</summary>
    public static void Enter(EpisodeBridge bridge) => Current.Value = bridge;

    public string Name => "remote";

    public Task<PolicyDecision> DecideAsync(QaObservation observation, Ledger ledger, CancellationToken ct) =>
        (Current.Value ?? throw new InvalidOperationException("an environment episode ran without its bridge.")).DecideAsync(observation, ct);
}

/// <summary>
/// The rendezvous between one running episode and its session: the engine's turn publishes its observation and
/// waits for an action; the session waits for the next observation (or the episode's end) and supplies actions.
/// </summary>
internal sealed class EpisodeBridge
{
    private readonly Channel<QaObservation> _observations = Channel.CreateUnbounded<QaObservation>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Channel<PolicyDecision> _actions = Channel.CreateUnbounded<PolicyDecision>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Channel<int> _turnsStarted = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>What the previous turn's tool (or the rejection of its output) returned; set by the event pump.</summary>
    public volatile TurnOutcome? LastOutcome;

    /// <summary>The pump saw turn <paramref name="turn"/> start, so every event of the turns before it has been seen.</summary>
    public void TurnStarted(int turn) => _turnsStarted.Writer.TryWrite(turn);

    public async Task<PolicyDecision> DecideAsync(QaObservation observation, CancellationToken ct)
    {
        // Wait until the event pump has caught up with this turn, so LastOutcome is the previous turn's.
        while (await _turnsStarted.Reader.ReadAsync(ct).ConfigureAwait(false) < observation.Turn) { }
        _observations.Writer.TryWrite(observation);
        return await _actions.Reader.ReadAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The action for the turn waiting on it.</summary>
    public void Act(PolicyDecision decision) => _actions.Writer.TryWrite(decision);

    /// <summary>The episode ended: no observation will come.</summary>
    public void Ended() => _observations.Writer.TryComplete();

    /// <summary>The next observation, or null when the episode ended instead.</summary>
    public async Task<QaObservation?> NextAsync(CancellationToken ct) =>
        await _observations.Reader.WaitToReadAsync(ct).ConfigureAwait(false) && _observations.Reader.TryRead(out var o) ? o : null;
}

/// <summary>What one turn's action led to: the tool's observation, or the error the engine answered instead.</summary>
internal sealed record TurnOutcome(int Turn, string Tool, string? Alias, string Observation, bool IsError);
