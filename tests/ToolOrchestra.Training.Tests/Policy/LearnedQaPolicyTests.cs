using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Tests.Policy;

public class LearnedQaPolicyTests
{
    private static Catalog Catalog()
    {
        var models = new Dictionary<string, ModelEntry>
        {
            ["gpt-5"] = new("gpt-5", "http://127.0.0.1:1/v1", "gpt-5", new Price(1.25m, 10m), ["proprietary"]),
            ["qwen3-32b"] = new("qwen3-32b", "http://127.0.0.1:2/v1", "Qwen/Qwen3-32B", new Price(0.8m, 0.8m), ["local"]),
        };
        var aliases = new Dictionary<string, AliasEntry>
        {
            ["search-1"] = new("search-1", "gpt-5"),
            ["search-3"] = new("search-3", "qwen3-32b"),
            ["answer-1"] = new("answer-1", "gpt-5"),
            ["answer-4"] = new("answer-4", "qwen3-32b"),
        };
        return new Catalog(new OrchestratorSettings("qwen3-32b"), models, aliases, new ToolPrices(), new Limits());
    }

    private static QaObservation Observation(Preferences prefs, int turn = 0) =>
        new(turn, "Who founded Zentrix Corp?", prefs, new QaContext(EstimatingTokenCounter.Instance), new QaToolset(Catalog(), prefs), [], 0m, 0);

    [Fact]
    public async Task It_emits_one_parsable_call_with_an_alias_the_constraints_allow()
    {
        var onlyLocal = new Preferences(new Dictionary<string, double>(), ["local"], []);
        var policy = new LearnedQaPolicy(SoftmaxPolicy.Create(seed: 1, initScale: 1), new Random(3));

        for (var i = 0; i < 200; i++)
        {
            var decision = await policy.DecideAsync(Observation(onlyLocal), new Ledger(), CancellationToken.None);
            decision.Calls.Should().ContainSingle();
            var alias = JsonDocument.Parse(decision.Calls[0].ArgumentsJson).RootElement.GetProperty("model").GetString();
            alias.Should().BeOneOf("search-3", "answer-4");
            decision.RawOutput.Should().Contain($"\"name\": \"{decision.Calls[0].Name}\"");
        }
        policy.Steps.Should().HaveCount(200);
        policy.Steps.Select(s => s.Action.Alias).Distinct().Should().HaveCount(2, "sampling explores both allowed aliases");
    }

    [Fact]
    public void Earlier_calls_are_read_from_the_ledger_first_call_per_turn()
    {
        var ledger = new Ledger();
        ledger.Record(new LedgerEntry(0, CallKind.Orchestrator, "orchestrator", null, "qwen3-8b", 10, 10, 0m, 1));
        ledger.Record(new LedgerEntry(0, CallKind.Expert, "search", "search-3", "qwen3-32b", 10, 10, 0m, 1));
        ledger.Record(new LedgerEntry(0, CallKind.Search, "search", "search-3", "local", 0, 0, 0m, 1));
        ledger.Record(new LedgerEntry(1, CallKind.Expert, "search", "search-1", "gpt-5", 10, 10, 0m, 1));

        LearnedQaPolicy.PastCalls(ledger).Should().Equal(new PastCall("search", "search-3"), new PastCall("search", "search-1"));
    }
}
