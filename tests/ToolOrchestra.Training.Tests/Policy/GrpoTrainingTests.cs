using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Tests.Policy;

public class GrpoTrainingTests
{
    [Fact]
    public void The_analytic_gradient_matches_finite_differences()
    {
        var config = new FeatureConfig(ProblemBuckets: 16, DescriptionBuckets: 8);
        var behaviour = SoftmaxPolicy.Create(config, seed: 11, initScale: 0.4);
        var random = new Random(2);
        var problems = new[] { "Who founded Zentrix Corp?", "What is 17 times 23?", "In which city was the founder of Kelvar born?", "Name the capital of Norway." };
        var samples = new List<PolicySample>();
        for (var i = 0; i < 24; i++)
        {
            var obs = new PolicyObservation(problems[i % 4], i % 3, i % 5, i % 2 == 0, 0.001m * i, 3.0 * i,
                new Dictionary<string, double> { ["accuracy"] = 1, ["cost"] = 0.2 * (i % 3), ["answer-4"] = 0.5 },
                i % 3 > 0 ? [new PastCall("search", "search-3")] : null);
            var allowed = Enumerable.Range(0, ToyBandit.Actions.Length).Select(k => k != i % 5).ToArray();
            var step = behaviour.Decide(obs, ToyBandit.Actions, allowed, random);
            samples.Add(new PolicySample(step, random.NextDouble() * 4 - 2));
        }
        // Evaluate at weights away from the behaviour policy so ratios leave the clip range for some samples.
        var current = behaviour.Clone();
        for (var i = 0; i < current.Weights.Length; i++) current.Weights[i] += 0.3 * (random.NextDouble() - 0.5);
        var reference = SoftmaxPolicy.Create(config, seed: 12, initScale: 0.4);
        var options = new GrpoUpdateOptions(KlCoefficient: 0.3);

        var analytic = new double[current.Weights.Length];
        var value = GrpoObjective.Evaluate(current, samples, options, reference, analytic);
        value.ClipFraction.Should().BeInRange(0.05, 0.95, "the check must cover clipped and unclipped samples");

        const double h = 1e-6;
        var worst = 0.0;
        for (var i = 0; i < current.Weights.Length; i++)
        {
            var w = current.Weights[i];
            current.Weights[i] = w + h;
            var up = GrpoObjective.Evaluate(current, samples, options, reference, []).Loss;
            current.Weights[i] = w - h;
            var down = GrpoObjective.Evaluate(current, samples, options, reference, []).Loss;
            current.Weights[i] = w;
            var numeric = (up - down) / (2 * h);
            worst = Math.Max(worst, Math.Abs(numeric - analytic[i]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(analytic[i])));
        }
        worst.Should().BeLessThan(1e-5);
        analytic.Count(g => g != 0).Should().BeGreaterThan(current.Weights.Length / 4);
    }

    [Fact]
    public void Training_on_a_bandit_raises_the_probability_of_the_always_right_cheap_alias()
    {
        var policy = SoftmaxPolicy.Create(seed: 1);
        var before = ToyBandit.ProbabilityOfRightAlias(policy);

        ToyBandit.Train(policy, seed: 1, steps: 30);
        var after = ToyBandit.ProbabilityOfRightAlias(policy);

        before.Should().BeInRange(0.2, 0.3);
        after.Should().BeGreaterThan(0.8);
    }

    [Fact]
    public void Same_seed_gives_the_same_weights_bit_for_bit_and_another_seed_does_not()
    {
        static long[] Run(int seed)
        {
            var policy = SoftmaxPolicy.Create(seed: seed);
            ToyBandit.Train(policy, seed, steps: 5, new GrpoUpdateOptions(KlCoefficient: GrpoUpdateOptions.ReferenceKlCoefficient, Epochs: 2, MiniBatchSize: 16));
            return policy.Weights.Select(BitConverter.DoubleToInt64Bits).ToArray();
        }

        Run(4).Should().Equal(Run(4));
        Run(4).Should().NotEqual(Run(5));
    }

    [Fact]
    public void Kl_to_the_reference_keeps_the_policy_closer_to_where_it_started()
    {
        var free = SoftmaxPolicy.Create(seed: 2);
        var anchored = SoftmaxPolicy.Create(seed: 2);
        var start = SoftmaxPolicy.Create(seed: 2);

        ToyBandit.Train(free, seed: 3, steps: 10);
        ToyBandit.Train(anchored, seed: 3, steps: 10, new GrpoUpdateOptions(KlCoefficient: 50));

        static double Distance(SoftmaxPolicy a, SoftmaxPolicy b) => Math.Sqrt(a.Weights.Zip(b.Weights).Sum(p => (p.First - p.Second) * (p.First - p.Second)));
        Distance(anchored, start).Should().BeLessThan(Distance(free, start));
    }

    [Fact]
    public void Adam_follows_the_textbook_first_step()
    {
        // First step: m̂ = g, v̂ = g², so the update is lr·g/(|g|+ε), almost lr·sign(g).
        var adam = new AdamOptimizer(2, learningRate: 0.1);
        var w = new[] { 1.0, -1.0 };
        adam.Step(w, [4.0, -0.5]);
        w[0].Should().BeApproximately(1 - 0.1 * 4 / (4 + 1e-8), 1e-15);
        w[1].Should().BeApproximately(-1 + 0.1 * 0.5 / (0.5 + 1e-8), 1e-15);
    }

    [Fact]
    public void An_empty_batch_leaves_the_weights_alone()
    {
        var policy = SoftmaxPolicy.Create(seed: 1);
        var before = (double[])policy.Weights.Clone();
        var stats = new PolicyTrainer(policy).Update([]);
        stats.Samples.Should().Be(0);
        policy.Weights.Should().Equal(before);
    }
}
