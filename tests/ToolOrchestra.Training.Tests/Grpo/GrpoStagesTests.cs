using FsCheck;
using FsCheck.Fluent;
using ToolOrchestra.Core;
using ToolOrchestra.Training.Grpo;

namespace ToolOrchestra.Training.Tests.Grpo;

public class GrpoStagesTests
{
    [Fact]
    public void Advantage_is_the_reward_minus_the_group_mean_over_the_sample_std()
    {
        // mean 0.5, squared deviations 4 × 0.25 = 1, sample std = sqrt(1/3).
        var a = GroupAdvantage.Compute([1, 0, 0, 1]);

        a.Mean.Should().Be(0.5);
        a.StdDev.Should().BeApproximately(Math.Sqrt(1.0 / 3), 1e-15);
        var expected = 0.5 / (Math.Sqrt(1.0 / 3) + 1e-6);
        a.Advantages.Should().Equal([expected, -expected, -expected, expected], (x, y) => Math.Abs(x - y) < 1e-12);
    }

    [Fact]
    public void Advantages_are_clipped_to_plus_minus_three()
    {
        // 16 rollouts, one with reward 10: mean 0.625, squares 9.375² + 15·0.625² = 93.75, /15 → std 2.5.
        // The outlier's advantage 9.375/2.5 = 3.75 is clipped to 3; the others are −0.625/2.5 = −0.25.
        var rewards = new double[16];
        rewards[0] = 10;
        var a = GroupAdvantage.Compute(rewards);

        a.StdDev.Should().BeApproximately(2.5, 1e-12);
        a.Advantages[0].Should().Be(3);
        a.Advantages.Skip(1).Should().OnlyContain(x => Math.Abs(x - -0.625 / (2.5 + 1e-6)) < 1e-12);
    }

    [Fact]
    public void The_reference_boost_adds_a_tenth_to_advantages_of_at_least_one()
    {
        // [2,0,0]: mean 2/3, squares 16/9 + 4/9 + 4/9 = 24/9, /2 → std = sqrt(4/3) ≈ 1.1547.
        // A0 = (4/3)/1.1547 ≈ 1.1547 ≥ 1 → +0.1; A1 = A2 = −(2/3)/1.1547 ≈ −0.577, unboosted.
        var std = Math.Sqrt(4.0 / 3);
        var plain = GroupAdvantage.Compute([2, 0, 0]);
        var boosted = GroupAdvantage.Compute([2, 0, 0], AdvantageOptions.Reference);

        plain.Advantages[0].Should().BeApproximately(4.0 / 3 / (std + 1e-6), 1e-12);
        boosted.Advantages[0].Should().BeApproximately(4.0 / 3 / (std + 1e-6) + 0.1, 1e-12);
        boosted.Advantages[1].Should().Be(plain.Advantages[1]);
        boosted.Advantages[2].Should().Be(plain.Advantages[2]);
    }

    [Fact]
    public void A_group_of_one_is_a_clear_user_error()
    {
        var act = () => GroupAdvantage.Compute([1.0], taskId: "math-17");
        act.Should().Throw<UserError>().WithMessage("*math-17*at least 2 rollouts*--group*");
    }

    [Fact]
    public void A_group_of_two_is_accepted()
    {
        // [1,0]: mean .5, std = sqrt(.5) ≈ .7071.
        var a = GroupAdvantage.Compute([1, 0]);
        a.Advantages[0].Should().BeApproximately(0.5 / (Math.Sqrt(0.5) + 1e-6), 1e-12);
    }

    [Fact]
    public void Groups_of_at_most_eight_are_never_clipped_so_advantages_are_standardised()
    {
        // Max |z| with the sample std is (n−1)/√n, below 3 for n ≤ 8: the advantages sum to 0 and have std ≈ 1.
        var gen = from n in Gen.Choose(2, 8)
                  from r in Gen.ArrayOf(Gen.Choose(0, 20), n)
                  where r.Distinct().Count() > 1
                  select r.Select(x => x / 4.0).ToArray();
        Prop.ForAll(gen.ToArbitrary(), rewards =>
        {
            var a = GroupAdvantage.Compute(rewards).Advantages;
            var mean = a.Average();
            var std = Math.Sqrt(a.Sum(x => (x - mean) * (x - mean)) / (a.Count - 1));
            return Math.Abs(a.Sum()) < 1e-9 && Math.Abs(std - 1) < 1e-4 && a.All(x => Math.Abs(x) < 3);
        }).QuickCheckThrowOnFailure();
    }

    private static TurnRecord<string> T(int turn, string? alias) => new(turn, alias is not null, alias, $"turn {turn} {alias}");

    [Fact]
    public void The_pipeline_rewards_normalises_and_filters_a_batch_of_groups()
    {
        var accuracyOnly = new Dictionary<string, double> { ["accuracy"] = 1 };
        var mixed = new RolloutGroup<string>("a", accuracyOnly,
        [
            new(0, [T(0, "search-2"), T(1, null), T(2, "answer-1")], HasValidAnswer: true, Solved: true, 0.01m, 10),
            new(1, [T(0, "answer-4")], HasValidAnswer: true, Solved: false, 0.002m, 3),
            new(2, [T(0, "search-2"), T(1, "search-2")], HasValidAnswer: false, Solved: false, 0.004m, 8),
        ]);
        var same = new RolloutGroup<string>("b", accuracyOnly,
        [
            new(0, [T(0, "answer-1")], true, true, 0.01m, 5),
            new(1, [T(0, "answer-1")], true, true, 0.01m, 5),
        ]);

        var batch = GrpoStages.Prepare([mixed, same]);

        // Group a: rewards [1,0,0], mean 1/3, std sqrt(1/3) > 0.1 → A = [1.1547, −0.5774, −0.5774].
        // Group b: rewards [0,0] (nothing varies), std 0 → homogeneous, both turns dropped.
        batch.Groups[0].Reward.Rewards.Should().Equal(1.0, 0.0, 0.0);
        var sd = Math.Sqrt(1.0 / 3) + 1e-6;
        batch.Samples.Select(s => (s.TaskId, s.Rollout, s.Turn)).Should().Equal(("a", 0, 0), ("a", 0, 2), ("a", 1, 0));
        batch.Samples[0].Advantage.Should().BeApproximately(2.0 / 3 / sd, 1e-12);
        batch.Samples[0].Reward.Should().Be(1);
        batch.Samples[2].Advantage.Should().BeApproximately(-1.0 / 3 / sd, 1e-12);
        batch.Samples[1].Step.Should().Be("turn 2 answer-1");
        batch.Counts.Should().Be(new FilterCounts(Turns: 8, Kept: 3, HomogeneousGroup: 2, NoValidAnswer: 2, NoParsableCall: 1));
    }

    [Fact]
    public void Filters_can_be_switched_off_one_by_one()
    {
        var prefs = new Dictionary<string, double> { ["accuracy"] = 1 };
        var g = new RolloutGroup<string>("a", prefs,
        [
            new(0, [T(0, null), T(1, "answer-1")], true, true, 0.01m, 1),
            new(1, [T(0, "answer-2")], false, false, 0.01m, 1),
        ]);

        var strict = GrpoStages.Prepare([g]);
        var lenient = GrpoStages.Prepare([g], new GrpoOptions(Filter: new FilterOptions(RequireValidAnswer: false, RequireParsableCall: false)));

        strict.Counts.Kept.Should().Be(1);
        lenient.Counts.Kept.Should().Be(3);
    }

    [Fact]
    public void Turns_without_a_parsable_call_count_for_no_alias()
    {
        var r = new RolloutRecord<string>(0, [T(0, "search-1"), new TurnRecord<string>(1, false, "search-1", "bad"), T(2, "answer-1")], true, true, 0m, 0);
        r.Measures.FirstCallsPerAlias.Should().BeEquivalentTo(new Dictionary<string, int> { ["search-1"] = 1, ["answer-1"] = 1 });
    }
}
