using BenchmarkDotNet.Attributes;
using ToolOrchestra.Training.Grpo;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Bench;

/// <summary>
/// Speed of the small orchestrator: one decision over the reference's 12 QA actions (target under 50 µs), one GRPO
/// update on a batch of 128 decisions, and the reward → advantage → filter stages on 16 groups of 8 four-turn rollouts.
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*GrpoBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class GrpoBenchmarks
{
    private static readonly ActionDescriptor[] Actions =
    [
        new("search", "search-1", 1.25m, 10m, 22, "strong search query writer"),
        new("search", "search-2", 0.25m, 2m, 16, "reasonable query writer, may hallucinate"),
        new("search", "search-3", 0.8m, 0.8m, 8, "open model query writer"),
        new("enhance_reasoning", "reasoner-1", 1.25m, 10m, 31, "strong code writer"),
        new("enhance_reasoning", "reasoner-2", 0.25m, 2m, 25, "reasonable code writer"),
        new("enhance_reasoning", "reasoner-3", 0.8m, 0.8m, 9, "coder model"),
        new("answer", "answer-1", 1.25m, 10m, 96, "strong model for hard questions"),
        new("answer", "answer-2", 0.25m, 2m, 27, "reasonable model, may hallucinate"),
        new("answer", "answer-3", 0.9m, 0.9m, 15, "easy to medium questions"),
        new("answer", "answer-4", 0.8m, 0.8m, 11, "basic questions"),
        new("answer", "answer-math-1", 0.9m, 0.9m, 13, "middle school math"),
        new("answer", "answer-math-2", 0.2m, 0.2m, 9, "primary level math"),
    ];

    private static readonly Dictionary<string, double> Prefs = new() { ["accuracy"] = 1, ["cost"] = 0.5, ["latency"] = 0.3, ["search-3"] = 0.5 };

    private readonly PolicyObservation _observation = new(
        "How many years passed between the founding of Zentrix Corp and the birth of the founder of Kelvar Dynamics?",
        2, 6, false, 0.004m, 31, Prefs, [new PastCall("search", "search-3"), new PastCall("search", "search-2")]);

    private SoftmaxPolicy _policy = null!;
    private List<PolicySample> _samples = null!;
    private List<RolloutGroup<int>> _groups = null!;

    [GlobalSetup]
    public void Setup()
    {
        _policy = SoftmaxPolicy.Create(seed: 1, initScale: 0.1);
        var random = new Random(1);
        _samples = Enumerable.Range(0, 128)
            .Select(i => new PolicySample(_policy.Decide(_observation with { Turn = i % 5 }, Actions, sampler: random), random.NextDouble() * 2 - 1))
            .ToList();
        _groups = Enumerable.Range(0, 16).Select(t => new RolloutGroup<int>($"t{t}", Prefs,
            Enumerable.Range(0, 8).Select(g => new RolloutRecord<int>(g,
                Enumerable.Range(0, 4).Select(k => new TurnRecord<int>(k, true, Actions[random.Next(12)].Alias, k)).ToList(),
                true, random.Next(2) == 0, random.Next(1, 500) / 10_000m, random.Next(5, 200))).ToList())).ToList();
    }

    [Benchmark]
    public int Decide() => _policy.Decide(_observation, Actions).Chosen;

    [Benchmark]
    public double UpdateOn128Decisions() => new PolicyTrainer(_policy.Clone()).Update(_samples).Loss;

    [Benchmark]
    public int RewardAdvantageFilter16Groups() => GrpoStages.Prepare(_groups).Counts.Kept;
}
