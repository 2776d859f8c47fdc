using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Environments.Tau2.Results;
using ToolOrchestra.Evaluation.Tau2;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra tau2 evaluate|check-gold|rescore|report</c>: score trajectories offline with our tau2-bench
/// evaluator, check every task's gold trajectory, re-score upstream results files and tabulate results.
/// </summary>
internal static class Tau2Command
{
    public static Command Create()
    {
        // tables are wide: when printing to a file or pipe, do not wrap them at 80 columns
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
        var command = new Command("tau2", "tau2-bench: evaluate trajectories, check gold, re-score and report upstream results");
        command.Subcommands.Add(Evaluate());
        command.Subcommands.Add(CheckGold());
        command.Subcommands.Add(Rescore());
        command.Subcommands.Add(Report());
        return command;
    }

    private static Option<string> DataDir() => new("--data-dir")
    {
        Description = "upstream's data folder (holding tau2/domains/<domain>/), e.g. a tau2-bench checkout's data/",
        Required = true,
    };

    private static Option<string> Domain() => new("--domain") { Description = "airline, retail, telecom, mock, or a declarative domain of --data-dir (domains/<name>/domain.json)", Required = true };
    private static Option<string?> TasksFile() => new("--tasks") { Description = "a task file to use instead of the domain's tasks.json (e.g. a v0.1.0 one)" };
    private static Option<bool> Json() => new("--json") { Description = "print JSON instead of a table" };

    /// <summary>--config CATALOG --judge ID: the catalog model that grades NL assertions.</summary>
    internal static (Option<string?> Config, Option<string?> JudgeModel) JudgeOptions() =>
        (new Option<string?>("--config") { Description = "catalog JSON file (for --judge)" },
         new Option<string?>("--judge") { Description = "catalog model id that grades NL assertions; without it they are reported as not evaluated" });

    internal static INlAssertionJudge? Judge(string? config, string? judgeModel)
    {
        if (judgeModel is null) return null;
        if (config is null) throw new UserError("--judge needs --config CATALOG, the catalog that declares the model.");
        return Tau2Harness.Judge(config, judgeModel);
    }

    private static Command Evaluate()
    {
        var dataDir = DataDir();
        var domain = Domain();
        var tasks = TasksFile();
        var taskId = new Option<string>("--task") { Description = "the task id", Required = true };
        var trajectory = new Option<string>("--trajectory") { Description = "messages in upstream's simulation format (a list, or an object with \"messages\")", Required = true };
        var termination = new Option<string?>("--termination")
        {
            Description = "how the run ended (user_stop, agent_stop, max_steps, …); default: the file's termination_reason, else user_stop",
        };
        var json = Json();
        var (config, judgeModel) = JudgeOptions();
        var command = new Command("evaluate", "score one trajectory: reward and every component");
        foreach (var o in new Option[] { dataDir, domain, tasks, taskId, trajectory, termination, config, judgeModel, json }) command.Options.Add(o);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var d = Tau2Domain.Load(parse.GetValue(dataDir)!, parse.GetValue(domain)!);
            var task = Tau2TaskSet.Load(d, parse.GetValue(tasks)).Get(parse.GetValue(taskId)!);
            var file = parse.GetValue(trajectory)!;
            var root = JsonReader.ParseFile(file);
            var r = new JsonReader(file, "$", root, task.Id);
            var messages = Tau2Message.ReadList(root is JsonObject ? r.Required("messages") : r);
            var ended = parse.GetValue(termination)
                ?? (root is JsonObject o2 ? r.OptionalString("termination_reason") : null)
                ?? TerminationReasons.UserStop;
            var info = await new Tau2Evaluator(d, Judge(parse.GetValue(config), parse.GetValue(judgeModel))).EvaluateAsync(task, messages, ended, c);
            if (parse.GetValue(json))
            {
                var o = info.ToJson();
                o["task_id"] = task.Id;
                Console.WriteLine(o.ToJsonString(OrchestraJson.Options));
            }
            else PrintReward(task, info);
            return 0;
        }, ct));
        return command;
    }

    private static void PrintReward(Tau2Task task, RewardInfo info)
    {
        var reward = info.Reward is { } rv ? rv.ToString("0.###", CultureInfo.InvariantCulture) : "not evaluated";
        AnsiConsole.MarkupLineInterpolated($"task [bold]{task.Id}[/]  reward [bold]{reward}[/]  basis {string.Join("+", info.RewardBasis ?? [])}");
        if (info.Note is not null) AnsiConsole.MarkupLineInterpolated($"note: {info.Note}");
        var basis = info.RewardBasis ?? [];
        string In(RewardType t) => basis.Contains(t) ? "yes" : "no (diagnostic)";
        var table = new Table().AddColumns("component", "in basis", "check", "result");
        if (info.DbCheck is { } db)
            table.AddRow("DB", In(RewardType.DB), "agent and user databases equal the gold replay", db.DbMatch ? "match" : $"MISMATCH (agent {(db.AgentDbMatch ? "ok" : "differs")}, user {(db.UserDbMatch ? "ok" : "differs")})");
        foreach (var e in info.EnvAssertions ?? [])
            table.AddRow("ENV_ASSERTION", In(RewardType.ENV_ASSERTION), Markup.Escape($"{e.EnvAssertion.EnvType}.{e.EnvAssertion.FuncName}({e.EnvAssertion.Arguments.ToJsonString()}) == {e.EnvAssertion.AssertValue}"),
                e.Met ? "met" : Markup.Escape("NOT MET" + (e.Error is null ? "" : $": {e.Error}")));
        foreach (var a in info.ActionChecks ?? [])
            table.AddRow("ACTION", In(RewardType.ACTION), Markup.Escape($"{a.Action.Requestor}: {a.Action.Name}({a.Action.Arguments.ToJsonString()})"), a.ActionMatch ? "matched" : "NOT MATCHED");
        foreach (var c in info.CommunicateChecks ?? [])
            table.AddRow("COMMUNICATE", In(RewardType.COMMUNICATE), Markup.Escape(c.Info), c.Met ? "said" : "NOT SAID");
        foreach (var n in info.NlAssertions ?? [])
            table.AddRow("NL_ASSERTION", In(RewardType.NL_ASSERTION), Markup.Escape(n.NlAssertion), n.Met ? "met" : "NOT MET");
        foreach (var n in info.NotEvaluated)
            table.AddRow(n.Component.ToString(), In(n.Component), Markup.Escape(n.Reason), "not evaluated");
        if (table.Rows.Count > 0) AnsiConsole.Write(table);
        if (info.RewardBreakdown is { Count: > 0 } b)
            AnsiConsole.MarkupLineInterpolated($"breakdown: {string.Join(", ", b.Select(kv => $"{kv.Key}={kv.Value.ToString(CultureInfo.InvariantCulture)}"))}");
        if (info.ReplayMismatches.Count > 0)
            AnsiConsole.MarkupLineInterpolated($"[yellow]{info.ReplayMismatches.Count} replayed call(s) returned a different result than recorded[/]");
    }

    private static Command CheckGold()
    {
        var dataDir = DataDir();
        var domain = Domain();
        var tasks = TasksFile();
        var split = new Option<string?>("--split") { Description = "a split of the task file, or \"all\" (default: base when the task file has that split, else all)" };
        var exportDir = new Option<string?>("--export-dir") { Description = "write each gold trajectory as DIR/<task id>.json" };
        var json = Json();
        var command = new Command("check-gold", "build and score every task's gold trajectory (components that need no LLM)");
        foreach (var o in new Option[] { dataDir, domain, tasks, split, exportDir, json }) command.Options.Add(o);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var d = Tau2Domain.Load(parse.GetValue(dataDir)!, parse.GetValue(domain)!);
            var set = Tau2TaskSet.Load(d, parse.GetValue(tasks));
            var splitName = parse.GetValue(split) ?? (set.Splits.ContainsKey("base") ? "base" : "all");
            var selected = set.Select(splitName == "all" ? null : splitName);
            var export = parse.GetValue(exportDir);
            if (export is not null) Directory.CreateDirectory(export);
            var report = await GoldCheck.RunAsync(d, selected, export, c);
            if (parse.GetValue(json)) Console.WriteLine(report.ToJson().ToJsonString(OrchestraJson.Options));
            else
            {
                var table = new Table().AddColumns("task", "reward (no LLM)", "status", "detail");
                foreach (var t in report.Results)
                    table.AddRow(Markup.Escape(t.TaskId), t.RewardOfEvaluated.ToString("0.#", CultureInfo.InvariantCulture), t.Status, Markup.Escape(t.Detail));
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLineInterpolated($"{report.Domain}: {report.Results.Count} tasks, {report.Passed} passed, {report.Failed.Count} failed, {report.NotEvaluated.Count} not evaluated (need an LLM judge)");
            }
            return report.Failed.Count == 0 ? 0 : 1;
        }, ct));
        return command;
    }

    private static Command Rescore()
    {
        var dataDir = DataDir();
        var results = new Option<string[]>("--results")
        {
            Description = "upstream tau2 results files or patterns (sims/*.json), all re-scored in this one process",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var checkTools = new Option<bool>("--check-tool-results") { Description = "also replay every recorded tool call and compare each result" };
        var trustLabels = new Option<bool>("--trust-labels") { Description = "score against each simulation's task_id even when its recorded checks name another task" };
        var parallel = new Option<int>("--concurrency") { Description = "simulations scored at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = Json();
        var command = new Command("rescore", "re-score every simulation of upstream results files and compare with the recorded rewards (--json: one object for one file, an array for several)");
        foreach (var o in new Option[] { dataDir, results, checkTools, trustLabels, parallel, json }) command.Options.Add(o);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var concurrency = OptionChecks.AtLeast(parse.GetValue(parallel), 1, "--concurrency");
            var paths = FileArguments.Expand(parse.GetValue(results)!, "--results");
            var rescorer = new Tau2Rescorer(parse.GetValue(dataDir)!) { CheckToolResults = parse.GetValue(checkTools), TrustLabels = parse.GetValue(trustLabels) };
            var reports = new List<RescoreReport>(paths.Count);
            foreach (var path in paths)
            {
                var report = await rescorer.RescoreAsync(Tau2Results.Read(path), c, concurrency);
                reports.Add(report);
                if (!parse.GetValue(json)) PrintRescore(report, parse.GetValue(checkTools));
            }
            if (parse.GetValue(json))
                Console.WriteLine(reports.Count == 1
                    ? reports[0].ToJson().ToJsonString(OrchestraJson.Options)
                    : new JsonArray(reports.Select(r => (JsonNode?)r.ToJson()).ToArray()).ToJsonString(OrchestraJson.Options));
            else if (reports.Count > 1)
                AnsiConsole.MarkupLineInterpolated($"[bold]{reports.Count} files[/]: {reports.Sum(r => r.Agree)}/{reports.Sum(r => r.Simulations.Count)} simulations agree with the recorded reward");
            return 0;
        }, ct));
        return command;
    }

    private static void PrintRescore(RescoreReport report, bool checkedTools)
    {
        var n = report.Simulations.Count;
        AnsiConsole.MarkupLineInterpolated($"[bold]{Path.GetFileName(report.File)}[/] ({report.Domain}): {report.Agree}/{n} simulations agree with the recorded reward ({(n == 0 ? 0 : 100.0 * report.Agree / n):0.0}%)");
        if (report.Excluded > 0) AnsiConsole.MarkupLineInterpolated($"{report.Excluded} infrastructure-error simulation(s) excluded, as upstream does");
        if (report.Relabeled > 0) AnsiConsole.MarkupLineInterpolated($"{report.Relabeled} simulation(s) scored against the task their recorded checks name (task_id label disagrees)");
        var components = new Table().AddColumns("component", "recorded in", "agree");
        foreach (var (name, (compared, agree)) in report.ComponentAgreement)
            components.AddRow(name, compared.ToString(CultureInfo.InvariantCulture), agree.ToString(CultureInfo.InvariantCulture));
        var nl = report.Simulations.Count(s => s.NlFromRecording);
        if (nl > 0) components.AddRow("NL_ASSERTION", nl.ToString(CultureInfo.InvariantCulture), "recorded (no judge configured)");
        AnsiConsole.Write(components);
        if (checkedTools)
            AnsiConsole.MarkupLineInterpolated($"tool results: {report.ToolResultsChecked - report.ToolResultMismatches}/{report.ToolResultsChecked} recorded results reproduced");
        if (report.Disagreements.Any())
        {
            var table = new Table().AddColumns("simulation", "task", "recorded", "ours", "differing components");
            foreach (var d in report.Disagreements)
                table.AddRow(d.Simulation.Id, Markup.Escape(d.ScoredTaskId), d.Recorded.ToString(CultureInfo.InvariantCulture), d.Ours.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join("; ", d.Components.Where(x => !x.Agree).Select(x => $"{x.Component}: recorded {x.Recorded}, ours {x.Ours}"))));
            AnsiConsole.Write(table);
        }
    }

    private static Command Report()
    {
        var results = new Option<string[]>("--results")
        {
            Description = "upstream tau2 results files or patterns (sims/*.json), or our own run outputs in the same format",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var json = Json();
        var command = new Command("report", "pass^k per domain, average reward, termination reasons, tool calls and dollars");
        command.Options.Add(results);
        command.Options.Add(json);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(c =>
        {
            var files = FileArguments.Expand(parse.GetValue(results)!, "--results").Select(Tau2Results.Read).ToList();
            var rows = Tau2Report.Build(files);
            if (parse.GetValue(json))
            {
                Console.WriteLine(new JsonArray(rows.Select(r => (JsonNode?)r.ToJson()).ToArray()).ToJsonString(OrchestraJson.Options));
                return Task.FromResult(0);
            }
            var maxK = rows.Count == 0 ? 0 : rows.Max(r => r.PassHatK.Count);
            var table = new Table().AddColumns("results", "domain", "sims", "tasks", "avg reward");
            for (var k = 1; k <= maxK; k++) table.AddColumn($"pass^{k}");
            table.AddColumns("terminations", "tool calls/sim", "agent $", "user $");
            foreach (var r in rows)
            {
                var cells = new List<string>
                {
                    Markup.Escape(r.Label), r.Domain, r.Simulations.ToString(CultureInfo.InvariantCulture),
                    r.Tasks.ToString(CultureInfo.InvariantCulture), r.AverageReward.ToString("0.000", CultureInfo.InvariantCulture),
                };
                for (var k = 0; k < maxK; k++) cells.Add(k < r.PassHatK.Count ? r.PassHatK[k].ToString("0.000", CultureInfo.InvariantCulture) : "");
                cells.Add(Markup.Escape(string.Join(", ", r.TerminationReasons.Select(t => $"{t.Key} {t.Value}"))
                    + (r.InfrastructureErrors > 0 ? $", infrastructure_error {r.InfrastructureErrors} (excluded)" : "")));
                cells.Add(r.ToolCallsPerSimulation.ToString("0.0", CultureInfo.InvariantCulture));
                cells.Add(r.AgentDollars?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-");
                cells.Add(r.UserDollars?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-");
                table.AddRow(cells.ToArray());
            }
            AnsiConsole.Write(table);
            return Task.FromResult(0);
        }, ct));
        return command;
    }
}
