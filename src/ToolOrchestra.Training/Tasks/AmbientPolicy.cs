using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Training.Tasks;

/// <summary>
/// The engine's one policy for a training: each episode's own sampling <see cref="Policy.LearnedQaPolicy"/>, entered for
/// the episode's async flow, so concurrent episodes share one engine yet each records its own decisions.
/// </summary>
internal sealed class AmbientPolicy : IQaPolicy
{
    public static readonly AmbientPolicy Instance = new();
    private static readonly AsyncLocal<IQaPolicy?> Current = new();

    public static IDisposable Enter(IQaPolicy policy)
    {
        var before = Current.Value;
        Current.Value = policy;
        return new Restore(before);
    }

    public string Name => Own.Name;

    public Task<PolicyDecision> DecideAsync(QaObservation observation, Ledger ledger, CancellationToken ct) => Own.DecideAsync(observation, ledger, ct);

    private static IQaPolicy Own => Current.Value ?? throw new InvalidOperationException("a training episode ran without its policy.");

    private sealed class Restore(IQaPolicy? before) : IDisposable
    {
        public void Dispose() => Current.Value = before;
    }
}
