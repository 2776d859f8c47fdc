using ToolOrchestra.Core;

namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>A named preference vector the generator assigns to tasks, with its relative frequency.</summary>
public sealed record PreferenceProfile(string Name, Preferences Preferences, int Share = 1)
{
    /// <summary>The profile a draw lands on when each takes <see cref="Share"/> slots; <paramref name="draw"/> any non-negative number.</summary>
    public static PreferenceProfile Pick(IReadOnlyList<PreferenceProfile> profiles, long draw)
    {
        var roll = draw % profiles.Sum(p => Math.Max(1, p.Share));
        foreach (var p in profiles)
            if ((roll -= Math.Max(1, p.Share)) < 0) return p;
        return profiles[^1];
    }
}

/// <summary>
/// How big a world to generate. Entity counts set the corpus size; <see cref="TasksPerFamily"/> the number of tasks
/// of each <see cref="TaskFamily"/> (Known is capped by its table of real facts); <see cref="HeldOutFraction"/> of each
/// family goes to the "test" split. <see cref="Profiles"/> null uses <see cref="PreferenceProfiles.Default"/>.
/// </summary>
public sealed record WorldOptions(
    int Cities = 40,
    int People = 120,
    int Companies = 60,
    int Inventions = 40,
    int DistractorsPerEntity = 1,
    int TasksPerFamily = 60,
    double HeldOutFraction = 0.25,
    IReadOnlyList<PreferenceProfile>? Profiles = null)
{
    public static readonly WorldOptions Default = new();

    /// <summary>A world small enough for unit tests and quick demos.</summary>
    public static readonly WorldOptions Small = new(Cities: 12, People: 30, Companies: 15, Inventions: 10, TasksPerFamily: 12);

    public void Validate()
    {
        if (Cities < 2 || People < 2 || Companies < 2 || Inventions < 1)
            throw new UserError($"offline world: need at least 2 cities, 2 people, 2 companies and 1 invention (got {Cities}, {People}, {Companies}, {Inventions}).");
        if (DistractorsPerEntity is < 0 or > 10) throw new UserError($"offline world: distractors per entity must be 0..10, got {DistractorsPerEntity}.");
        if (TasksPerFamily is < 1 or > 100_000) throw new UserError($"offline world: tasks per family must be 1..100000, got {TasksPerFamily}.");
        if (HeldOutFraction is < 0 or >= 1) throw new UserError($"offline world: held-out fraction must be in [0, 1), got {HeldOutFraction}.");
        if (Profiles is { Count: 0 }) throw new UserError("offline world: give at least one preference profile or leave them out for the defaults.");
    }
}

/// <summary>
/// Default preference vectors, keyed like the reference's pref_vec: "accuracy", "cost", "latency" and alias names.
/// "Local" aliases are those the reference maps to open-weights models (§2: search-3 and answer-4 Qwen3-32B,
/// reasoner-3 Qwen2.5-Coder-32B, answer-3 Llama-3.3-70B, answer-math-1/2 Qwen2.5-Math-72B/7B).
/// </summary>
public static class PreferenceProfiles
{
    public static readonly IReadOnlyList<string> LocalAliases = ["search-3", "reasoner-3", "answer-3", "answer-4", "answer-math-1", "answer-math-2"];

    private static Preferences Weights(double accuracy, double cost, double latency, IEnumerable<KeyValuePair<string, double>>? aliases = null)
    {
        var w = new Dictionary<string, double> { [Preferences.Accuracy] = accuracy, [Preferences.Cost] = cost, [Preferences.Latency] = latency };
        foreach (var (k, v) in aliases ?? []) w[k] = v;
        return new Preferences(w, [], []);
    }

    /// <summary>
    /// The preferences the world's tasks carry, with their shares: users who weigh dollars or seconds at least a little,
    /// and some who prefer local models (as the paper's efficiency-aware training data).
    /// </summary>
    public static readonly IReadOnlyList<PreferenceProfile> Default =
    [
        new("balanced", Weights(1, 0.5, 0.5), 4),
        new("accuracy-first", Weights(1, 0.25, 0.25), 2),
        new("low-cost", Weights(1, 1, 0.2), 2),
        new("low-latency", Weights(1, 0.2, 1), 2),
        new("prefer-local", Weights(1, 0.3, 0.3, LocalAliases.Select(a => KeyValuePair.Create(a, 0.5))), 1),
    ];

    /// <summary>No preference stated: only a correct answer counts (no weight on dollars, seconds or any alias).</summary>
    public static readonly PreferenceProfile None = new("none", Weights(1, 0, 0));

    /// <summary>
    /// The training curriculum (the offline trainer's <c>Curriculum</c>): every task meets every
    /// preference, none included (where paying for GPT-5 is right). None and "prefer local", whose behaviour must
    /// differ most, and balanced, the tasks' commonest, come twice as often as the others.
    /// </summary>
    public static readonly IReadOnlyList<PreferenceProfile> Curriculum =
        [None with { Share = 2 }, .. Default.Select(p => p with { Share = p.Name is "prefer-local" or "balanced" ? 2 : 1 })];
}
