using System.Collections.Concurrent;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>
/// The offline episode running on the current async flow: its virtual clock, its seed, its policy, and how many calls
/// each simulated model has answered in it. The runtime binds a clock to each client stack and a clock and a policy to each
/// episode runner; an episode entered here lets one runner and one client stack (ledger → hermes → retry, the Polly
/// pipeline built once per model) and one toolset per preferences serve every concurrent episode, each still on its own
/// clock and its own dice. Components built once read it through <see cref="Clock"/>, the <see cref="SimulatedExperts.SimulatedChatClient"/>
/// and <see cref="VirtualTimeCodeRunner"/>; each episode stays a pure function of its seed.
/// </summary>
public sealed class WorldEpisode(int seed)
{
    private static readonly AsyncLocal<WorldEpisode?> Ambient = new();
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public int Seed => seed;

    public VirtualClock Time { get; } = new();

    /// <summary>The policy deciding this episode's turns, for a runner shared by all episodes.</summary>
    public IQaPolicy? Policy { get; init; }

    /// <summary>The episode of the calling flow; outside one, an <see cref="InvalidOperationException"/> (never a silent wall clock).</summary>
    public static WorldEpisode Current => Ambient.Value
        ?? throw new InvalidOperationException("no offline world episode is running on this flow; enter one with WorldEpisode.Enter (OfflineEpisodes does).");

    /// <summary>A clock that reads the current episode's virtual clock: give it to components built once for all episodes.</summary>
    public static TimeProvider Clock { get; } = new CurrentClock();

    /// <summary>Makes this the current episode of the calling flow and of everything it awaits, until disposed.</summary>
    public IDisposable Enter()
    {
        var previous = Ambient.Value;
        Ambient.Value = this;
        return new Exit(previous);
    }

    /// <summary>The next call number (from 1) of <paramref name="model"/> in this episode: a simulated reply's dice depend on it.</summary>
    public int NextCall(string model) => _calls.AddOrUpdate(model, 1, (_, n) => n + 1);

    /// <summary>How often <paramref name="prompt"/> was already asked in this episode; counts this time.</summary>
    public int AskedBefore(string prompt) => _prompts.AddOrUpdate(prompt, 1, (_, n) => n + 1) - 1;

    private readonly ConcurrentDictionary<string, int> _prompts = new(StringComparer.Ordinal);

    private sealed class Exit(WorldEpisode? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }

    // Timers stay real timers, as the virtual clock's are (they guard real calls, which simulated ones never are).
    private sealed class CurrentClock : TimeProvider
    {
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Current.Time.GetTimestamp();
        public override DateTimeOffset GetUtcNow() => Current.Time.GetUtcNow();
    }
}
