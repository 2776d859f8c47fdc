using ToolOrchestra.Environments.Qa;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// QA benchmarks (HLE, FRAMES, any <c>{id, question, answer}</c> file) through the engine's public API
/// (<c>AddToolOrchestra</c>, <see cref="IOrchestrator"/>) on the setup's catalog, or,
/// under <c>direct</c>, one chat call to the model. Answers are scored as the reference scores them: exact match after
/// <see cref="AnswerMatch"/>'s normalisation, near misses to the <see cref="AnswerJudge"/> (catalog alias <c>judge</c>,
/// or <c>--judge</c>), its dollars apart.
/// </summary>
public sealed class QaBenchmark : IEvalBenchmark
{
    private readonly ServiceProvider _engine;
    private readonly IOrchestrator _orchestrator;
    private readonly EvalSetup _setup;
    private readonly ModelEntry _model;
    private readonly IChatClient? _direct;
    private readonly QaProtocolVariant _variant;
    private readonly AnswerJudge? _judge;
    private readonly EvalRunOptions _options;
    private readonly Dictionary<string, QaTask> _tasks;

    private QaBenchmark(EvalRunOptions options, QaTaskSet set, Catalog catalog, EvalSetup setup, string model, string? policy, EvalStore store)
    {
        _options = options;
        _setup = setup;
        var derived = EvalSetups.Derive(catalog, setup, model);
        _model = derived.Models[model];
        _variant = (options.Protocol is { } p ? QaProtocolVariant.Parse(p) : null) ?? QaProtocolVariant.FromCatalog(catalog) ?? QaProtocolVariant.Default;
        // The setup's catalog (derived in memory from the file's), not the file's.
        _engine = new ServiceCollection().AddToolOrchestra(derived, o => options.Engine(o, _variant, policy)).Services.BuildServiceProvider();
        _orchestrator = _engine.GetRequiredService<IOrchestrator>();
        var models = _engine.GetRequiredService<ModelClientFactory>();
        if (setup == EvalSetup.Direct) _direct = models.For(model);
        _judge = ResolveJudge(options.Judge, catalog, models, store);
        _tasks = set.Tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
        Items = set.Tasks.Select(t => new EvalItem(t.Id, t.Id)).ToList();
        Simulated = derived.Models.Values.Any(m => m.HasTag("simulated"));
        Orchestrator = policy is not null ? $"learned:{Path.GetFileName(policy)}" : model;
        var notes = new List<string>();
        if (set.SkippedImageQuestions > 0) notes.Add($"{set.SkippedImageQuestions} questions need an image and were skipped (text-only QA protocol); {set.Tasks.Count} remain.");
        if (_judge is null) notes.Add("No judge: the catalog has no 'judge' alias and --judge was not given, so near misses count as wrong (exact match only).");
        if (Simulated) notes.Add("Models tagged 'simulated' answer: simulated experts, not real models.");
        Notes = notes;
        Settings = new Dictionary<string, string?>
        {
            ["task_format"] = set.Format,
            ["judge_model"] = _judge?.Model,
        };
    }

    public string Orchestrator { get; }
    public bool Simulated { get; }
    public IReadOnlyList<EvalItem> Items { get; }
    public IReadOnlyList<string> Notes { get; }
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public static async Task<IEvalBenchmark> CreateAsync(EvalRunOptions options, EvalStore store, CancellationToken ct)
    {
        if (options.Tasks is null) throw new UserError("--benchmark qa needs --tasks FILE (the reference's JSONL, HLE's .parquet or FRAMES's .tsv).");
        if (options.Config is null) throw new UserError("--benchmark qa needs --config CATALOG.");
        var catalog = CatalogLoader.Load(options.Config);
        var setup = EvalSetups.Parse(options.Setup);
        if (options.Policy is not null && setup == EvalSetup.Direct)
            throw new UserError("--policy orchestrates; under --setup direct the model answers alone. Drop --policy or choose basic/orchestrated.");
        var set = await QaTaskFiles.LoadAsync(options.Tasks, ct).ConfigureAwait(false);
        foreach (var task in set.Tasks) task.Preferences.ValidateAgainst(catalog, $"{options.Tasks}: task '{task.Id}' pref_vec");
        var model = options.Orchestrator ?? catalog.Orchestrator.Model;
        // Before the first paid call: the model (unless a learned policy orchestrates) and, with tools, an answer alias need their keys.
        var warnings = CatalogReadiness.Require(EvalSetups.Derive(catalog, setup, model), options.Policy is null ? model : null, needsAnswerAlias: setup != EvalSetup.Direct);
        return new QaBenchmark(options, set, catalog, setup, model, options.Policy, store) { Warnings = warnings };
    }

    public IReadOnlyList<string> Warnings { get; private init; } = [];

    private static AnswerJudge? ResolveJudge(string? name, Catalog catalog, ModelClientFactory models, EvalStore store) =>
        AnswerJudge.Resolve(name, catalog) is var (alias, modelId) ? new AnswerJudge(models.For(modelId), catalog.Models[modelId], alias, store) : null;

    public async Task<EvalSample> RunAsync(string runId, EvalItem item, CancellationToken ct)
    {
        var task = _tasks[item.SampleId];
        string? answer;
        StopReason stop;
        string? detail = null;
        IReadOnlyList<LedgerEntry> calls;
        string trajectory;
        int turns;
        if (_setup == EvalSetup.Direct)
        {
            var ledger = new Ledger();
            var reply = await DirectAnswer.AskAsync(_direct!, _model, task.Question, _variant, ledger, null, ct).ConfigureAwait(false);
            (answer, stop, calls, turns) = (reply.Answer, StopReason.Answered, ledger.Entries, 1);
            trajectory = QaSample.DirectTrajectory(_model, task.Question, reply);
        }
        else
        {
            var result = await _orchestrator.RunAsync(new OrchestrationRequest(task.Question)
            {
                Eid = task.Eid, MaxTurns = _options.MaxTurns, BudgetUsd = _options.BudgetUsd, Preferences = task.Preferences,
            }, ct).ConfigureAwait(false);
            (answer, stop, detail, calls, turns) = (result.Answer, result.StopReason, result.StopDetail, result.Calls, result.Trajectory.Turns.Count);
            // Stopped by our own cancellation (Ctrl+C, the error budget): in flight, not a result; it runs again on a rerun.
            if (stop == StopReason.Cancelled) ct.ThrowIfCancellationRequested();
            trajectory = JsonSerializer.Serialize(result.Trajectory, OrchestraJson.Compact);
        }
        var sample = QaSample.Record(runId, item.SampleId, task.Id, answer, task.Answer, calls, turns, stop, detail, trajectory, out var failed);
        if (failed) return sample;
        return await ScoreAsync(sample, task, answer, ct).ConfigureAwait(false);
    }

    private async Task<EvalSample> ScoreAsync(EvalSample sample, QaTask task, string? answer, CancellationToken ct)
    {
        switch (AnswerMatch.Check(answer, task.Answer))
        {
            case MatchVerdict.Correct: return sample with { Correct = true, Reward = 1, VerdictSource = "exact" };
            case MatchVerdict.Wrong: return sample with { Correct = false, Reward = 0, VerdictSource = "exact" };
        }
        if (_judge is null) return sample with { Correct = false, Reward = 0, VerdictSource = "exact" };
        var verdict = await _judge.JudgeAsync(task.Question, task.Answer, answer!, ct).ConfigureAwait(false);
        return sample with
        {
            Correct = verdict.Correct, Reward = verdict.Correct ? 1 : 0, JudgeCostUsd = verdict.CostUsd,
            VerdictSource = verdict.Cached ? "judge_cached" : "judge",
        };
    }

    public async ValueTask DisposeAsync() => await _engine.DisposeAsync().ConfigureAwait(false);
}
