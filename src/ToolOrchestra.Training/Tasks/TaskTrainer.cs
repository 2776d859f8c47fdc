using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.Qa;
using ToolOrchestra.Models;
using ToolOrchestra.Models.Caching;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Training.Grpo;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Tasks;

/// <summary>What a training on the user's tasks did: its steps, why it stopped, the policy file, the last validation, the real dollars.</summary>
public sealed record TaskTrainingReport(
    int Steps,
    string StopReason,
    string PolicyPath,
    string CurvePath,
    int ResumedFromStep,
    CurvePoint? Validation,
    decimal PaidUsd,
    IReadOnlyList<CurvePoint> Curve,
    ResponseCacheStats? Cache);

/// <summary>
/// GRPO for the small learned policy on a user's own QA tasks, through the engine (<c>AddToolOrchestra</c>): every
/// orchestrator decision is the policy's, every expert, search and code call goes to the catalog's endpoints and tools
/// through the engine's client pipeline (retries, ledger, budget holds, telemetry, the sandbox, and the response cache
/// when one is configured). Answers are scored as the evaluation harness scores them (exact match, then the judge).
/// A seeded share of the tasks is held out and scored greedily every <see cref="TaskTrainingOptions.ValidateEvery"/>
/// steps. Real spend is bounded by <see cref="SpendCap"/>; a step an episode of which the cap stopped is discarded, so
/// the weights only ever learn from whole groups. Checkpoints make a killed run resume to the same weights.
/// </summary>
public sealed class TaskTrainer : IAsyncDisposable
{
    public const string PolicyFile = "policy.json";
    public const string CurveFile = "training.csv";
    public const string CheckpointFile = "checkpoint.json";

    private readonly TaskTrainingOptions _options;
    private readonly IOrchestrator _engine;
    private readonly Catalog _catalog;
    private readonly AnswerJudge? _judge;
    private readonly IReadOnlyList<QaTask> _train;
    private readonly IReadOnlyList<QaTask> _validation;
    private readonly IReadOnlyDictionary<string, string> _resumeKey;
    private readonly string _tasksHash;
    private readonly SpendCap? _cap;
    private readonly IVerdictCache _verdicts = new MemoryVerdictCache();
    private readonly ServiceProvider _services;
    private readonly ResponseCache? _cache;

    private TaskTrainer(TaskTrainingOptions options, ServiceProvider engine, ResponseCache? cache, IReadOnlyList<QaTask> tasks, string tasksHash, decimal alreadyPaid)
    {
        _options = options;
        _services = engine;
        _cache = cache;
        _engine = engine.GetRequiredService<IOrchestrator>();
        _catalog = _engine.Catalog;
        if (!options.ExactMatchOnly)
        {
            var (alias, model) = AnswerJudge.Resolve(options.Judge, _catalog)
                ?? throw new UserError($"{_catalog.SourcePath ?? "catalog"}: $.aliases has no 'judge', so near-miss answers cannot be judged; add \"judge\": \"<model id>\" to the aliases, name one with --judge, or pass --exact-match.");
            _judge = new AnswerJudge(engine.GetRequiredService<ModelClientFactory>().For(model), _catalog.Models[model], alias, _verdicts);
        }
        (_train, _validation) = Split(tasks, options.ValidationFraction, options.Seed);
        if (_train.Count == 0) throw new UserError($"{options.TasksPath}: no task is left for training once {options.ValidationFraction:0.##} are held out; add tasks or lower --validation-fraction.");
        _tasksHash = tasksHash;
        _resumeKey = options.ResumeKey(tasksHash, Fingerprint(_catalog));
        _cap = options.MaxSpendUsd is { } cap ? new SpendCap(cap, alreadyPaid) : null;
    }

    /// <summary>
    /// Prepares a training: loads and checks the tasks (every one needs a gold answer) and builds the engine from the
    /// catalog with <paramref name="engine"/>'s options. Nothing is paid before <see cref="TrainAsync"/>.
    /// </summary>
    public static async Task<TaskTrainer> CreateAsync(TaskTrainingOptions options, string catalogPath, Action<ToolOrchestraBuilder>? engine = null, CancellationToken ct = default)
    {
        options.Validate();
        var set = await QaTaskFiles.LoadAsync(options.TasksPath, ct).ConfigureAwait(false);
        if (set.Tasks.FirstOrDefault(t => string.IsNullOrWhiteSpace(t.Answer)) is { } unanswered)
            throw new UserError($"{options.TasksPath}: task '{unanswered.Id}' has no gold answer; training needs one per task to score the episodes.");
        // Opened first: a store that cannot be opened is an error before anything is paid.
        var cache = options.Cache is { } store ? await ResponseCacheStore.OpenAsync(store, "--cache", ct).ConfigureAwait(false) : null;
        var builder = new ServiceCollection().AddToolOrchestra(catalogPath, o => o.RunsDirectory = null);
        engine?.Invoke(builder);
        builder.Options.RunsDirectory = null; // the checkpoint and the curve are the record; episodes are many
        builder.Options.ResponseCache = cache;
        builder.UsePolicy(_ => AmbientPolicy.Instance);
        var services = builder.Services.BuildServiceProvider();
        var catalog = services.GetRequiredService<Catalog>();
        foreach (var t in set.Tasks) t.Preferences.ValidateAgainst(catalog, $"{options.TasksPath} task '{t.Id}' pref_vec");
        foreach (var p in options.Profiles ?? []) p.Preferences.ValidateAgainst(catalog, $"preferences '{p.Name}'");
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(options.TasksPath, ct).ConfigureAwait(false)));
        var paid = TrainingCheckpoint.Load(Path.Combine(options.OutDirectory, CheckpointFile))?.PaidUsd ?? 0m;
        return new TaskTrainer(options, services, cache, set.Tasks, hash, paid);
    }

    public IReadOnlyList<QaTask> TrainTasks => _train;
    public IReadOnlyList<QaTask> ValidationTasks => _validation;

    public async Task<TaskTrainingReport> TrainAsync(IProgress<CurvePoint>? progress = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(_options.OutDirectory);
        var checkpointPath = Path.Combine(_options.OutDirectory, CheckpointFile);
        var policy = SoftmaxPolicy.Create(seed: _options.Seed);
        var trainer = new PolicyTrainer(policy, _options.Update);
        var curve = new List<CurvePoint>();
        var start = 0;
        if (TrainingCheckpoint.Load(checkpointPath) is { } checkpoint)
        {
            if (!checkpoint.Settings.OrderBy(p => p.Key).SequenceEqual(_resumeKey.OrderBy(p => p.Key)))
            {
                var differs = _resumeKey.Where(p => checkpoint.Settings.GetValueOrDefault(p.Key) != p.Value).Select(p => p.Key);
                throw new UserError($"{checkpointPath}: was made with other settings ({string.Join(", ", differs)}); rerun with the same ones to resume, or choose another --out.");
            }
            if (checkpoint.Weights.Length != policy.Weights.Length)
                throw new UserError($"{checkpointPath}: holds {checkpoint.Weights.Length} weights, this build's policy has {policy.Weights.Length}; choose another --out.");
            checkpoint.Weights.CopyTo(policy.Weights, 0);
            trainer.Optimizer.Restore(new AdamState(checkpoint.AdamSteps, checkpoint.AdamM, checkpoint.AdamV));
            curve.AddRange(checkpoint.Curve);
            start = checkpoint.Step;
        }

        var order = new TaskOrder(_train, _options.Seed);
        for (var step = 1; step <= start; step++) order.Next(_options.TasksPerStep); // replay the draws of the steps already taken
        var stop = "completed";
        var done = start;
        for (var step = start + 1; step <= _options.Steps; step++)
        {
            if (ct.IsCancellationRequested) { stop = "cancelled"; break; }
            var tasks = order.Next(_options.TasksPerStep);
            var groups = await RolloutAsync(policy, step, tasks, ct).ConfigureAwait(false);
            if (_cap?.Reached == true)
            {
                // Some episode was cut short by the cap: its group is not a fair comparison, so nothing of this step is learned.
                if (_cap.SpentUsd == 0 && done == 0)
                    throw new UserError($"--max-spend-usd {_cap.LimitUsd.ToString(CultureInfo.InvariantCulture)} is below one call's worst case (${_cap.RefusedWorstCaseUsd?.ToString("0.######", CultureInfo.InvariantCulture)}); raise it.");
                stop = "max_spend";
                break;
            }
            var batch = GrpoStages.Prepare(groups.Select(g => g.Group), _options.Grpo ?? GrpoOptions.PreferenceDial);
            trainer.Update(batch.Samples.Select(s => new PolicySample(s.Step, s.Advantage)).ToList());
            var all = groups.SelectMany(g => g.Episodes).ToList();
            var point = new CurvePoint(step, "train", "curriculum", batch.Groups.SelectMany(g => g.Reward.Rewards).DefaultIfEmpty().Average(),
                all.Count(e => e.Solved) / (double)all.Count, all.Sum(e => e.Result.CostUsd) / all.Count, all.Average(e => e.Result.LatencySeconds), PaidUsd);
            curve.Add(point);
            progress?.Report(point);
            done = step;
            if (step % _options.ValidateEvery == 0 || step == _options.Steps)
            {
                foreach (var v in await ValidateAsync(policy, step, ct).ConfigureAwait(false))
                {
                    curve.Add(v);
                    progress?.Report(v);
                }
                if (_cap?.Reached == true) { stop = "max_spend"; curve.RemoveAll(c => c.Step == step && c.Split == "validation"); }
            }
            if (step % _options.CheckpointEvery == 0 || step == _options.Steps || stop != "completed")
                TrainingCheckpoint.Of(step, _resumeKey, PaidUsd, policy, trainer.Optimizer.State, curve).Save(checkpointPath);
            if (stop != "completed") break;
        }
        if (done > start && (done % _options.CheckpointEvery != 0))
            TrainingCheckpoint.Of(done, _resumeKey, PaidUsd, policy, trainer.Optimizer.State, curve).Save(checkpointPath);

        var policyPath = Path.Combine(_options.OutDirectory, PolicyFile);
        PolicyWeightsFile.Save(policy, policyPath, Provenance(done));
        var curvePath = Path.Combine(_options.OutDirectory, CurveFile);
        WriteCurve(curvePath, curve);
        return new TaskTrainingReport(done, stop, policyPath, curvePath, start,
            curve.LastOrDefault(c => c.Split == "validation" && c.Profile == "own"), PaidUsd, curve, _cache?.Stats);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        if (_cache is not null) await _cache.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Real dollars spent so far (cache hits excluded), an earlier run's included when resumed.</summary>
    public decimal PaidUsd => _cap?.SpentUsd ?? _paid;

    private decimal _paid;
    private readonly Lock _paidGate = new();

    private sealed record Episode(OrchestrationResult Result, bool Solved);
    private sealed record GroupRun(RolloutGroup<PolicyStep> Group, IReadOnlyList<Episode> Episodes);

    private async Task<IReadOnlyList<GroupRun>> RolloutAsync(SoftmaxPolicy policy, int step, IReadOnlyList<QaTask> tasks, CancellationToken ct)
    {
        var candidates = tasks.Select((task, t) => Curriculum(task, step, t)).ToList();
        var group = _options.Group;
        var results = await EpisodeBatch.RunAsync(tasks.Count * group, _options.Parallelism, async (i, c) =>
        {
            var (t, g) = (i / group, i % group);
            var seed = OfflineTrainer.EpisodeSeed(_options.Seed, step, t, g);
            var learner = new LearnedQaPolicy(policy, new Random(seed));
            // Member g of the group: a sampled expert call replays the g-th cached sample of that request, so a
            // group sees G different samples and every epoch replays them without paying.
            using var member = ResponseCache.BeginScope(g, group);
            var episode = await RunOneAsync(tasks[t], candidates[t], learner, $"step{step}-{tasks[t].Id}-{g}", c).ConfigureAwait(false);
            return (Episode: episode, Record: Record(episode, learner.Steps, g));
        }, ct).ConfigureAwait(false);
        return tasks.Select((task, t) =>
        {
            var slice = results.Skip(t * group).Take(group).ToList();
            return new GroupRun(new RolloutGroup<PolicyStep>(task.Id, candidates[t].Weights, slice.Select(r => r.Record).ToList()), slice.Select(r => r.Episode).ToList());
        }).ToList();
    }

    private async Task<IReadOnlyList<CurvePoint>> ValidateAsync(SoftmaxPolicy policy, int step, CancellationToken ct)
    {
        if (_validation.Count == 0) return [];
        var profiles = Profiles(null);
        var runs = await EpisodeBatch.RunAsync(profiles.Count * _validation.Count, _options.Parallelism, (i, c) =>
        {
            var (p, t) = (i / _validation.Count, i % _validation.Count);
            var task = _validation[t];
            var preferences = profiles[p].Name == "own" ? Own(task) : profiles[p].Preferences;
            return RunOneAsync(task, preferences, new LearnedQaPolicy(policy), $"validation{step}-{profiles[p].Name}-{task.Id}", c);
        }, ct).ConfigureAwait(false);
        return profiles.Select((profile, p) =>
        {
            var slice = runs.Skip(p * _validation.Count).Take(_validation.Count).ToList();
            return new CurvePoint(step, "validation", profile.Name, null, slice.Count(e => e.Solved) / (double)slice.Count,
                slice.Sum(e => e.Result.CostUsd) / slice.Count, slice.Average(e => e.Result.LatencySeconds), PaidUsd);
        }).ToList();
    }

    private async Task<Episode> RunOneAsync(QaTask task, Preferences preferences, LearnedQaPolicy learner, string id, CancellationToken ct)
    {
        var account = _cap?.Open();
        try
        {
            OrchestrationResult result;
            using (AmbientPolicy.Enter(learner))
                result = await _engine.RunAsync(new OrchestrationRequest(task.Question)
                {
                    Preferences = preferences, Eid = task.Eid, Id = id, Account = account,
                }, ct).ConfigureAwait(false);
            var paid = Paid(result.Calls);
            var solved = false;
            if (result.StopReason == StopReason.Answered)
            {
                var (correct, judgePaid) = await ScoreAsync(task, result.Answer, account, ct).ConfigureAwait(false);
                (solved, paid) = (correct, paid + judgePaid);
            }
            Settle(account, paid);
            return new Episode(result, solved);
        }
        catch
        {
            Settle(account, 0);
            throw;
        }
    }

    private void Settle(SpendCap.Episode? account, decimal paid)
    {
        if (account is not null) account.Settle(paid);
        else lock (_paidGate) _paid += paid;
    }

    /// <summary>Exact match, then the judge for a near miss (as <c>eval run</c> scores); the judge's real dollars.</summary>
    private async Task<(bool Correct, decimal Paid)> ScoreAsync(QaTask task, string? answer, ISpendAccount? account, CancellationToken ct)
    {
        switch (AnswerMatch.Check(answer, task.Answer))
        {
            case MatchVerdict.Correct: return (true, 0);
            case MatchVerdict.Wrong: return (false, 0);
        }
        if (_judge is null) return (false, 0);
        try
        {
            // One verdict per (question, gold, answer): sample 0 whichever group member asks, so a replay finds it.
            using var single = ResponseCache.BeginScope(0, 1);
            var verdict = await _judge.JudgeAsync(task.Question, task.Answer, answer!, ct, account).ConfigureAwait(false);
            return (verdict.Correct, verdict.PaidUsd);
        }
        catch (BudgetExhaustedException)
        {
            return (false, 0); // the cap is reached: this step is discarded
        }
    }

    /// <summary>Real dollars of a run's calls: what the endpoints billed (answers replayed from the cache cost nothing).</summary>
    private static decimal Paid(IEnumerable<LedgerEntry> calls) => calls.Where(c => !c.Cached).Sum(c => c.CostUsd);

    private static RolloutRecord<PolicyStep> Record(Episode episode, IReadOnlyList<PolicyStep> steps, int index)
    {
        var t = episode.Result.Trajectory;
        // A turn the policy did not decide (the episode stopped before it could) has no step to learn from.
        var turns = t.Turns.Take(steps.Count).Select((turn, i) => new TurnRecord<PolicyStep>(turn.Turn, turn.Call is not null, turn.Call?.Alias, steps[i])).ToList();
        return new RolloutRecord<PolicyStep>(index, turns, t.StopReason == StopReason.Answered, episode.Solved, t.CostUsd, t.LatencySeconds);
    }

    /// <summary>The task's own preferences or a curriculum profile, drawn per (step, slot) by share.</summary>
    private Preferences Curriculum(QaTask task, int step, int slot)
    {
        if (_options.Profiles is not { Count: > 0 }) return Own(task);
        var pick = PreferenceProfile.Pick(Profiles(Own(task)), OfflineTrainer.EpisodeSeed(_options.Seed, step, slot, -1));
        return pick.Preferences;
    }

    /// <summary>
    /// A task's own preferences; a task that states no weights is "none" (only a correct answer counts), since a
    /// reward with every weight at zero would teach nothing. Its hard constraints stay.
    /// </summary>
    private static Preferences Own(QaTask task) =>
        task.Preferences.Weights.Count > 0 ? task.Preferences : task.Preferences with { Weights = PreferenceProfiles.None.Preferences.Weights };

    private IReadOnlyList<PreferenceProfile> Profiles(Preferences? own) => [new PreferenceProfile("own", own ?? Preferences.None), .. _options.Profiles ?? []];

    private static (IReadOnlyList<QaTask> Train, IReadOnlyList<QaTask> Validation) Split(IReadOnlyList<QaTask> tasks, double fraction, int seed)
    {
        var rng = new Random(seed);
        var shuffled = tasks.OrderBy(_ => rng.Next()).ToList();
        var held = tasks.Count > 1 ? (int)Math.Round(tasks.Count * fraction) : 0;
        var validation = shuffled.Take(held).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        return (tasks.Where(t => !validation.Contains(t.Id)).ToList(), tasks.Where(t => validation.Contains(t.Id)).ToList());
    }

    /// <summary>What the policy file records about its training, for whoever loads it against another catalog.</summary>
    private Dictionary<string, string> Provenance(int steps) => new(StringComparer.Ordinal)
    {
        ["trained_on"] = "tasks",
        ["tasks"] = Path.GetFullPath(_options.TasksPath),
        ["tasks_sha256"] = _tasksHash,
        ["catalog_fingerprint"] = _resumeKey["catalog"],
        ["catalog_aliases"] = string.Join(",", _catalog.Aliases.Keys.Order(StringComparer.Ordinal)),
        ["preference_profiles"] = string.Join(",", Profiles(null).Select(p => p.Name)),
        ["steps"] = steps.ToString(CultureInfo.InvariantCulture),
        ["seed"] = _options.Seed.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The catalog as the policy sees it: its aliases, their models' prices and the orchestrator.</summary>
    public static string Fingerprint(Catalog catalog)
    {
        var lines = catalog.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a =>
        {
            var m = catalog.Models[a.Value.Model];
            return $"{a.Key}={m.Name}@{m.Price.InputPerMillion.ToString(CultureInfo.InvariantCulture)}/{m.Price.OutputPerMillion.ToString(CultureInfo.InvariantCulture)}";
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines.Prepend(catalog.Orchestrator.Model)))))[..16];
    }

    private static void WriteCurve(string path, IReadOnlyList<CurvePoint> curve)
    {
        var temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary))
        using (var csv = CsvWriter.Create(writer, new CsvWriterOptions { Injection = CsvInjection.None }))
        {
            csv.WriteRecord(["step", "split", "profile", "reward", "accuracy", "dollars_per_task", "seconds_per_task", "paid_usd"]);
            foreach (var c in curve)
                csv.WriteRecord([c.Step.ToString(CultureInfo.InvariantCulture), c.Split, c.Profile, c.Reward?.ToString("R", CultureInfo.InvariantCulture) ?? "",
                    c.Accuracy.ToString("R", CultureInfo.InvariantCulture), c.DollarsPerTask.ToString(CultureInfo.InvariantCulture),
                    c.SecondsPerTask.ToString("R", CultureInfo.InvariantCulture), c.PaidUsd.ToString(CultureInfo.InvariantCulture)]);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Training tasks in seeded order, reshuffled each pass, drawn a step's worth at a time.</summary>
    private sealed class TaskOrder(IReadOnlyList<QaTask> tasks, int seed)
    {
        private readonly Random _rng = new(seed);
        private readonly Queue<QaTask> _queue = new();

        public IReadOnlyList<QaTask> Next(int count)
        {
            var drawn = new List<QaTask>(count);
            while (drawn.Count < count)
            {
                if (_queue.Count == 0)
                    foreach (var t in tasks.OrderBy(_ => _rng.Next())) _queue.Enqueue(t);
                drawn.Add(_queue.Dequeue());
            }
            return drawn;
        }
    }
}
