using ToolOrchestra.Training.Grpo;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Tests.Policy;

/// <summary>
/// A one-step bandit for the small policy: four answer aliases, one of which (answer-math-2) is always right and the
/// cheapest; the others are right only sometimes and cost more. Rewards come from the real preference reward.
/// </summary>
internal static class ToyBandit
{
    public static readonly ActionDescriptor[] Actions =
    [
        new("answer", "answer-1", 1.25m, 10m, 96, "strong model for hard questions"),
        new("answer", "answer-2", 0.25m, 2m, 27, "reasonable model, may hallucinate"),
        new("answer", "answer-4", 0.8m, 0.8m, 11, "basic model"),
        new("answer", "answer-math-2", 0.2m, 0.2m, 9, "primary level math model"),
    ];

    private static readonly double[] SolveRate = [0.5, 0.4, 0.3, 1.0];

    public static readonly Dictionary<string, double> Preference = new() { ["accuracy"] = 1, ["cost"] = 0.5, ["latency"] = 0.5 };

    public static PolicyObservation Observation(int a, int b) =>
        new($"What is {a} plus {b}?", 0, 0, false, 0m, 0, Preference);

    public static double ProbabilityOfRightAlias(SoftmaxPolicy policy)
    {
        var step = policy.Decide(Observation(17, 25), Actions);
        return step.Probabilities[3];
    }

    /// <summary>Trains for <paramref name="steps"/> GRPO steps of 8 tasks × 8 rollouts and returns the update stats.</summary>
    public static List<UpdateStats> Train(SoftmaxPolicy policy, int seed, int steps, GrpoUpdateOptions? options = null)
    {
        var random = new Random(seed);
        var trainer = new PolicyTrainer(policy, options);
        var stats = new List<UpdateStats>();
        for (var s = 0; s < steps; s++)
        {
            var groups = new List<RolloutGroup<PolicyStep>>();
            for (var t = 0; t < 8; t++)
            {
                var obs = Observation(random.Next(1, 100), random.Next(1, 100));
                var rollouts = new List<RolloutRecord<PolicyStep>>();
                for (var g = 0; g < 8; g++)
                {
                    var step = policy.Decide(obs, Actions, sampler: random);
                    var a = step.Action;
                    var solved = random.NextDouble() < SolveRate[step.Chosen];
                    var cost = (800 * a.InputPricePerMillion + 300 * a.OutputPricePerMillion) / 1_000_000m;
                    rollouts.Add(new RolloutRecord<PolicyStep>(g, [new TurnRecord<PolicyStep>(0, true, a.Alias, step)], true, solved, cost, a.LatencySeconds));
                }
                groups.Add(new RolloutGroup<PolicyStep>($"t{s}-{t}", Preference, rollouts));
            }
            var batch = GrpoStages.Prepare(groups);
            stats.Add(trainer.Update(batch.Samples.Select(x => new PolicySample(x.Step, x.Advantage)).ToList()));
        }
        return stats;
    }
}
