using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Training.Reward;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra reward</c>: recomputes the reward of saved, judged trajectories exactly as training computed it.</summary>
internal static class RewardCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("trajectories") { Description = "Trajectory files or patterns (runs/*.jsonl): runs/<id>.jsonl run logs, or JSONL with one trajectory per line (e.g. runs/demo/trajectories/train-last-step.jsonl)", Arity = ArgumentArity.OneOrMore };
        var usersOnly = new Option<bool>("--reference-alias-range") { Description = "Normalise alias counts over callers only, as the released code does (default: over the whole group, as the paper intends)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per trajectory (JSON Lines)" };
        var command = new Command("reward", "Re-score saved trajectories: each group's reward from its stored preferences, outcome, calls, dollars and seconds") { files, usersOnly, json };
        command.SetAction((parse, ct) => CliRunner.Guard(_ =>
        {
            var saved = FileArguments.Expand(parse.GetValue(files)!, "trajectories").SelectMany(f => RunStore.LoadAll(f).Select(t => (f, t))).ToList();
            var options = new RewardOptions(parse.GetValue(usersOnly) ? AliasCountRange.UsersOnly : AliasCountRange.Group);
            var rescored = TrajectoryRescoring.Rescore(saved, options);
            if (parse.GetValue(json))
            {
                foreach (var r in rescored) Console.WriteLine(JsonSerializer.Serialize(r, OrchestraJson.Compact));
                return Task.FromResult(0);
            }
            var table = new Table().AddColumns("group", "trajectory", "correct", "dollars", "seconds", "reward");
            foreach (var r in rescored)
                table.AddRow(r.Group, r.Id, r.Correct ? "yes" : "no", r.CostUsd.ToString("0.######", CultureInfo.InvariantCulture),
                    r.LatencySeconds.ToString("0.##", CultureInfo.InvariantCulture), r.Reward.ToString("0.######", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            Console.WriteLine($"{rescored.Count} trajectories in {rescored.Select(r => r.Group).Distinct().Count()} groups");
            return Task.FromResult(0);
        }, ct));
        return command;
    }
}
