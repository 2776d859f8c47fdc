using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Training.Demo;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra train --world offline</c>: only the training half of <c>orchestra demo</c> (the same trainer): GRPO steps
/// of the small learned orchestrator in the offline world with simulated experts, a live progress display, and the
/// weights and curve CSV under <c>--out</c>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var worldKind = new Option<string>("--world") { Description = "Where to train: offline (the generated world with simulated experts)", Required = true };
        var training = new TrainingCommandOptions("Seed of the world and the training");
        var size = new Option<string>("--world-size") { Description = "World size: default or small", DefaultValueFactory = _ => "default" };
        var outDir = new Option<string>("--out") { Description = "Folder for policy.json, training.csv, the world and the code cache", DefaultValueFactory = _ => Path.Combine("runs", "train") };

        var json = new Option<bool>("--json") { Description = "Print the last step and the files as one JSON object" };
        var command = new Command("train", "Train the small learned orchestrator with GRPO (offline world, simulated experts); writes weights and the curve CSV")
        {
            worldKind, size, outDir, json,
        };
        training.AddTo(command);
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var kind = parse.GetValue(worldKind)!;
            if (kind != "offline")
                throw new UserError($"--world must be 'offline' (the only training world so far), got '{kind}'; for real endpoints write samples with './orchestra rollout'.");
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
}
