using System.Globalization;
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
using ToolOrchestra.Tools.Files;
using ToolOrchestra.Tools.Web;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// GAIA (<c>metadata.jsonl</c> and its attached files) through the engine's public API, with two tools registered
/// beside the catalog's: <see cref="ReadFileTool"/> (the task's own attachment only) and <see cref="FetchUrlTool"/> (a web
/// page's text, private addresses refused unless <c>--allow-private-urls</c>). Under <c>direct</c> the model gets the
/// attachment's text inline instead. The question carries GAIA's prompt; the answer is read from its
/// <c>FINAL ANSWER:</c> template (<see cref="GaiaAnswer"/>) and scored by the leaderboard's rules (<see cref="GaiaScorer"/>).
/// The test split (no answers) runs unscored, for the submission file (<see cref="GaiaSubmission"/>).
/// </summary>
public sealed class GaiaBenchmark : IEvalBenchmark
{
    private readonly ServiceProvider _engine;
    private readonly IOrchestrator _orchestrator;
    private readonly EvalSetup _setup;
    private readonly ModelEntry _model;
    private readonly IChatClient? _direct;
    private readonly QaProtocolVariant _variant;
    private readonly EvalRunOptions _options;
    private readonly TaskAttachments _attachments = new();
    private readonly ReadFileTool _readFile;
    private readonly FetchUrlTool _fetchUrl;
    private readonly Dictionary<string, GaiaTask> _tasks;
    private readonly IReadOnlyList<GaiaTask> _ordered;

    private GaiaBenchmark(EvalRunOptions options, IReadOnlyList<GaiaTask> tasks, Catalog catalog, EvalSetup setup, string model, string? policy)
    {
        _options = options;
        _setup = setup;
        var derived = EvalSetups.Derive(catalog, setup, model);
        _model = derived.Models[model];
        _variant = (options.Protocol is { } p ? QaProtocolVariant.Parse(p) : null) ?? QaProtocolVariant.FromCatalog(catalog) ?? QaProtocolVariant.Default;
        _readFile = new ReadFileTool(_attachments);
        _fetchUrl = new FetchUrlTool(new FetchUrlOptions { AllowPrivateUrls = options.AllowPrivateUrls });
        // The setup's catalog (derived in memory from the file's), not the file's, with the two GAIA tools.
        _engine = new ServiceCollection().AddToolOrchestra(derived, o => options.Engine(o, _variant, policy))
            .AddTool(_readFile).AddTool(_fetchUrl)
            .Services.BuildServiceProvider();
        _orchestrator = _engine.GetRequiredService<IOrchestrator>();
        if (setup == EvalSetup.Direct) _direct = _engine.GetRequiredService<ModelClientFactory>().For(model);
        _ordered = tasks;
        _tasks = tasks.ToDictionary(t => t.SampleId, StringComparer.Ordinal);
        Items = tasks.Select(t => new EvalItem(t.SampleId, t.Id)).ToList();
        Simulated = derived.Models.Values.Any(m => m.HasTag("simulated"));
        Orchestrator = policy is not null ? $"learned:{Path.GetFileName(policy)}" : model;
        var notes = new List<string>();
        var unanswered = tasks.Count(t => t.Answer is null);
        if (unanswered > 0) notes.Add($"{unanswered} of {tasks.Count} tasks have no answer (GAIA's test split): they run unscored; write the leaderboard file with --submission FILE.");
        var levels = tasks.GroupBy(t => t.Level).OrderBy(g => g.Key).Select(g => $"level {g.Key}: {g.Count()}");
        notes.Add($"GAIA tasks by level: {string.Join(", ", levels)}; {tasks.Count(t => t.FileName is not null)} with an attached file.");
        if (options.AllowPrivateUrls) notes.Add("--allow-private-urls: fetch_url may reach loopback and private addresses (for tests only).");
        if (Simulated) notes.Add("Models tagged 'simulated' answer: simulated experts, not real models.");
        Notes = notes;
        Settings = new Dictionary<string, string?>
        {
            ["task_format"] = "gaia",
            ["attachments"] = options.Attachments is null ? null : Path.GetFullPath(options.Attachments),
            ["level"] = options.Level?.ToString(CultureInfo.InvariantCulture),
            ["allow_private_urls"] = options.AllowPrivateUrls ? "on" : null,
        };
    }

    public string Orchestrator { get; }
    public bool Simulated { get; }
    public IReadOnlyList<EvalItem> Items { get; }
    public IReadOnlyList<string> Notes { get; }
    public IReadOnlyDictionary<string, string?> Settings { get; }
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>The loaded tasks, in file order (the submission lists every one).</summary>
    public IReadOnlyList<GaiaTask> Tasks => _ordered;

    public static Task<IEvalBenchmark> CreateAsync(EvalRunOptions options, EvalStore store, CancellationToken ct)
    {
        if (options.Tasks is null) throw new UserError("--benchmark gaia needs --tasks metadata.jsonl (GAIA's task file; its attachments beside it or in --attachments DIR).");
        if (options.Config is null) throw new UserError("--benchmark gaia needs --config CATALOG.");
        var catalog = CatalogLoader.Load(options.Config);
        var setup = EvalSetups.Parse(options.Setup);
        if (options.Policy is not null && setup == EvalSetup.Direct)
            throw new UserError("--policy orchestrates; under --setup direct the model answers alone. Drop --policy or choose basic/orchestrated.");
        var tasks = GaiaTaskFile.Load(options.Tasks, options.Attachments, options.Level);
        var model = options.Orchestrator ?? catalog.Orchestrator.Model;
        var warnings = CatalogReadiness.Require(EvalSetups.Derive(catalog, setup, model), options.Policy is null ? model : null, needsAnswerAlias: setup != EvalSetup.Direct);
        return Task.FromResult<IEvalBenchmark>(new GaiaBenchmark(options, tasks, catalog, setup, model, options.Policy) { Warnings = warnings });
    }

    public async Task<EvalSample> RunAsync(string runId, EvalItem item, CancellationToken ct)
    {
        var task = _tasks[item.SampleId];
        string? raw;
        StopReason stop;
        string? detail = null;
        IReadOnlyList<LedgerEntry> calls;
        string trajectory;
        int turns;
        var attachment = task.FilePath is { } path ? new Attachment(path, task.FileName!) : null;
        if (_setup == EvalSetup.Direct)
        {
            // Alone, the model cannot call read_file: the attachment's text comes with the question.
            var inline = attachment is null ? null : (await _readFile.ReadAsync(attachment, 0, ct).ConfigureAwait(false)).Observation;
            var ledger = new Ledger();
            var reply = await DirectAnswer.AskAsync(_direct!, _model, GaiaAnswer.Problem(task, inline), _variant, ledger, null, ct).ConfigureAwait(false);
            (raw, stop, calls, turns) = (reply.Answer, StopReason.Answered, ledger.Entries, 1);
            trajectory = QaSample.DirectTrajectory(_model, task.Question, reply);
        }
        else
        {
            // The episode id keys the attachment read_file may open; a fresh one per attempt.
            var episode = $"gaia-{task.Id}-{Guid.NewGuid().ToString("N")[..8]}";
            using var attached = attachment is null ? null : _attachments.Attach(episode, attachment);
            var result = await _orchestrator.RunAsync(new OrchestrationRequest(GaiaAnswer.Problem(task))
            {
                Id = episode, Eid = task.Id, MaxTurns = _options.MaxTurns, BudgetUsd = _options.BudgetUsd,
            }, ct).ConfigureAwait(false);
            (raw, stop, detail, calls, turns) = (result.Answer, result.StopReason, result.StopDetail, result.Calls, result.Trajectory.Turns.Count);
            if (stop == StopReason.Cancelled) ct.ThrowIfCancellationRequested();
            trajectory = JsonSerializer.Serialize(result.Trajectory, OrchestraJson.Compact);
        }
        var answer = GaiaAnswer.Extract(raw);
        var sample = QaSample.Record(runId, item.SampleId, task.Id, answer, task.Answer, calls, turns, stop, detail, trajectory, out var failed);
        if (failed) return sample;
        if (task.Answer is null) return sample with { VerdictSource = EvalSample.NotEvaluated };
        var correct = GaiaScorer.Score(answer, task.Answer);
        return sample with { Correct = correct, Reward = correct ? 1 : 0, VerdictSource = "gaia_scorer" };
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync().ConfigureAwait(false);
        _fetchUrl.Dispose();
    }
}
