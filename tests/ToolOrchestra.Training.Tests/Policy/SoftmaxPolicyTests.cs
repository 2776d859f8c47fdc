using ToolOrchestra.Core.Text;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Tests.Policy;

public class SoftmaxPolicyTests
{
    private static readonly FeatureConfig Small = new(ProblemBuckets: 16, DescriptionBuckets: 8);

    private static readonly ActionDescriptor[] QaActions =
    [
        new("search", "search-1", 1.25m, 10m, 22, "strong search query writer"),
        new("search", "search-3", 0.8m, 0.8m, 8, "open model query writer"),
        new("enhance_reasoning", "reasoner-3", 0.8m, 0.8m, 9, "writes python code"),
        new("answer", "answer-1", 1.25m, 10m, 96, "strong model for hard questions"),
        new("answer", "answer-math-2", 0.2m, 0.2m, 9, "primary level math model"),
    ];

    private static PolicyObservation Obs(string problem = "Who founded Zentrix Corp?", int turn = 0, int docs = 0) =>
        new(problem, turn, docs, false, 0.01m, 12, new Dictionary<string, double> { ["accuracy"] = 1, ["cost"] = 0.3, ["search-3"] = 0.5 },
            turn > 0 ? [new PastCall("search", "search-3")] : null);

    [Fact]
    public void Probabilities_sum_to_one_and_masked_actions_get_exactly_zero()
    {
        var policy = SoftmaxPolicy.Create(seed: 3, initScale: 0.5);
        var allowed = new[] { true, false, true, false, true };
        var step = policy.Decide(Obs(), QaActions, allowed);

        step.Probabilities.Sum().Should().BeApproximately(1, 1e-12);
        step.Probabilities[1].Should().Be(0.0);
        step.Probabilities[3].Should().Be(0.0);
        step.Probabilities.Where((_, k) => allowed[k]).Should().OnlyContain(p => p > 0);
    }

    [Fact]
    public void A_masked_action_is_never_chosen_even_when_it_would_score_highest()
    {
        var policy = SoftmaxPolicy.Create(seed: 1, initScale: 0);
        var reasoningOneHot = Enumerable.Range(0, QaActions.Length).Select(k => policy.Decide(Obs(), QaActions).ActionFeatures[k * policy.Config.ActionSize + 2]).ToArray();
        // Make enhance_reasoning (one-hot feature 2) overwhelmingly attractive, then forbid it.
        policy.Weights[0 * policy.Config.ActionSize + 2] = 50;
        var allowed = new[] { true, true, false, true, true };
        var random = new Random(7);

        policy.Decide(Obs(), QaActions).Action.Alias.Should().Be("reasoner-3");
        Enumerable.Range(0, 2000).Select(_ => policy.Decide(Obs(), QaActions, allowed, random).Action.Alias)
            .Should().NotContain("reasoner-3");
        reasoningOneHot.Should().Equal(0, 0, 1, 0, 0);
    }

    [Fact]
    public void When_the_constraints_forbid_everything_the_error_says_what_to_relax()
    {
        var policy = SoftmaxPolicy.Create(Small);
        var act = () => policy.Decide(Obs(), QaActions, [false, false, false, false, false]);
        act.Should().Throw<UserError>().WithMessage("*no action*only_tags or exclude_aliases*");
    }

    [Fact]
    public void Renaming_aliases_changes_nothing_because_actions_are_scored_by_their_description()
    {
        var policy = SoftmaxPolicy.Create(seed: 5, initScale: 0.3);
        var renamed = QaActions.Select((a, k) => a with { Alias = $"unseen-{k}" }).ToArray();
        var obs = Obs() with { Preference = new Dictionary<string, double> { ["accuracy"] = 1 } };

        policy.Decide(obs, renamed).Probabilities.Should().Equal(policy.Decide(obs, QaActions).Probabilities);
    }

    [Fact]
    public void The_preference_for_an_alias_reaches_that_alias_only()
    {
        var config = FeatureConfig.Default;
        var a = new double[config.ActionSize];
        var b = new double[config.ActionSize];
        PolicyFeatures.Action(QaActions[1], Obs(turn: 1), config, a);
        PolicyFeatures.Action(QaActions[0], Obs(turn: 1), config, b);

        a[7].Should().Be(0.5); // search-3 is preferred
        b[7].Should().Be(0);
        a[8].Should().BeApproximately(Math.Log(2), 1e-15); // search-3 was called once before
        b[9].Should().BeApproximately(Math.Log(2), 1e-15); // the search tool was called once before
    }

    [Fact]
    public void Preferences_enter_the_features_as_numbers_so_the_policy_moves_continuously_with_the_weights()
    {
        var config = FeatureConfig.Default;
        double[] Features(Dictionary<string, double> preference)
        {
            var o = new double[config.ObservationSize];
            PolicyFeatures.Observation(Obs() with { Preference = preference }, config, o);
            return o;
        }
        double[] Cost(double w) => Features(new() { ["accuracy"] = 1, ["cost"] = w, ["latency"] = 0.2 });
        var local = Features(new() { ["accuracy"] = 1, ["cost"] = 0.3, ["search-3"] = 0.5 });

        (local[10], local[11]).Should().Be((0.5, Math.Sqrt(0.3))); // the largest alias weight; √cost
        (Cost(0)[10], Cost(0)[11], Cost(0)[12]).Should().Be((0.0, 0.0, Math.Sqrt(0.2)));

        // No switch: the problem words conjoined with "cost" grow in proportion to the weight, from exactly nothing at 0.
        var words = FeatureConfig.ObservationFixed;
        double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b).Skip(words).Sum(p => (p.First - p.Second) * (p.First - p.Second)));
        var (zero, small, large) = (Cost(0), Cost(0.1), Cost(1));
        Distance(zero, small).Should().BeGreaterThan(0);
        Distance(zero, large).Should().BeApproximately(10 * Distance(zero, small), 1e-9);
        Features(new() { ["accuracy"] = 1 })[words..].Should().Equal(Features(new() { ["accuracy"] = 1, ["cost"] = 0, ["latency"] = 0 })[words..]);
        local[words..].Should().NotEqual(Features(new() { ["accuracy"] = 1, ["cost"] = 0.3 })[words..], "an alias weight is conjoined with the words too");
    }

    [Fact]
    public void Feature_hashing_is_stable_across_processes()
    {
        // Pinned values: saved weights depend on them; string.GetHashCode would change every run.
        FeatureHashing.Hash("search", 0).Should().Be(FeatureHashing.Hash("search", 0));
        FeatureHashing.Hash("search", 0).Should().NotBe(FeatureHashing.Hash("search", 1));
        FeatureHashing.Hash("search", 0).Should().Be(PinnedSearchHash);
        FeatureHashing.Words("Who founded Zentrix-Corp in 1987?").Should().Equal("who", "founded", "zentrix", "corp", "in", "<num>");
    }

    // FNV-1a over UTF-16 bytes then the SplitMix64 finaliser, computed independently in Python.
    private const ulong PinnedSearchHash = 3590174180409933400UL;

    [Fact]
    public void Greedy_decisions_take_the_most_probable_allowed_action()
    {
        var policy = SoftmaxPolicy.Create(seed: 9, initScale: 0.5);
        var step = policy.Decide(Obs(), QaActions);
        step.Chosen.Should().Be(Array.IndexOf(step.Probabilities, step.Probabilities.Max()));
    }

    [Fact]
    public void Catalog_aliases_become_qa_actions_and_only_tags_masks_the_others()
    {
        var models = new Dictionary<string, ModelEntry>
        {
            ["gpt-5"] = new("gpt-5", "http://127.0.0.1:1/v1", "gpt-5", new Price(1.25m, 10m), ["proprietary"]),
            ["qwen3-32b"] = new("qwen3-32b", "http://127.0.0.1:2/v1", "Qwen/Qwen3-32B", new Price(0.8m, 0.8m), ["local"]),
        };
        var aliases = new Dictionary<string, AliasEntry>
        {
            ["search-1"] = new("search-1", "gpt-5", 22, "strong"),
            ["answer-4"] = new("answer-4", "qwen3-32b", 11, "basic"),
            ["expert-1"] = new("expert-1", "gpt-5"),
        };
        var catalog = new Catalog(new OrchestratorSettings("qwen3-32b"), models, aliases, new ToolPrices(), new Limits());

        var actions = QaActionSet.FromCatalog(catalog);
        var allowed = QaActionSet.Allowed(actions, new Preferences(new Dictionary<string, double>(), ["local"], []), catalog);

        actions.Select(a => (a.Tool, a.Alias, a.OutputPricePerMillion)).Should().Equal(("answer", "answer-4", 0.8m), ("search", "search-1", 10m));
        allowed.Should().Equal(true, false);
    }
}
