namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>
/// A clock that moves only when told to: simulated experts advance it by the latency they model, so an episode that
/// "takes" two minutes of GPT-5 time runs in microseconds and the ledger still reads two minutes. One clock per
/// episode, so concurrent episodes do not add each other's seconds. Timers created from it are real timers (the
/// runtime's per-attempt timeouts), which never fire because simulated calls return at once.
/// </summary>
public sealed class VirtualClock(DateTimeOffset start) : TimeProvider
{
    /// <summary>A fixed start, so trajectories carry the same timestamps run after run.</summary>
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private long _ticks;

    public VirtualClock() : this(Epoch) { }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public double Seconds => Interlocked.Read(ref _ticks) / (double)TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward; negative or non-finite amounts are refused (time never runs back).</summary>
    public void Advance(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "a clock only moves forward by a finite amount.");
        Interlocked.Add(ref _ticks, (long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }
}
