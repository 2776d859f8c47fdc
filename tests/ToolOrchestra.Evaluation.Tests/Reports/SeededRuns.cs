using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Evaluation.Tests.Reports;

/// <summary>
/// Samples as the evaluation runner stores them: the ledger as <c>calls</c> (the field names of <c>orchestra run --json</c>
/// plus kind) and the trajectory as the engine serialises it, built from real <see cref="LedgerEntry"/> and
/// <see cref="Trajectory"/> records.
/// </summary>
internal static class SeededRuns
{
    public static readonly string SimCatalog = Path.Combine(SharedData.RepoRoot, "examples", "catalog.sim.json");

    public static EvalRunInfo Run(string id, string setup = "orchestrated", string orchestrator = "qwen3-8b", string? config = null, string benchmark = "qa", int maxTurns = 50) =>
        new(id, benchmark, setup, orchestrator, config ?? SimCatalog, "train", $"{{\"tasks\":\"t.jsonl\",\"max_turns\":{maxTurns}}}", DateTimeOffset.UnixEpoch.AddMinutes(id.Length));

    /// <summary>One orchestrator generation per turn, then the turn's tool call to <paramref name="aliases"/>[turn-1] at the given prices.</summary>
    public static IReadOnlyList<LedgerEntry> Ledger(params (string Alias, string Model, decimal Cost, double Seconds)[] aliases)
    {
        var entries = new List<LedgerEntry>();
        for (var i = 0; i < aliases.Length; i++)
        {
            var (alias, model, cost, seconds) = aliases[i];
            entries.Add(new LedgerEntry(i + 1, CallKind.Orchestrator, "orchestrator", null, "qwen3-8b", 1000, 100, 0.0001m, 0.5));
            var tool = alias.StartsWith("search", StringComparison.Ordinal) ? "search" : alias.StartsWith("answer", StringComparison.Ordinal) ? "answer" : "enhance_reasoning";
            entries.Add(new LedgerEntry(i + 1, CallKind.Expert, tool, alias, model, 2000, 500, cost, seconds));
        }
        return entries;
    }

    public static EvalSample Sample(string run, string id, bool? correct, IReadOnlyList<LedgerEntry> ledger, string status = SampleStatus.Done, string? error = null)
    {
        var turns = ledger.Select(e => e.Turn).DefaultIfEmpty(0).Max();
        var calls = ledger.Select(e => new
        {
            turn = e.Turn, kind = JsonNamingPolicy.SnakeCaseLower.ConvertName(e.Kind.ToString()), tool = e.Tool, alias = e.Alias, model = e.Model,
            input_tokens = e.InputTokens, output_tokens = e.OutputTokens, cost_usd = e.CostUsd, latency_s = e.LatencySeconds, tokens_estimated = e.TokensEstimated,
        });
        var trajectory = new Trajectory(id, "qa", $"question {id}", null,
            Enumerable.Range(1, turns).Select(t =>
            {
                var call = ledger.First(e => e.Turn == t && e.Kind != CallKind.Orchestrator);
                return new TrajectoryTurn(t, [new PromptMessage("user", $"question {id}")], "<tool_call>…</tool_call>", null,
                    new ToolCallRecord(call.Tool, "{}", call.Alias, call.Model), [], "observation", null, [], ledger.Where(e => e.Turn == t).ToList());
            }).ToList(),
            correct is null ? null : "answer", correct is null ? StopReason.Error : StopReason.Answered, null,
            ledger.Sum(e => e.CostUsd), ledger.Where(e => e.Kind != CallKind.Orchestrator).Sum(e => e.LatencySeconds), 0, ledger, DateTimeOffset.UnixEpoch);
        return new EvalSample(run, id)
        {
            Status = status, TaskId = id, Answer = correct is null ? null : "answer", Gold = "gold", Correct = correct, Reward = correct is true ? 1 : 0,
            VerdictSource = "exact", CostUsd = trajectory.CostUsd, ToolSeconds = trajectory.LatencySeconds, WallSeconds = trajectory.LatencySeconds + turns * 0.5,
            Turns = turns, StopReason = status == SampleStatus.Failed ? "error" : "answered", Error = error,
            CallsJson = JsonSerializer.Serialize(calls), TrajectoryJson = JsonSerializer.Serialize(trajectory, OrchestraJson.Compact),
        };
    }

    public static async Task<EvalStore> SqliteAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.db");
        return await EvalStore.OpenAsync(StoreLocation.Parse(file));
    }

    /// <summary>
    /// Two runs over tasks t1..t3 (plus a failed t4 in the second): "strong" answers with gpt-5 aliases, "cheap" with local models.
    /// </summary>
    public static async Task SeedTwoRunsAsync(EvalStore store)
    {
        await store.BeginRunAsync(Run("strong"));
        await store.BeginRunAsync(Run("cheap", orchestrator: "heuristic"));
        await store.SaveSampleAsync(Sample("strong", "t1", true, Ledger(("search-1", "gpt-5", 0.01m, 2), ("answer-1", "gpt-5", 0.02m, 4))));
        await store.SaveSampleAsync(Sample("strong", "t2", true, Ledger(("answer-1", "gpt-5", 0.02m, 4))));
        await store.SaveSampleAsync(Sample("strong", "t3", false, Ledger(("search-3", "qwen3-32b", 0.001m, 1), ("answer-1", "gpt-5", 0.02m, 4))));
        await store.SaveSampleAsync(Sample("cheap", "t1", true, Ledger(("search-3", "qwen3-32b", 0.001m, 1), ("answer-4", "qwen3-32b", 0.002m, 1))));
        await store.SaveSampleAsync(Sample("cheap", "t2", false, Ledger(("answer-4", "qwen3-32b", 0.002m, 1))));
        await store.SaveSampleAsync(Sample("cheap", "t3", false, Ledger(("answer-4", "qwen3-32b", 0.002m, 1))));
        await store.SaveSampleAsync(Sample("cheap", "t4", null, [], SampleStatus.Failed, "endpoint_error: 503 from answer-4") with { Attempts = 3 });
    }
}
