using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Training.Policy.Baselines;

/// <summary>Calls an offered action uniformly at random each turn (the untrained floor). Seeded: one instance per episode.</summary>
public sealed class RandomQaPolicy(Random random) : IQaPolicy
{
    public string Name => "random";

    public Task<PolicyDecision> DecideAsync(QaObservation observation, Ledger ledger, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var actions = observation.Toolset.Actions;
        return Task.FromResult(ScriptedQaPolicy.Call(actions[random.Next(actions.Count)]));
    }
}
