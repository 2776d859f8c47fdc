using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Environments.Tau2.Results;
using ToolOrchestra.Environments.Tau2.Simulation;
using ToolOrchestra.Evaluation.Tau2;
using ToolOrchestra.Models;

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
        var tasks = new Option<string[]>("--tasks") { Description = "Task ids (space or comma separated)", AllowMultipleArgumentsPerToken = true };
        var trials = new Option<int>("--trials") { Description = "Trials per task", DefaultValueFactory = _ => 1 };
        var maxSteps = new Option<int>("--max-steps") { DefaultValueFactory = _ => 200 };
        var maxErrors = new Option<int>("--max-errors") { DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 300 };
        var agent = new Option<string>("--agent") { Description = "orchestrator (call_expert, reference §2.3) or plain (upstream's agent, no experts)", DefaultValueFactory = _ => "orchestrator" };
        var agentModel = new Option<string?>("--agent-model") { Description = "Catalog model id of the plain agent (default: the catalog's orchestrator)" };
        var userModel = new Option<string>("--user-model") { Description = "Catalog model id of the user simulator", Required = true };
        var preferences = new Option<string?>("--preferences") { Description = "Preferences file (hard constraints limit the experts offered)" };
        var results = new Option<string?>("--results") { Description = "Results file to write (default runs/tau2-<domain>-<time>.json)" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var judgeModel = new Option<string?>("--judge-model") { Description = "Catalog model id that grades NL assertions; without it they are reported as not evaluated" };
        var command = new Command("run", "Run tau2 simulations: orchestrator or plain agent against a simulated user; pass^k table")
        {
            config, dataDir, domain, split, tasks, trials, maxSteps, maxErrors, concurrency, seed, agent, agentModel, userModel, preferences, results, judgeModel, json,
        };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var catalog = CatalogLoader.Load(parse.GetValue(config)!);
            var d = Tau2Domain.Load(parse.GetValue(dataDir)!, parse.GetValue(domain)!);
            var ids = parse.GetValue(tasks)?.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var selected = Tau2TaskSet.Load(d).Select(parse.GetValue(split), ids is { Count: > 0 } ? ids : null);
            var models = new ModelClientFactory(catalog, EstimatingTokenCounter.Instance);
            var prefs = parse.GetValue(preferences) is { } p ? Preferences.Load(p).ValidateAgainst(catalog, p) : Preferences.None;
            var env = d.CreateEnvironment();
            var domainTools = env.AgentToolSchemas().Select(Tau2ChatView.Declaration).ToList();
            var decoding = new Tau2Decoding();

            var mode = parse.GetValue(agent);
            ITau2Agent tau2Agent;
            string agentModelId;
            if (mode == "plain")
            {
                agentModelId = parse.GetValue(agentModel) ?? catalog.Orchestrator.Model;
                if (!catalog.Models.ContainsKey(agentModelId)) throw new UserError($"{catalog.SourcePath}: --agent-model '{agentModelId}' is not a model of the catalog.");
                tau2Agent = new PlainTau2Agent(models.For(agentModelId), agentModelId, d.Policy, domainTools, decoding);
            }
            else if (mode == "orchestrator")
            {
                agentModelId = catalog.Orchestrator.Model;
                if (!catalog.Aliases.Keys.Any(a => a.StartsWith("expert-", StringComparison.Ordinal)))
                    throw new UserError($"{catalog.SourcePath}: $.aliases: no 'expert-*' alias, so the orchestrator's call_expert has no expert to call; add one (e.g. \"expert-1\": \"<model id>\", as in examples/catalog.local.json) or use --agent plain.");
                tau2Agent = new OrchestratorTau2Agent(models, d.Policy, domainTools, prefs, decoding);
            }
            else throw new UserError($"--agent must be 'orchestrator' or 'plain', not '{mode}'.");

            var userModelId = parse.GetValue(userModel)!;
            if (!catalog.Models.TryGetValue(userModelId, out var userEntry))
                throw new UserError($"{catalog.SourcePath}: --user-model '{userModelId}' is not a model of the catalog; give one of {string.Join(", ", catalog.Models.Keys.Order(StringComparer.Ordinal))}, or add a model that can play the user (an instruction-following LLM endpoint, as upstream's gpt-4.1).");
            // A simulated user (orchestra sim serve) cannot hold a tau2 conversation: say so wherever its output or spend shows.
            var simulatedUser = userEntry.HasTag("simulated") ? " (simulated)" : "";
            var userClient = models.For(userModelId);
            Tau2UserSimulator UserFor(Tau2Task task)
            {
                var userTools = env.UserToolSchemas(task.UserTools).Select(Tau2ChatView.Declaration).ToList();
                return new Tau2UserSimulator(userClient, userModelId, Tau2Prompts.UserSystemPrompt(d, task), userTools, decoding);
            }

            var settings = new Tau2RunSettings(d.Name, mode == "plain" ? "llm_agent" : "orchestrator", agentModelId, userModelId,
                OptionChecks.AtLeast(parse.GetValue(trials), 1, "--trials"), OptionChecks.AtLeast(parse.GetValue(maxSteps), 1, "--max-steps"),
                OptionChecks.AtLeast(parse.GetValue(maxErrors), 1, "--max-errors"), parse.GetValue(seed), OptionChecks.AtLeast(parse.GetValue(concurrency), 1, "--concurrency"));
            var simulator = new Tau2Simulator(d, tau2Agent, UserFor, new Tau2Evaluator(d, Tau2Command.Judge(parse.GetValue(config), parse.GetValue(judgeModel))), settings.MaxSteps, settings.MaxErrors);
            var path = parse.GetValue(results) ?? Path.Combine("runs", $"tau2-{d.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            var quiet = parse.GetValue(json);
            var set = new Tau2RunSet(simulator, settings, d.Policy);
            using var journal = set.OpenJournal(path);
            if (!quiet && journal.Resumed > 0) Console.Error.WriteLine($"Resuming {Path.GetFullPath(path)}: {journal.Resumed} simulations already finished.");
            if (!quiet) Console.Error.WriteLine($"{selected.Count} tasks × {settings.Trials} trials, {tau2Agent.Description}, user {userModelId}{simulatedUser}");
            if (!quiet && simulatedUser.Length > 0)
                Console.Error.WriteLine($"The user simulator {userModelId} is tagged 'simulated' (./orchestra sim serve): its replies are not a real user's, and neither are the rewards.");
            await set.RunAsync(selected, journal, r =>
            {
                if (!quiet)
                    Console.Error.WriteLine($"  task {r.Task.Id} trial {r.Trial}: {r.TerminationReason}, reward {r.Reward?.Reward?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-"}, "
                        + $"agent ${r.AgentLedger.CostUsd.ToString("0.######", CultureInfo.InvariantCulture)}, user{simulatedUser} ${r.UserLedger.CostUsd.ToString("0.######", CultureInfo.InvariantCulture)}{(r.Error is null ? "" : $" ({r.Error})")}");
            }, c);

            var row = Tau2Report.Build([Tau2Results.Read(path)])[0];
            if (quiet)
            {
                var o = row.ToJson();
                o["results_path"] = Path.GetFullPath(path);
                o["user_simulated"] = simulatedUser.Length > 0;
                Console.WriteLine(o.ToJsonString(OrchestraJson.Compact));
                return 0;
            }
            var table = new Table().AddColumns("domain", "sims", "avg reward");
            for (var k = 1; k <= row.PassHatK.Count; k++) table.AddColumn($"pass^{k}");
            table.AddColumns("agent $", $"user{simulatedUser} $", "expert calls", "infrastructure errors");
            var experts = ExpertCalls(path).Select(kv => $"{kv.Key} {kv.Value}");
            table.AddRow([d.Name, row.Simulations.ToString(CultureInfo.InvariantCulture), row.AverageReward.ToString("0.000", CultureInfo.InvariantCulture),
                .. row.PassHatK.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)),
                row.AgentDollars?.ToString("0.######", CultureInfo.InvariantCulture) ?? "-", row.UserDollars?.ToString("0.######", CultureInfo.InvariantCulture) ?? "-",
                string.Join(", ", experts), row.InfrastructureErrors.ToString(CultureInfo.InvariantCulture)]);
            AnsiConsole.Write(table);
            Console.WriteLine($"Results: {Path.GetFullPath(path)}");
            return 0;
        }, ct));
        return command;
    }

    /// <summary>Expert calls per alias over every simulation of the results file, resumed ones included.</summary>
    private static SortedDictionary<string, int> ExpertCalls(string resultsPath)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var root = JsonNode.Parse(File.ReadAllText(resultsPath));
        foreach (var sim in root?["simulations"]?.AsArray() ?? [])
            foreach (var (alias, n) in sim?["ledger"]?["expert_calls"]?.AsObject() ?? [])
                counts[alias] = counts.GetValueOrDefault(alias) + (n?.GetValue<int>() ?? 0);
        return counts;
    }
}
