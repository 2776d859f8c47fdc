using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Tau2;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra tau2 run</c>: simulations with the orchestrator (or a plain agent) and a simulated user.</summary>
internal static class Tau2RunCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Catalog JSON file", Required = true };
        var dataDir = new Option<string>("--data-dir") { Description = "tau2 data folder laid out like upstream's data/", Required = true };
        var domain = new Option<string>("--domain") { Description = "airline, retail, telecom or mock", Required = true };
        var split = new Option<string?>("--split") { Description = "Task split (e.g. base); default: every task" };
        var tasks = new Option<string[]>("--task-ids") { Description = "Task ids (space or comma separated); default: every task of the split", AllowMultipleArgumentsPerToken = true };
        var trials = new Option<int>("--trials") { Description = "Trials per task", DefaultValueFactory = _ => 1 };
        var maxSteps = new Option<int>("--max-turns") { Description = "Most messages in a simulation (upstream's max steps)", DefaultValueFactory = _ => 200 };
        var maxErrors = new Option<int>("--max-errors") { Description = "Most tool errors in a simulation", DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 300 };
        var agent = new Option<string>("--agent") { Description = "orchestrator (call_expert, reference §2.3) or plain (upstream's agent, no experts)", DefaultValueFactory = _ => "orchestrator" };
        var agentModel = new Option<string?>("--agent-model") { Description = "Catalog model id of the plain agent (default: the catalog's orchestrator)" };
        var userModel = new Option<string>("--user-model") { Description = "Catalog model id of the user simulator", Required = true };
        var preferences = new Option<string?>("--preferences") { Description = "Preferences file (hard constraints limit the experts offered)" };
        var results = new Option<string?>("--out") { Description = "Results file to write, upstream's format (default runs/tau2-<domain>-<time>.json); rerun with it to resume" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var judgeModel = new Option<string?>("--judge") { Description = "Catalog model id that grades NL assertions; without it they are reported as not evaluated" };
        var command = new Command("run", "Run tau2 simulations: orchestrator or plain agent against a simulated user; pass^k table")
        {
            config, dataDir, domain, split, tasks, trials, maxSteps, maxErrors, concurrency, seed, agent, agentModel, userModel, preferences, results, judgeModel, json,
        };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var harness = Tau2Harness.Prepare(new Tau2RunRequest(
                parse.GetValue(config)!, parse.GetValue(dataDir)!, parse.GetValue(domain)!, parse.GetValue(userModel)!,
                Split: parse.GetValue(split),
                TaskIds: parse.GetValue(tasks)?.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                Trials: OptionChecks.AtLeast(parse.GetValue(trials), 1, "--trials"),
                MaxSteps: OptionChecks.AtLeast(parse.GetValue(maxSteps), 1, "--max-turns"),
                MaxErrors: OptionChecks.AtLeast(parse.GetValue(maxErrors), 1, "--max-errors"),
                Seed: parse.GetValue(seed),
                Concurrency: OptionChecks.AtLeast(parse.GetValue(concurrency), 1, "--concurrency"),
                Agent: parse.GetValue(agent)!,
                AgentModel: parse.GetValue(agentModel),
                PreferencesPath: parse.GetValue(preferences),
                JudgeModel: parse.GetValue(judgeModel),
                ResultsPath: parse.GetValue(results)));
            var quiet = parse.GetValue(json);
            // A simulated user (orchestra sim serve) cannot hold a tau2 conversation: say so wherever its output or spend shows.
            var simulatedUser = harness.SimulatedUser ? " (simulated)" : "";
            var userModelId = harness.Settings.UserModel;
            using var journal = harness.OpenJournal();
            if (!quiet && journal.Resumed > 0) Console.Error.WriteLine($"Resuming {Path.GetFullPath(harness.ResultsPath)}: {journal.Resumed} simulations already finished.");
            if (!quiet) Console.Error.WriteLine($"{harness.Tasks.Count} tasks × {harness.Settings.Trials} trials, {harness.AgentDescription}, user {userModelId}{simulatedUser}");
            if (!quiet && harness.SimulatedUser)
                Console.Error.WriteLine($"The user simulator {userModelId} is tagged 'simulated' (./orchestra sim serve): its replies are not a real user's, and neither are the rewards.");
            var row = await harness.RunAsync(journal, r =>
            {
                if (!quiet)
                    Console.Error.WriteLine($"  task {r.Task.Id} trial {r.Trial}: {r.TerminationReason}, reward {r.Reward?.Reward?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-"}, "
                        + $"agent ${r.AgentLedger.CostUsd.ToString("0.######", CultureInfo.InvariantCulture)}, user{simulatedUser} ${r.UserLedger.CostUsd.ToString("0.######", CultureInfo.InvariantCulture)}{(r.Error is null ? "" : $" ({r.Error})")}");
            }, c);

            if (quiet)
            {
                var o = row.ToJson();
                o["results_path"] = Path.GetFullPath(harness.ResultsPath);
                o["user_simulated"] = harness.SimulatedUser;
                Console.WriteLine(o.ToJsonString(OrchestraJson.Compact));
                return 0;
            }
            var table = new Table().AddColumns("domain", "sims", "avg reward");
            for (var k = 1; k <= row.PassHatK.Count; k++) table.AddColumn($"pass^{k}");
            table.AddColumns("agent $", $"user{simulatedUser} $", "expert calls", "infrastructure errors");
            var experts = harness.ExpertCalls().Select(kv => $"{kv.Key} {kv.Value}");
            table.AddRow([harness.Domain, row.Simulations.ToString(CultureInfo.InvariantCulture), row.AverageReward.ToString("0.000", CultureInfo.InvariantCulture),
                .. row.PassHatK.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)),
                row.AgentDollars?.ToString("0.######", CultureInfo.InvariantCulture) ?? "-", row.UserDollars?.ToString("0.######", CultureInfo.InvariantCulture) ?? "-",
                string.Join(", ", experts), row.InfrastructureErrors.ToString(CultureInfo.InvariantCulture)]);
            AnsiConsole.Write(table);
            Console.WriteLine($"Results: {Path.GetFullPath(harness.ResultsPath)}");
            return 0;
        }, ct));
        return command;
    }
}
