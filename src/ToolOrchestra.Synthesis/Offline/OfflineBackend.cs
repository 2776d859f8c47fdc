using ToolOrchestra.Environments.Tau2;

namespace ToolOrchestra.Synthesis.Offline;

/// <summary>The embedded default: no model, a seeded procedural generator (same seed, same domains and tasks).</summary>
public sealed class OfflineBackend : ISynthesisBackend
{
    /// <summary>People per domain: enough for varied tasks, small enough to hash the database after every write.</summary>
    public const int Persons = 60;

    public string Name => "offline";

    public Task<DomainDraft> DraftAsync(int index, string name, int seed, CancellationToken ct)
    {
        var rng = new Random(seed);
        var blueprint = new DomainBlueprint(Themes.All[index % Themes.All.Count], name, rng);
        var draft = new DomainDraft(blueprint.DomainJson(), blueprint.DbJson(Persons), blueprint.Policy(),
            domain => new Source(new GoalSampler(blueprint, domain.AgentDb.Root, rng)));
        return Task.FromResult(draft);
    }

    private sealed class Source(GoalSampler sampler) : ITaskSource
    {
        public Task<CandidateTask?> NextAsync(CancellationToken ct) => Task.FromResult<CandidateTask?>(sampler.Next());
        public Task<CandidateTask?> EvolveAsync(CandidateTask task, CancellationToken ct) => Task.FromResult<CandidateTask?>(sampler.Evolve(task));
    }
}
