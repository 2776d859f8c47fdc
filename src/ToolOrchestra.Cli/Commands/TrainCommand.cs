using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Training.Demo;
using ToolOrchestra.Training.Tasks;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra train</c>: GRPO for the small learned orchestrator, either on the user's own tasks and endpoints
/// (<c>--tasks FILE --config CATALOG</c>: the engine, a spend cap, checkpoints, a held-out validation split) or in the
/// offline world with simulated experts (<c>--world offline</c>: the training half of <c>orchestra demo</c>). Weights
/// and the curve CSV go under <c>--out</c>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var worldKind = new Option<string?>("--world") { Description = "offline: train in the generated world with simulated experts (instead of --tasks)" };
        var tasks = new Option<string?>("--tasks") { Description = "Your QA tasks (JSONL with answers and optional pref_vec, HLE .parquet, FRAMES .tsv): train on them against --config's endpoints" };
        var engineOptions = EngineOptions.Create(configRequired: false);
        var preferences = new Option<string[]>("--preferences") { Description = "Preference profiles (files) added to the curriculum and reported by validation; repeatable", AllowMultipleArgumentsPerToken = true };
        var validationFraction = new Option<double>("--validation-fraction") { Description = "Share of the tasks held out (seeded) and scored greedily", DefaultValueFactory = _ => 0.2 };
        var validateEvery = new Option<int>("--validate-every") { Description = "Score the held-out tasks every N steps (and after the last)", DefaultValueFactory = _ => 10 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Write checkpoint.json every N steps; rerunning the command resumes from it", DefaultValueFactory = _ => 1 };
        var maxSpend = new Option<decimal?>("--max-spend-usd") { Description = "Real dollars the whole training may spend (judge included, cache hits excluded); reaching it checkpoints and stops" };
        var judge = new Option<string?>("--judge") { Description = "Alias or model that judges near-miss answers (default: the catalog's 'judge' alias)" };
        var exactMatch = new Option<bool>("--exact-match") { Description = "Score by exact match only (no judge; near misses count as wrong)" };
        var cache = new Option<string?>("--cache") { Description = "Response cache, a SQLite file or a postgres:// URL shared by several trainers: repeated calls replay (billed in the reward as when made, no real money)" };
        var training = new TrainingCommandOptions("Seed of the world and the training");
        var size = new Option<string>("--world-size") { Description = "World size: default or small", DefaultValueFactory = _ => "default" };
        var outDir = new Option<string>("--out") { Description = "Folder for policy.json, training.csv, the world and the code cache", DefaultValueFactory = _ => Path.Combine("runs", "train") };

        var json = new Option<bool>("--json") { Description = "Print the last step and the files as one JSON object" };
        var command = new Command("train", "Train the small learned orchestrator with GRPO on your tasks and endpoints (--tasks, --config) or in the offline world (--world offline); writes weights and the curve CSV")
        {
            worldKind, tasks, size, outDir, preferences, validationFraction, validateEvery, checkpointEvery, maxSpend, judge, exactMatch, cache, json,
        };
        training.AddTo(command);
        engineOptions.AddTo(command, engineOptions.UnsafeNoSandbox, engineOptions.Policy);
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            if (parse.GetValue(tasks) is { } taskFile)
            {
                if (parse.GetValue(worldKind) is not null) throw new UserError("give either --tasks (your tasks) or --world offline, not both.");
                var config = parse.GetValue(engineOptions.Config) ?? throw new UserError("--tasks needs --config CATALOG: the endpoints the experts, search and judge use.");
                var t = training.Read(parse, parse.GetValue(outDir)!, SimCommand.WorldSize(parse.GetValue(size)!));
                var trainingOptions = new TaskTrainingOptions(OptionChecks.ExistingFile(taskFile, "--tasks"), t.OutDirectory, t.Steps, t.TasksPerStep, t.Group, t.Seed, t.Parallelism,
                    parse.GetValue(validationFraction), parse.GetValue(validateEvery), parse.GetValue(checkpointEvery), parse.GetValue(maxSpend),
                    parse.GetValue(judge), parse.GetValue(exactMatch),
                    (parse.GetValue(preferences) ?? []).Select(f => new PreferenceProfile(Path.GetFileNameWithoutExtension(f), Preferences.Load(OptionChecks.ExistingFile(f, "--preferences")))).ToList(),
                    parse.GetValue(cache));
                return await TrainOnTasksAsync(trainingOptions, OptionChecks.ExistingFile(config, "--config"),
                    o => { engineOptions.Apply(parse, o); o.UnsafeNoSandbox = parse.GetValue(training.UnsafeNoSandbox); }, parse.GetValue(json), c);
            }
            var kind = parse.GetValue(worldKind) ?? throw new UserError("say what to train on: --tasks FILE --config CATALOG (your tasks and endpoints) or --world offline (simulated experts).");
            if (kind != "offline")
                throw new UserError($"--world must be 'offline' (the generated world), got '{kind}'; to train on your own tasks give --tasks FILE --config CATALOG.");
            var options = training.Read(parse, parse.GetValue(outDir)!, SimCommand.WorldSize(parse.GetValue(size)!));
            var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            err.WriteLine($"orchestra train: offline world, SIMULATED experts (no real model runs), seed {options.Seed}");
            OfflineDemo.TrainedSession? session = null;
            await err.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    var bar = ctx.AddTask("building the world and its index", maxValue: options.Steps);
                    var progress = new SynchronousProgress<DemoProgress>(p =>
                    {
                        if (p.Step is not { } r) return;
                        bar.Value = r.Step;
                        bar.Description = string.Create(CultureInfo.InvariantCulture,
                            $"step {r.Step}/{options.Steps}  reward {r.MeanReward:0.000}  accuracy {r.Accuracy:0.00}  $/episode {r.DollarsPerEpisode:0.0000}");
                    });
                    session = await OfflineDemo.TrainAsync(options, progress, c);
                    bar.Value = bar.MaxValue;
                });
            var last = session!.Curve[^1];
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { options.Steps, SimulatedExperts = true, LastStep = last, session.Files }, OrchestraJson.Compact));
                return 0;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Trained {options.Steps} steps (simulated experts): last step reward {last.MeanReward:0.000}, accuracy {last.Accuracy:0.00}, $/episode {last.DollarsPerEpisode:0.0000}, s/episode {last.SecondsPerEpisode:0.0}"));
            Console.WriteLine($"  policy  {session.Files["policy"]}");
            Console.WriteLine($"  curve   {session.Files["curve"]}");
            return 0;
        }, ct));
        return command;
    }

    private static async Task<int> TrainOnTasksAsync(TaskTrainingOptions options, string catalog, Action<OrchestraOptions> engine, bool json, CancellationToken ct)
    {
        await using var trainer = await TaskTrainer.CreateAsync(options, catalog, b => engine(b.Options), ct);
        var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        err.WriteLine($"orchestra train: {trainer.TrainTasks.Count} training tasks, {trainer.ValidationTasks.Count} held out, seed {options.Seed}" +
            (options.MaxSpendUsd is { } cap ? $", spend cap ${cap.ToString(CultureInfo.InvariantCulture)}" : ""));
        var progress = new SynchronousProgress<CurvePoint>(p => err.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  step {p.Step} {p.Split,-10} {p.Profile,-12} {(p.Reward is { } r ? $"reward {r:0.000}  " : "")}accuracy {p.Accuracy:0.00}  $/task {p.DollarsPerTask:0.0000}  s/task {p.SecondsPerTask:0.0}  paid ${p.PaidUsd:0.####}")));
        var report = await trainer.TrainAsync(progress, ct);
        if (json)
        {
            var v = report.Validation;
            Console.WriteLine(JsonSerializer.Serialize(new TrainSummary(report.Steps, report.StopReason, report.PolicyPath, report.CurvePath, report.ResumedFromStep,
                v is null ? null : new ValidationSummary(v.Accuracy, v.DollarsPerTask, v.SecondsPerTask), new CacheSummary(report.Cache?.Hits, report.Cache?.Misses, report.PaidUsd, report.Cache?.SavedUsd)), EveryKey));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Trained {report.Steps} steps ({report.StopReason}{(report.ResumedFromStep > 0 ? $", resumed after step {report.ResumedFromStep}" : "")}), real spend ${report.PaidUsd:0.######}"));
            if (report.Validation is { } v)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  held out: accuracy {v.Accuracy:0.00}, $/task {v.DollarsPerTask:0.######}, s/task {v.SecondsPerTask:0.0}"));
            if (report.Cache is { } stats)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  response cache: {stats.Hits} hits, {stats.Misses} misses; saved ${stats.SavedUsd:0.######}"));
            Console.WriteLine($"  policy  {report.PolicyPath}");
            Console.WriteLine($"  curve   {report.CurvePath}");
        }
        if (report.StopReason == "max_spend")
            Console.Error.WriteLine("Stopped at the spend cap (--max-spend-usd); rerun the same command with a higher cap to continue from the checkpoint.");
        return 0;
    }

    // Every documented key is present, null when absent (no validation split, no cache).
    private static readonly JsonSerializerOptions EveryKey = new(OrchestraJson.Compact) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };

    private sealed record ValidationSummary(double Accuracy, decimal DollarsPerTask, double SecondsPerTask);
    /// <summary>Hits, misses and savings are null without --cache; paid_usd is the training's real spend either way.</summary>
    private sealed record CacheSummary(long? Hits, long? Misses, decimal PaidUsd, decimal? SavedUsd);
    private sealed record TrainSummary(int Steps, string StopReason, string Policy, string Curve, int ResumedFromStep, ValidationSummary? Validation, CacheSummary Cache);
}
