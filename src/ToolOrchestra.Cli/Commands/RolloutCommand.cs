using Microsoft.Extensions.DependencyInjection;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra rollout</c>: GRPO samples for LLM trainers — groups of episodes with the catalog's LLM orchestrator
/// (real endpoints or <c>orchestra sim serve</c>), the same reward, advantage and filters as the small policy's
/// training, one JSONL line per kept orchestrator turn.
/// </summary>
internal static class RolloutCommand
{
    public static Command Create()
    {
        var engineOptions = EngineOptions.Create(); // --config: its orchestrator model is the LLM being sampled
        var tasks = new Option<string>("--tasks") { Description = "JSONL tasks: {\"id\", \"problem\", \"answer\", \"accepted_answers\"?, \"pref_vec\"?} per line", Required = true };
        var group = new Option<int>("--group") { Description = "Rollouts per task (GRPO group size)", DefaultValueFactory = _ => 8 };
        var output = new Option<string>("--out") { Description = "JSONL file of kept samples to write", Required = true };
        var seed = new Option<int>("--seed") { Description = "Run seed: rollout g of task t sends seed f(seed, t, g) with every request", DefaultValueFactory = _ => 1 };
        var parallel = new Option<int>("--concurrency") { Description = "Episodes run at once", DefaultValueFactory = _ => 4 };
        var cache = new Option<string?>("--cache") { Description = "Response cache: a SQLite file or a postgres:// URL; repeated model calls are replayed from it (billed in the reward as when made, no real money) and new ones kept" };
        var json = new Option<bool>("--json") { Description = "Print the counts as one JSON object" };

        var command = new Command("rollout", "Write GRPO training samples for an LLM orchestrator: groups through the runtime, reward, advantage, filters, one JSON line per kept turn")
        {
            tasks, group, output, seed, parallel, cache, json,
        };
        engineOptions.AddTo(command, engineOptions.Policy); // the catalog's LLM orchestrator is what is sampled
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var catalog = CatalogLoader.Load(parse.GetValue(engineOptions.Config)!);
            var taskList = RolloutTask.LoadJsonl(parse.GetValue(tasks)!);
            foreach (var t in taskList) t.Preferences.ValidateAgainst(catalog, $"{parse.GetValue(tasks)} task '{t.Id}' pref_vec");
            var options = new LlmRolloutOptions(parse.GetValue(group), parse.GetValue(seed), parse.GetValue(engineOptions.MaxTurns) ?? catalog.Limits.MaxTurns,
                catalog.Limits.MaxErrors, parse.GetValue(parallel), OptionChecks.Protocol(parse.GetValue(engineOptions.Protocol)));
            options.Validate();
            await using var responses = parse.GetValue(cache) is { } store ? await ResponseCacheStore.OpenAsync(store, "--cache", c) : null;
            var path = Path.GetFullPath(parse.GetValue(output)!);
            using var log = RolloutSampleLog.Open(path);
            await using var engine = new ServiceCollection().AddToolOrchestra(catalog, o =>
            {
                engineOptions.Apply(parse, o);
                o.RunsDirectory = null; // the samples file is the record
                o.ResponseCache = responses;
            }).Services.BuildServiceProvider();
            if (catalog.Models.Values.Any(m => m.HasTag("simulated")))
                Console.Error.WriteLine("Models tagged 'simulated' answer from ./orchestra sim serve: simulated experts, not real models.");
            Console.Error.WriteLine($"Rolling out {taskList.Count} tasks × group {options.Group} with {catalog.Orchestrator.Model}...");

            if (log.Done.Count > 0)
                Console.Error.WriteLine($"Resuming {path}: {log.Done.Count} groups already written{(log.DroppedBytes > 0 ? $", {log.DroppedBytes} bytes of an unfinished group dropped" : "")}.");
            var report = await LlmRollouts.RunAsync(engine.GetRequiredService<IOrchestrator>(), taskList, options, log, c);
            var k = report.Counts;
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    report.Tasks, report.Rollouts, report.Accuracy, report.SkippedGroups, Turns = k.Turns, Kept = k.Kept, DroppedHomogeneousGroup = k.HomogeneousGroup,
                    DroppedNoValidAnswer = k.NoValidAnswer, DroppedNoParsableCall = k.NoParsableCall, SamplesPath = path, GroupsPath = log.ProgressPath,
                    Cache = responses?.Stats,
                }, OrchestraJson.Compact));
                return 0;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Rollouts} rollouts of {report.Tasks - report.SkippedGroups} tasks, accuracy {report.Accuracy:0.00}; {k.Turns} turns: kept {k.Kept}, dropped {k.HomogeneousGroup} (homogeneous group), {k.NoValidAnswer} (no valid answer), {k.NoParsableCall} (no parsable call)"));
            if (report.SkippedGroups > 0) Console.WriteLine($"  skipped {report.SkippedGroups} groups already in the samples file");
            Console.WriteLine($"  samples {path}");
            if (responses is not null) Console.WriteLine($"  cache {responses.Display}: {CacheSummary.Line(responses.Stats)}");
            return 0;
        }, ct));
        return command;
    }
}
