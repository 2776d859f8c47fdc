using System.Runtime.CompilerServices;
using System.Text.Json;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Training.Policy;

/// <summary>
/// The small learned policy behind the runtime's <see cref="IQaPolicy"/> seam, so the same QA episode runner drives it
/// as it drives an LLM orchestrator. It chooses among the toolset's actions (aliases the hard constraints forbid are
/// not offered, so they can never be chosen), reads earlier calls from the ledger, and records every
/// <see cref="PolicyStep"/> for the GRPO update. Sampling (training) when built with a <see cref="Random"/>, greedy
/// otherwise. Use one instance per episode when sampling or recording: steps and the generator are not shared safely.
/// </summary>
public sealed class LearnedQaPolicy(SoftmaxPolicy policy, Random? sampler = null) : IQaPolicy
{
    private readonly List<PolicyStep> _steps = [];

    public string Name => sampler is null ? "learned (greedy)" : "learned (sampling)";

    /// <summary>The decisions made so far, in turn order.</summary>
    public IReadOnlyList<PolicyStep> Steps => _steps;

    public Task<PolicyDecision> DecideAsync(QaObservation observation, Ledger ledger, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var actions = Descriptors.GetValue(observation.Toolset, Describe);
        // The runtime numbers turns from 1; the policy's features count turns already taken (0 on the first). Seconds
        // are the ledger's (the paper's latency, as the reward measures it), not the wall clock: the same on the offline
        // world's virtual clock, and on real endpoints a run replayed from the response cache sees what the first saw.
        var obs = new PolicyObservation(observation.Problem, observation.Turn - 1, observation.Context.Documents.Count,
            observation.Context.Code.Count > 0, observation.CostUsd, ledger.ToolLatencySeconds, observation.Preferences.Weights, PastCalls(ledger));
        var step = policy.Decide(obs, actions, sampler: sampler);
        _steps.Add(step);
        var arguments = JsonSerializer.Serialize(new Dictionary<string, string> { ["model"] = step.Action.Alias });
        var raw = $"<tool_call>\n{{\"name\": \"{step.Action.Tool}\", \"arguments\": {arguments}}}\n</tool_call>";
        return Task.FromResult(new PolicyDecision(raw, null, "", [new PolicyCall(step.Action.Tool, arguments)]));
    }

    // A toolset is built once per preferences and offered every turn: its descriptors are too.
    private static readonly ConditionalWeakTable<QaToolset, IReadOnlyList<ActionDescriptor>> Descriptors = new();

    private static IReadOnlyList<ActionDescriptor> Describe(QaToolset toolset) =>
        toolset.Actions
            .Select(a => new ActionDescriptor(a.Tool.Name(), a.Alias, a.Model.Price.InputPerMillion, a.Model.Price.OutputPerMillion, a.LatencySeconds, a.Blurb))
            .ToList();

    /// <summary>Each earlier turn's first tool call, from the ledger (orchestrator generations excluded).</summary>
    public static IReadOnlyList<PastCall> PastCalls(Ledger ledger) =>
        ledger.Entries.Where(e => e.Kind != CallKind.Orchestrator && e.Alias is not null)
            .GroupBy(e => e.Turn).OrderBy(g => g.Key)
            .Select(g => g.First().Alias!)
            .Select(alias => new PastCall(QaActionSet.ToolOf(alias) ?? "", alias))
            .ToList();
}
