using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Training.Demo;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra demo</c>: the whole loop offline — world, index, GRPO training of the small learned orchestrator through
/// the real runtime with simulated experts, evaluation on held-out tasks against baselines, weights and trajectories.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var training = new TrainingCommandOptions("Seed of the world, the training and the evaluation");
        var world = new Option<string>("--world-size") { Description = "World size: default or small", DefaultValueFactory = _ => "default" };
        var tasksPerFamily = new Option<int?>("--tasks-per-family") { Description = "Questions per task family in the world (default: 60, small: 12)" };
        var outDir = new Option<string>("--out") { Description = "Folder for weights, curve, results, trajectories, index", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (results, curve, files) instead of tables" };

        var command = new Command("demo", "Train and evaluate the small learned orchestrator in the offline world (simulated experts, real runtime, retrieval and sandbox)")
        {
            world, tasksPerFamily, outDir, json,
        };
        training.AddTo(command);
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var size = SimCommand.WorldSize(parse.GetValue(world)!);
            var options = training.Read(parse, parse.GetValue(outDir)!, parse.GetValue(tasksPerFamily) is { } n ? size with { TasksPerFamily = OptionChecks.AtLeast(n, 1, "--tasks-per-family") } : size);
            var asJson = parse.GetValue(json);
            var log = asJson ? Console.Error : Console.Out;
            log.WriteLine($"orchestra demo: offline world, SIMULATED experts (no real model runs), seed {options.Seed}");
            log.WriteLine($"Training {options.Steps} GRPO steps × {options.TasksPerStep} tasks × group {options.Group} through the real runtime, retrieval and sandbox...");
            var every = Math.Max(1, options.Steps / 10);
            var progress = new SynchronousProgress<DemoProgress>(p =>
            {
                if (p.Step is { } r && (r.Step % every == 0 || r.Step == 1 || r.Step == options.Steps))
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  step {r.Step,3}/{options.Steps}  reward {r.MeanReward:0.000}  accuracy {r.Accuracy:0.00}  $/episode {r.DollarsPerEpisode:0.0000}  s/episode {r.SecondsPerEpisode:0.0}  turns {r.TurnsPerEpisode:0.0}  kept {r.Filtered.Kept}/{r.Filtered.Turns}"));
                else if (p.Stage == "evaluate" && p.Done == 0)
                    log.WriteLine("Evaluating on the held-out tasks (simulated experts)...");
            });

            var result = await OfflineDemo.RunAsync(options, progress, c);
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(result, OrchestraJson.Compact));
                return 0;
            }
            Print(result);
            return 0;
        }, ct));
        return command;
    }

    private static void Print(DemoResult r)
    {
        var c = CultureInfo.InvariantCulture;
        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine($"Held-out evaluation: {r.TestTasks} test tasks, simulated experts (world {r.WorldFingerprint}: {r.Documents} documents, {r.TrainTasks} training tasks)");
        var table = new Table().AddColumns("policy", "accuracy", "$/task", "s/task", "turns", "local calls", "calls per alias (per task)");
        foreach (var row in r.Evaluation)
        {
            var bold = row.Policy == r.LearnedPolicyName;
            string B(string s) => bold ? $"[bold]{Markup.Escape(s)}[/]" : Markup.Escape(s);
            table.AddRow(B(row.Policy), B(row.Accuracy.ToString("P1", c)), B("$" + row.DollarsPerTask.ToString("0.0000", c)),
                B(row.SecondsPerTask.ToString("0.0", c)), B(row.TurnsPerTask.ToString("0.00", c)), B(row.LocalCallShare.ToString("P0", c)),
                Markup.Escape(string.Join(" ", row.CallsPerAlias.Select(kv => $"{kv.Key}:{kv.Value.ToString("0.00", c)}"))));
        }
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine("Preference adherence: the trained policy with one preference profile imposed on every held-out task (simulated experts)");
        var prefs = new Table().AddColumns("preferences", "accuracy", "$/task", "s/task", "local calls", "calls per alias (per task)");
        foreach (var row in r.PreferenceAdherence)
            prefs.AddRow(Markup.Escape(row.Policy[(r.LearnedPolicyName.Length + 2)..]), row.Accuracy.ToString("P1", c), "$" + row.DollarsPerTask.ToString("0.0000", c),
                row.SecondsPerTask.ToString("0.0", c), row.LocalCallShare.ToString("P0", c),
                Markup.Escape(string.Join(" ", row.CallsPerAlias.Select(kv => $"{kv.Key}:{kv.Value.ToString("0.00", c)}"))));
        AnsiConsole.Write(prefs);
        AnsiConsole.WriteLine(string.Create(c, $"Preferences as a dial: the trained policy with accuracy {PreferenceSweep.AccuracyWeight}, latency {PreferenceSweep.LatencyWeight} and the cost weight swept (held-out tasks, simulated experts)"));
        var sweep = new Table().AddColumns("cost weight", "accuracy", "$/task", "s/task");
        foreach (var p in r.PreferenceSweep)
            sweep.AddRow(p.CostWeight.ToString(c), p.Accuracy.ToString("P1", c), "$" + p.DollarsPerTask.ToString("0.0000", c), p.SecondsPerTask.ToString("0.0", c));
        AnsiConsole.Write(sweep);
        AnsiConsole.WriteLine("Generalisation: the trained weights, not retrained, on catalogs they never saw (simulated experts)");
        var gen = new Table().AddColumns("catalog", "change", "accuracy", "kept", "$/task", "s/task", "local calls", "calls per alias (per task)");
        foreach (var g in r.Generalisation)
            gen.AddRow(Markup.Escape(g.Catalog), Markup.Escape(g.Change), g.Evaluation.Accuracy.ToString("P1", c), g.AccuracyRetained.ToString("P0", c),
                "$" + g.Evaluation.DollarsPerTask.ToString("0.0000", c), g.Evaluation.SecondsPerTask.ToString("0.0", c), g.Evaluation.LocalCallShare.ToString("P0", c),
                Markup.Escape(string.Join(" ", g.Evaluation.CallsPerAlias.Select(kv => $"{kv.Key}:{kv.Value.ToString("0.00", c)}"))));
        AnsiConsole.Write(gen);
        var k = r.Checks;
        AnsiConsole.WriteLine(string.Create(c,
            $"Checks: vs {k.StrongestAlonePolicy}: accuracy {k.AccuracyGapPoints:+0.0;-0.0} points, dollars ×{k.DollarsRatio:0.000}, seconds ×{k.SecondsRatio:0.000} ({(k.CostBoundMet ? "met" : "NOT met")}); " +
            $"hard-constraint violations {k.ConstraintViolations}; local share none {k.LocalShareNoPreference:P0} → prefer-local {k.LocalSharePreferLocal:P0} ({(k.PreferLocalDoublesLocalShare ? "doubled" : "NOT doubled")}; of answer calls {k.LocalAnswerShareNoPreference:P0} → {k.LocalAnswerSharePreferLocal:P0}); " +
            $"accuracy kept on unseen catalogs {k.GeneralisationAccuracyRetained:P0} ({(k.GeneralisationMet ? "met" : "NOT met")})."));
        foreach (var line in DemoReport.SweepLines(k.Sweep)) AnsiConsole.WriteLine("Checks: " + line + ".");
        AnsiConsole.WriteLine("Seconds are the paper's latency (tool calls only) on the simulated clock; code runs for real and is billed 1 simulated second per run.");
        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine(ExpertCalibration.Describe());
        foreach (var (name, path) in r.Files) AnsiConsole.WriteLine($"  {name,-13} {path}");
        AnsiConsole.WriteLine(string.Create(c, $"Wall time {r.WallSeconds:0.0} s; sandbox executions {r.CodeExecutions}, code cache hits {r.CodeCacheHits}."));
    }
}
