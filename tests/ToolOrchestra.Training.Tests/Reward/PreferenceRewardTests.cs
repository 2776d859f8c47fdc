using FsCheck;
using FsCheck.Fluent;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Training.Reward;

namespace ToolOrchestra.Training.Tests.Reward;

public class PreferenceRewardTests
{
    private static RolloutMeasures R(bool solved, decimal usd, double seconds, params (string Alias, int Count)[] calls) =>
        new(calls.ToDictionary(c => c.Alias, c => c.Count), solved, usd, seconds);

    // A group of four rollouts of one task, worked out by hand below.
    private static readonly RolloutMeasures[] Group =
    [
        R(true, 0.02m, 30, ("search-3", 1), ("answer-1", 1)),
        R(true, 0.10m, 90, ("search-1", 2), ("answer-1", 1)),
        R(false, 0.01m, 10, ("answer-4", 1)),
        R(true, 0.04m, 50, ("search-3", 2), ("answer-4", 1)),
    ];

    private static readonly Dictionary<string, double> Prefs = new()
    {
        ["accuracy"] = 1, ["cost"] = 1, ["latency"] = 0.5, ["search-3"] = 0.5,
    };

    [Fact]
    public void Group_range_reward_matches_the_hand_computed_values()
    {
        // search-3 counts [1,0,0,2]: min 0, max 2.  accuracy [1,1,0,1]: min 0, max 1.
        // −cost [−.02,−.10,−.01,−.04]: min −.10, max −.01.  −latency [−30,−90,−10,−50]: min −90, max −10.
        // R1 = 0.5·(1/2) + 1·1 + 1·(.08/.09) + 0.5·(60/80)
        // R2 = 0 + 1 + 0 + 0          R3 = 0 (unsolved)
        // R4 = 0.5·(2/2) + 1 + (.06/.09) + 0.5·(40/80)
        var reward = PreferenceReward.Score(Group, Prefs);

        reward.Rewards[0].Should().BeApproximately(0.25 + 1 + 8.0 / 9 + 0.375, 1e-12);
        reward.Rewards[1].Should().BeApproximately(1.0, 1e-12);
        reward.Rewards[2].Should().Be(0);
        reward.Rewards[3].Should().BeApproximately(0.5 + 1 + 6.0 / 9 + 0.25, 1e-12);
    }

    [Fact]
    public void Users_only_range_reproduces_the_reference_code_for_alias_counts()
    {
        // search-3 callers R1 (1) and R4 (2): min 1, max 2. R2 never called it: 0.5·(0−1)/1 = −0.5.
        var reward = PreferenceReward.Score(Group, Prefs, new RewardOptions(AliasCountRange.UsersOnly));

        reward.Rewards[0].Should().BeApproximately(0 + 1 + 8.0 / 9 + 0.375, 1e-12);
        reward.Rewards[1].Should().BeApproximately(1 - 0.5, 1e-12);
        reward.Rewards[2].Should().Be(0);
        reward.Rewards[3].Should().BeApproximately(0.5 + 1 + 6.0 / 9 + 0.25, 1e-12);
    }

    [Fact]
    public void Cheaper_and_faster_solved_rollouts_earn_more_not_less()
    {
        // The released code plugs +cost into a range of −cost; the intended reward prefers the cheap rollout.
        var group = new[] { R(true, 0.50m, 100), R(true, 0.05m, 10) };
        var reward = PreferenceReward.Score(group, new Dictionary<string, double> { ["cost"] = 1, ["latency"] = 1 });

        reward.Rewards.Should().Equal(0.0, 2.0);
    }

    [Fact]
    public void A_feature_with_equal_min_and_max_contributes_nothing()
    {
        // Both solved, same cost, same latency, same calls: only nothing varies, so every reward is 0.
        var group = new[] { R(true, 0.03m, 20, ("answer-2", 1)), R(true, 0.03m, 20, ("answer-2", 1)) };
        var reward = PreferenceReward.Score(group, new Dictionary<string, double> { ["accuracy"] = 1, ["cost"] = 1, ["answer-2"] = 1 });

        reward.Rewards.Should().Equal(0.0, 0.0);
        reward.Features.Should().OnlyContain(f => !f.Contributes);
    }

    [Fact]
    public void Accuracy_is_the_only_signal_when_a_group_differs_only_in_outcome()
    {
        var group = new[] { R(true, 0.03m, 20), R(false, 0.03m, 20), R(true, 0.03m, 20) };
        var reward = PreferenceReward.Score(group, new Dictionary<string, double> { ["accuracy"] = 2, ["cost"] = 1 });

        reward.Rewards.Should().Equal(2.0, 0.0, 2.0);
    }

    [Fact]
    public void Unsolved_rollouts_still_set_the_ranges()
    {
        // The unsolved rollout is the cheapest: the solved one at $0.02 sits halfway between $0.01 and $0.03.
        var group = new[] { R(false, 0.01m, 5), R(true, 0.02m, 5), R(true, 0.03m, 5) };
        var reward = PreferenceReward.Score(group, new Dictionary<string, double> { ["cost"] = 1 });

        reward.Rewards[0].Should().Be(0);
        reward.Rewards[1].Should().BeApproximately(0.5, 1e-12);
        reward.Rewards[2].Should().Be(0);
    }

    [Fact]
    public void A_negative_alias_weight_penalises_the_rollout_that_calls_it_most()
    {
        var group = new[] { R(true, 0.02m, 10, ("search-1", 3)), R(true, 0.02m, 10, ("search-2", 1)) };
        var reward = PreferenceReward.Score(group, new Dictionary<string, double> { ["search-1"] = -1 });

        reward.Rewards.Should().Equal(-1.0, 0.0);
    }

    [Fact]
    public void Measures_from_a_ledger_count_each_turns_first_call()
    {
        var ledger = new Ledger();
        ledger.Record(new LedgerEntry(0, CallKind.Orchestrator, "orchestrator", null, "qwen3-8b", 100, 20, 0.001m, 3));
        ledger.Record(new LedgerEntry(0, CallKind.Expert, "search", "search-2", "gpt-5-mini", 900, 50, 0.004m, 4));
        ledger.Record(new LedgerEntry(0, CallKind.Search, "search", "search-3", null, 0, 0, 0m, 1));
        ledger.Record(new LedgerEntry(1, CallKind.Expert, "answer", "answer-1", "gpt-5", 1000, 200, 0.02m, 20));

        var m = RolloutMeasures.FromLedger(ledger, solved: true);

        m.FirstCallsPerAlias.Should().BeEquivalentTo(new Dictionary<string, int> { ["search-2"] = 1, ["answer-1"] = 1 });
        m.CostUsd.Should().Be(0.025m);
        m.LatencySeconds.Should().Be(25);
    }

    [Fact]
    public void An_alias_named_like_a_preference_key_is_a_user_error()
    {
        var act = () => PreferenceReward.Score([R(true, 0m, 0, ("cost", 1))], Prefs, taskId: "t7");
        act.Should().Throw<UserError>().WithMessage("*t7*'cost'*rename the alias*");
    }

    // ---- properties over random groups ----

    private static readonly string[] Aliases = ["search-1", "search-3", "answer-1", "answer-4"];

    private static Gen<RolloutMeasures> Rollout =>
        from solved in Gen.Elements(true, false)
        from cents in Gen.Choose(0, 500)
        from seconds in Gen.Choose(0, 300)
        from counts in Gen.ArrayOf(Gen.Choose(0, 3), Aliases.Length)
        select new RolloutMeasures(
            Aliases.Zip(counts).Where(p => p.Second > 0).ToDictionary(p => p.First, p => p.Second),
            solved, cents / 100m, seconds);

    private static Gen<(RolloutMeasures[] Group, Dictionary<string, double> Prefs)> Case =>
        from size in Gen.Choose(1, 8)
        from rollouts in Gen.ArrayOf(Rollout, size)
        from weights in Gen.ArrayOf(Gen.Choose(-4, 4), Aliases.Length + 3)
        select (rollouts, Aliases.Concat(["accuracy", "cost", "latency"]).Zip(weights)
            .ToDictionary(p => p.First, p => p.Second / 2.0));

    [Fact]
    public void Rewards_are_zero_when_unsolved_and_bounded_by_the_weights_when_solved()
    {
        Prop.ForAll(Case.ToArbitrary(), c =>
        {
            var rewards = PreferenceReward.Score(c.Group, c.Prefs).Rewards;
            var upper = c.Prefs.Values.Where(w => w > 0).Sum() + 1e-9;
            var lower = c.Prefs.Values.Where(w => w < 0).Sum() - 1e-9;
            return c.Group.Select((r, i) => r.Solved ? rewards[i] >= lower && rewards[i] <= upper : rewards[i] == 0).All(ok => ok);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Reordering_a_group_reorders_its_rewards()
    {
        Prop.ForAll(Case.ToArbitrary(), c =>
        {
            var forward = PreferenceReward.Score(c.Group, c.Prefs).Rewards;
            var backward = PreferenceReward.Score(c.Group.Reverse().ToArray(), c.Prefs).Rewards;
            return forward.Zip(backward.Reverse()).All(p => Math.Abs(p.First - p.Second) < 1e-12);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Rewards_do_not_depend_on_the_unit_of_dollars_or_seconds()
    {
        // Min-max normalisation: pricing everything 10× higher and running 3× slower changes nothing.
        Prop.ForAll(Case.ToArbitrary(), c =>
        {
            var scaled = c.Group.Select(r => r with { CostUsd = r.CostUsd * 10, LatencySeconds = r.LatencySeconds * 3 }).ToArray();
            var a = PreferenceReward.Score(c.Group, c.Prefs).Rewards;
            var b = PreferenceReward.Score(scaled, c.Prefs).Rewards;
            return a.Zip(b).All(p => Math.Abs(p.First - p.Second) < 1e-9);
        }).QuickCheckThrowOnFailure();
    }
}
