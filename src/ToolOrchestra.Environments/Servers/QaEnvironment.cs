using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.Qa;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.Hosting;

namespace ToolOrchestra.Environments.Servers;

/// <summary>
/// QA episodes for an outside policy: the engine (built through <c>AddToolOrchestra</c> with <see cref="RemoteQaPolicy"/>
/// as its policy) over a task file, scored as evaluation scores them (exact match, then the judge for a near miss).
/// Each episode is a stored run whose outcome is appended, so <c>orchestra reward</c> re-scores a group of them.
/// </summary>
public sealed class QaEnvironment : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly AnswerJudge? _judge;
    private int _next = -1;

    public IOrchestrator Orchestrator { get; }
    public Catalog Catalog => Orchestrator.Catalog;
    public IReadOnlyList<QaTask> Tasks { get; }
    public string? RunsDirectory { get; }

    /// <param name="configure">Sets the engine's options (index, protocol, runs folder…); the policy is always the remote one.</param>
    /// <param name="more">Shapes the engine further (e.g. a test's own chat clients).</param>
    /// <param name="judge">Alias or model that judges near misses (default: the catalog's <c>judge</c> alias, else exact match only).</param>
    public QaEnvironment(Catalog catalog, IReadOnlyList<QaTask> tasks, Action<OrchestraOptions>? configure = null,
        Action<ToolOrchestraBuilder>? more = null, string? judge = null)
    {
        if (tasks.Count == 0) throw new UserError("the task file has no tasks; give --tasks a JSONL file with id, question and answer per line.");
        var dupe = tasks.GroupBy(t => t.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dupe is not null) throw new UserError($"task id '{dupe.Key}' appears twice in the task file; ids select tasks at reset, so make them unique.");
        var builder = new ServiceCollection().AddToolOrchestra(catalog, configure);
        builder.UsePolicy(_ => RemoteQaPolicy.Instance);
        more?.Invoke(builder);
        _services = builder.Services.BuildServiceProvider();
        Orchestrator = _services.GetRequiredService<IOrchestrator>();
        RunsDirectory = builder.Options.RunsDirectory;
        Tasks = tasks;
        if (AnswerJudge.Resolve(judge, catalog) is var (alias, model))
            _judge = new AnswerJudge(_services.GetRequiredService<ModelClientFactory>().For(model), catalog.Models[model], alias, new MemoryVerdictCache());
    }

    /// <summary>The task a reset asks for: by id, else by seed (index modulo the count), else the next in turn.</summary>
    public QaTask Pick(string? taskId, long? seed)
    {
        if (taskId is not null)
            return Tasks.FirstOrDefault(t => t.Id == taskId) ?? throw new EnvValidationException($"task_id '{taskId}' is not in the task file ({Tasks.Count} tasks).");
        if (seed is { } s) return Tasks[(int)(s % Tasks.Count)];
        return Tasks[(int)((uint)Interlocked.Increment(ref _next) % (uint)Tasks.Count)];
    }

    /// <summary>Exact match, then the judge for a near miss (as <c>eval run</c> scores); no judge means a near miss is wrong.</summary>
    public async Task<bool> ScoreAsync(QaTask task, string? answer, CancellationToken ct)
    {
        switch (AnswerMatch.Check(answer, task.Answer))
        {
            case MatchVerdict.Correct: return true;
            case MatchVerdict.Wrong: return false;
        }
        if (_judge is null) return false;
        var verdict = await _judge.JudgeAsync(task.Question, task.Answer, answer!, ct).ConfigureAwait(false);
        return verdict.Correct;
    }

    /// <summary>Appends the judged outcome to the stored run, so <c>orchestra reward</c> can re-score it.</summary>
    public static Task StoreOutcomeAsync(OrchestrationResult result, TrajectoryOutcome outcome) =>
        result.TrajectoryPath is { } path ? RunStore.AppendOutcomeAsync(path, outcome) : Task.CompletedTask;

    /// <summary>Parses a reset's <c>preferences</c>: the one preferences format (weights or pref_vec, only_tags, exclude_aliases, statement).</summary>
    public Preferences ReadPreferences(JsonElement element)
    {
        try
        {
            return Preferences.Read(new JsonFields("reset", "$.preferences", element)).ValidateAgainst(Catalog, "reset preferences");
        }
        catch (UserError e)
        {
            throw new EnvValidationException(e.Message);
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
