using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2;

namespace ToolOrchestra.Synthesis;

/// <summary>Proposes candidate tasks for one domain; both backends feed the same verifier.</summary>
public interface ITaskSource
{
    /// <summary>A new candidate, or null when the source has nothing more to propose.</summary>
    Task<CandidateTask?> NextAsync(CancellationToken ct);

    /// <summary>A harder version of a kept task (more goals, more constraints), or null when none can be made.</summary>
    Task<CandidateTask?> EvolveAsync(CandidateTask task, CancellationToken ct);
}

/// <summary>
/// A domain as a backend drafts it: <c>domain.json</c>, <c>db.json</c> and <c>policy.md</c> content, and how to
/// propose tasks once the domain is loaded (and so validated) by the tau2 engine.
/// </summary>
public sealed record DomainDraft(JsonObject DomainJson, JsonObject DbJson, string Policy, Func<Tau2Domain, ITaskSource> Tasks);

/// <summary>Where domains and tasks come from: the seeded offline generator or an LLM behind the catalog alias <c>synth</c>.</summary>
public interface ISynthesisBackend
{
    string Name { get; }

    /// <summary>Drafts domain number <paramref name="index"/>, named <paramref name="name"/>, from its own seed.</summary>
    Task<DomainDraft> DraftAsync(int index, string name, int seed, CancellationToken ct);
}
