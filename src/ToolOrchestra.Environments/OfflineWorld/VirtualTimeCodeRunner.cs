using ToolOrchestra.Tools;

namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>
/// Runs expert-written code for real (the sandbox, usually behind the code-hash cache) but bills it on the episode's
/// virtual clock: a run counts <see cref="SecondsPerRun"/> simulated seconds (the timeout when it timed out), not
/// the machine's wall-clock, so dollars and seconds — and therefore rewards — do not depend on how busy the machine
/// is, and the same seed gives the same numbers. Without <paramref name="clock"/> it bills the
/// <see cref="WorldEpisode.Current"/> episode's clock, so one runner serves every episode.
/// </summary>
public sealed class VirtualTimeCodeRunner(ICodeRunner inner, VirtualClock? clock = null, double secondsPerRun = VirtualTimeCodeRunner.DefaultSecondsPerRun, double timeoutSeconds = 60) : ICodeRunner
{
    /// <summary>Interpreter start plus a short computation, as a sandboxed python3 takes on a typical machine.</summary>
    public const double DefaultSecondsPerRun = 1.0;

    public double SecondsPerRun => secondsPerRun;

    public decimal WorstCaseUsd(Core.Catalog.ToolPrices prices) => (decimal)Math.Max(timeoutSeconds, secondsPerRun) * prices.CodePerSecond;

    public async Task<CodeResult> RunAsync(string code, CancellationToken ct)
    {
        var result = await inner.RunAsync(code, ct).ConfigureAwait(false);
        var seconds = result.TimedOut ? timeoutSeconds : secondsPerRun;
        (clock ?? WorldEpisode.Current.Time).Advance(seconds);
        return result with { Seconds = seconds };
    }
}
