using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Tools;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Policy.Baselines;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Demo;

/// <summary>Settings of <c>orchestra demo</c>.</summary>
public sealed record DemoOptions
{
    public int Seed { get; init; } = 1;
    public int Steps { get; init; } = 300;
    public int Group { get; init; } = 8;
    public int TasksPerStep { get; init; } = 8;
    public string OutDirectory { get; init; } = Path.Combine("runs", "demo");
    public WorldOptions World { get; init; } = WorldOptions.Default;
    public OfflineEpisodeOptions Episodes { get; init; } = OfflineEpisodeOptions.Default;
    public int Parallelism { get; init; } = 4;
    public SandboxOptions Sandbox { get; init; } = new() { TimeoutSeconds = 10, MemoryMb = 512 };
    public GrpoUpdateOptions? Update { get; init; }

    /// <summary>Preference profiles drawn per training group (<see cref="OfflineTrainingOptions.Curriculum"/>); null keeps each task's own.</summary>
    public IReadOnlyList<PreferenceProfile>? Curriculum { get; init; } = PreferenceProfiles.Curriculum;
}

/// <summary>Where the demo is, for a progress display.</summary>
public sealed record DemoProgress(string Stage, int Done, int Total, TrainingStepReport? Step = null);

/// <summary>Everything the demo produced; <see cref="Files"/> lists what it wrote under <see cref="OutDirectory"/>.</summary>
public sealed record DemoResult(
    int Seed,
    string WorldFingerprint,
    int Documents,
    int TrainTasks,
    int TestTasks,
    IReadOnlyList<TrainingStepReport> Curve,
    IReadOnlyList<EvaluationRow> Evaluation,
    IReadOnlyList<EvaluationRow> PreferenceAdherence,
    IReadOnlyList<GeneralisationRow> Generalisation,
    IReadOnlyList<PreferenceSweepPoint> PreferenceSweep,
    DemoChecks Checks,
    string LearnedPolicyName,
    string OutDirectory,
    IReadOnlyDictionary<string, string> Files,
    int CodeExecutions,
    int CodeCacheHits,
    double WallSeconds)
{
    /// <summary>Says, in every serialised result, that no real model produced these numbers.</summary>
    public string Experts => "simulated (offline world: calibrated profiles, no real model runs)";

    public EvaluationRow Row(string policy) => Evaluation.First(r => r.Policy == policy);
}

/// <summary>
/// The main offline job: generate the world, index its corpus, train the small learned orchestrator with GRPO through
/// the real runtime (simulated experts on virtual time, real retrieval, real sandboxed code behind the code-hash
/// cache), then evaluate it on the held-out tasks beside baselines, and write weights, curve, table, calibration
/// and trajectories under the output folder. Seeded: the same options give the same numbers.
/// </summary>
public static partial class OfflineDemo
{
    public const string Trained = "learned (GRPO)";
    public const string Untrained = "learned, untrained";
    public const string StrongestAlone = "answer-1 alone (strongest)";

    /// <summary>
    /// A hard constraint the world's tasks never carry: only models tagged "local" (the balanced weights otherwise).
    /// Its row makes the constraint-violation count a real test: the proprietary aliases must never be called.
    /// </summary>
    public static readonly PreferenceProfile LocalOnlyHard = new("local-only (hard constraint)",
        new Core.Preferences(PreferenceProfiles.Default[0].Preferences.Weights, ["local"], []));

    /// <summary>The profiles of the adherence table: no preference first, then the world's profiles, then the hard constraint.</summary>
    public static IReadOnlyList<PreferenceProfile> AdherenceProfiles => [PreferenceProfiles.None, .. PreferenceProfiles.Default, LocalOnlyHard];

    /// <summary>The world, its episodes and the trained policy, as <see cref="TrainAsync"/> leaves them.</summary>
    public sealed record TrainedSession(
        World World, Catalog Catalog, IRetriever Retriever, ICodeRunner Code, OfflineEpisodes Episodes,
        SoftmaxPolicy Initial, SoftmaxPolicy Policy, OfflineTrainer Trainer, IReadOnlyList<TrainingStepReport> Curve,
        Dictionary<string, string> Files, string OutDirectory)
    {
        internal CountingCodeRunner? Counter { get; init; }
        internal CachingCodeRunner? Cache { get; init; }
    }

    /// <summary>
    /// The training half of the demo (what <c>orchestra train --world offline</c> runs): world, index, sandbox
    /// behind the code cache, GRPO steps, then <c>policy.json</c> and <c>training.csv</c> under the output folder.
    /// </summary>
    public static async Task<TrainedSession> TrainAsync(DemoOptions options, IProgress<DemoProgress>? progress = null, CancellationToken ct = default)
    {
        var training = new OfflineTrainingOptions(options.Steps, options.TasksPerStep, options.Group, options.Seed, options.Parallelism, Update: options.Update, Curriculum: options.Curriculum);
        training.Validate();
        var outDir = Path.GetFullPath(options.OutDirectory);
        Directory.CreateDirectory(outDir);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);

        progress?.Report(new DemoProgress("world", 0, 1));
        var world = World.Generate(options.Seed, options.World);
        var catalog = SimulatedCatalog.Create();
        var retriever = WorldRetrieval.Build(world, Path.Combine(outDir, "world"), catalog.ToolPrices, ct);
        files["world"] = Path.Combine(outDir, "world");
        var sandbox = new CountingCodeRunner(new PythonSandbox(options.Sandbox, catalog.ToolPrices));
        var cache = new CachingCodeRunner(sandbox, Path.Combine(outDir, "code-cache"));
        var episodes = new OfflineEpisodes(world, catalog, retriever, cache, options.Episodes);

        var initial = SoftmaxPolicy.Create(seed: options.Seed);
        var policy = initial.Clone();
        var trainer = new OfflineTrainer(episodes, policy, training);
        var curve = await trainer.TrainAsync(new SynchronousProgress<TrainingStepReport>(r => progress?.Report(new DemoProgress("train", r.Step, options.Steps, r))), ct).ConfigureAwait(false);

        var policyPath = Path.Combine(outDir, "policy.json");
        PolicyWeightsFile.Save(policy, policyPath, new Dictionary<string, string>
        {
            ["world"] = "offline (simulated experts)",
            ["world_seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["world_fingerprint"] = world.Fingerprint,
            ["steps"] = options.Steps.ToString(CultureInfo.InvariantCulture),
            ["group"] = options.Group.ToString(CultureInfo.InvariantCulture),
            ["tasks_per_step"] = options.TasksPerStep.ToString(CultureInfo.InvariantCulture),
        });
        files["policy"] = policyPath;
        files["curve"] = WriteCurve(curve, Path.Combine(outDir, "training.csv"));
        return new TrainedSession(world, catalog, retriever, cache, episodes, initial, policy, trainer, curve, files, outDir)
        {
            Counter = sandbox,
            Cache = cache,
        };
    }

    public static async Task<DemoResult> RunAsync(DemoOptions options, IProgress<DemoProgress>? progress = null, CancellationToken ct = default)
    {
        var wall = Stopwatch.StartNew();
        var session = await TrainAsync(options, progress, ct).ConfigureAwait(false);
        var (world, catalog, retriever, cache, episodes) = (session.World, session.Catalog, session.Retriever, session.Code, session.Episodes);
        var (initial, policy, trainer, curve, files, outDir) = (session.Initial, session.Policy, session.Trainer, session.Curve, session.Files, session.OutDirectory);
        var sandbox = session.Counter!;

        var test = world.TestTasks.ToList();
        var baselines = Baselines(catalog, initial, policy, options.Seed);
        var rows = new List<EvaluationRow>();
        var trajectories = Path.Combine(outDir, "trajectories");
        Directory.CreateDirectory(trajectories);
        for (var i = 0; i < baselines.Count; i++)
        {
            progress?.Report(new DemoProgress("evaluate", i, baselines.Count));
            var (row, outcomes) = await PolicyEvaluation.RunAsync(episodes, baselines[i], test, options.Seed, options.Parallelism, ct: ct).ConfigureAwait(false);
            rows.Add(row);
            WriteTrajectories(outcomes, Path.Combine(trajectories, $"test-{Slug(baselines[i].Name)}.jsonl"));
        }
        progress?.Report(new DemoProgress("evaluate", baselines.Count, baselines.Count));

        // Preference adherence: the trained policy on the same tasks with one preference profile imposed on all.
        var adherence = new List<EvaluationRow>();
        foreach (var profile in AdherenceProfiles)
        {
            var learned = new EvaluatedPolicy($"{Trained}, every task {profile.Name}", _ => new LearnedQaPolicy(policy));
            var (row, _) = await PolicyEvaluation.RunAsync(episodes, learned, test, options.Seed, options.Parallelism, profile.Preferences, ct).ConfigureAwait(false);
            adherence.Add(row);
        }
        // Preferences as a dial: the trained policy at increasing cost weights (accuracy 1, latency 0.2).
        var sweep = new List<PreferenceSweepPoint>();
        foreach (var weight in Demo.PreferenceSweep.CostWeights)
        {
            var learned = new EvaluatedPolicy(string.Create(CultureInfo.InvariantCulture, $"{Trained}, cost weight {weight}"), _ => new LearnedQaPolicy(policy));
            var (row, _) = await PolicyEvaluation.RunAsync(episodes, learned, test, options.Seed, options.Parallelism, Demo.PreferenceSweep.At(weight), ct).ConfigureAwait(false);
            sweep.Add(Demo.PreferenceSweep.Point(weight, row));
        }
        // Generalisation: the same trained weights on catalogs they never saw (no retraining).
        var trainedRow = rows.First(r => r.Policy == Trained);
        var generalisation = new List<GeneralisationRow>();
        foreach (var variant in Generalisation.Variants())
        {
            var variantEpisodes = new OfflineEpisodes(world, variant.Catalog, retriever, cache, options.Episodes);
            var learned = new EvaluatedPolicy($"{Trained}, {variant.Name}", _ => new LearnedQaPolicy(policy));
            var (row, outcomes) = await PolicyEvaluation.RunAsync(variantEpisodes, learned, test, options.Seed, options.Parallelism, ct: ct).ConfigureAwait(false);
            generalisation.Add(new GeneralisationRow(variant.Name, variant.Change, row, trainedRow.Accuracy == 0 ? 0 : row.Accuracy / trainedRow.Accuracy));
            WriteTrajectories(outcomes, Path.Combine(trajectories, $"test-{Slug(row.Policy)}.jsonl"));
        }
        WriteTrajectories(trainer.LastStepEpisodes, Path.Combine(trajectories, "train-last-step.jsonl"));
        files["trajectories"] = trajectories;
        files["calibration"] = Write(Path.Combine(outDir, "calibration.md"), ExpertCalibration.Describe());

        files["results"] = Path.Combine(outDir, "results.json");
        var result = new DemoResult(options.Seed, world.Fingerprint, world.Documents.Count, world.TrainTasks.Count(), test.Count,
            curve, rows, adherence, generalisation, sweep, DemoChecks.From(rows, adherence, generalisation, sweep), Trained, outDir, files, sandbox.Executions, session.Cache!.Hits, wall.Elapsed.TotalSeconds);
        foreach (var (name, path) in DemoReport.Write(result, outDir)) files[name] = path;
        Write(files["results"], JsonSerializer.Serialize(result, OrchestraJson.Options));
        return result;
    }

    /// <summary>The policies of the results table, baselines first, the trained one last.</summary>
    public static IReadOnlyList<EvaluatedPolicy> Baselines(Catalog catalog, SoftmaxPolicy untrained, SoftmaxPolicy trained, int seed)
    {
        var cheapest = catalog.Aliases.Values.Where(a => QaActionSet.ToolOf(a.Alias) == QaActionSet.Answer)
            .OrderBy(a => catalog.Models[a.Model].Price.InputPerMillion + catalog.Models[a.Model].Price.OutputPerMillion)
            .ThenBy(a => a.LatencySeconds ?? 0).ThenBy(a => a.Alias, StringComparer.Ordinal).First().Alias;
        return
        [
            new(StrongestAlone, _ => new ScriptedQaPolicy("answer-1 alone", "answer-1")),
            new("search-1 → answer-1", _ => new ScriptedQaPolicy("search-1 then answer-1", "search-1", "answer-1")),
            new("search-1 → reasoner-1 → answer-1", _ => new ScriptedQaPolicy("strongest pipeline", "search-1", "reasoner-1", "answer-1")),
            new($"{cheapest} alone (cheapest)", _ => new ScriptedQaPolicy("cheapest alone", cheapest)),
            new("search-3 → reasoner-3 → answer-4", _ => new ScriptedQaPolicy("local pipeline", "search-3", "reasoner-3", "answer-4")),
            new("random", c => new RandomQaPolicy(new Random(c.Seed))),
            new($"heuristic LLM orchestrator ({catalog.Orchestrator.Model}, simulated)", c => new LlmQaPolicy(c.Models.For(catalog.Orchestrator.Model), catalog.Orchestrator)),
            new(Untrained, _ => new LearnedQaPolicy(untrained)),
            new(Trained, _ => new LearnedQaPolicy(trained)),
        ];
    }

    private static string WriteCurve(IReadOnlyList<TrainingStepReport> curve, string path)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("step,episodes,mean_reward,accuracy,dollars_per_episode,seconds_per_episode,turns_per_episode,kept_samples,dropped_homogeneous,dropped_no_answer,loss,kl,clip_fraction,grad_norm\n");
        foreach (var r in curve)
            sb.AppendLine(string.Create(c, $"{r.Step},{r.Episodes},{r.MeanReward:0.######},{r.Accuracy:0.####},{r.DollarsPerEpisode:0.########},{r.SecondsPerEpisode:0.###},{r.TurnsPerEpisode:0.###},{r.Filtered.Kept},{r.Filtered.HomogeneousGroup},{r.Filtered.NoValidAnswer},{r.Update.Loss:0.######},{r.Update.Kl:0.######},{r.Update.ClipFraction:0.####},{r.Update.GradientNorm:0.####}"));
        return Write(path, sb.ToString());
    }

    private static void WriteTrajectories(IEnumerable<EpisodeOutcome> outcomes, string path)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var o in outcomes)
            w.Write(JsonSerializer.Serialize(new { task_id = o.Task.Id, solved = o.Solved, gold = o.Task.Answer, simulated = true, trajectory = o.Trajectory }, OrchestraJson.Compact) + "\n");
    }

    private static string Write(string path, string text)
    {
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private static string Slug(string name) => NonWord().Replace(name.ToLowerInvariant(), "-").Trim('-');

    [System.Text.RegularExpressions.GeneratedRegex("[^a-z0-9.]+")]
    private static partial System.Text.RegularExpressions.Regex NonWord();
}

/// <summary>Counts executions that reach the sandbox (cache misses).</summary>
internal sealed class CountingCodeRunner(ICodeRunner inner) : ICodeRunner
{
    private int _executions;
    public int Executions => _executions;

    public decimal WorstCaseUsd(Core.Catalog.ToolPrices prices) => inner.WorstCaseUsd(prices);

    public Task<CodeResult> RunAsync(string code, CancellationToken ct)
    {
        Interlocked.Increment(ref _executions);
        return inner.RunAsync(code, ct);
    }
}
