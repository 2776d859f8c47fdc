using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra run</c>: one QA episode against the catalog's endpoints, with ledger and trajectory.</summary>
internal static class RunCommand
{
    /// <summary>Every documented key of <c>--json</c> is written, null when absent (a run that did not answer has <c>"answer": null</c>).</summary>
    private static readonly JsonSerializerOptions EveryKey = new(OrchestraJson.Compact) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };

    public static Command Create()
    {
        var engineOptions = EngineOptions.Create();
        var preferences = new Option<string?>("--preferences") { Description = "Preferences JSON file (weights, only_tags, exclude_aliases)" };
        var maxErrors = new Option<int?>("--max-errors") { Description = "Stop after this many turns without a valid call (default 10)" };
        var budgetSeconds = new Option<double?>("--budget-seconds") { Description = "Stop once this many wall-clock seconds have passed" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table" };
        var runsDir = new Option<string>("--runs-dir") { Description = "Folder for trajectory files", DefaultValueFactory = _ => "runs" };
        var eid = new Option<string?>("--eid") { Description = "Question id for the per-question allowed documents and the /retrieve eid" };
        var question = new Argument<string>("question") { Description = "The problem to solve" };

        var command = new Command("run", "Run the orchestrator on one question (QA protocol: search, enhance_reasoning, answer)")
        {
            preferences, maxErrors, budgetSeconds, json, runsDir, eid, question,
        };
        engineOptions.AddTo(command);
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var weights = parse.GetValue(engineOptions.Policy);
            var runs = OptionChecks.Folder(parse.GetValue(runsDir)!, "--runs-dir");
            await using var engine = new ServiceCollection()
                .AddToolOrchestra(parse.GetValue(engineOptions.Config)!, o =>
                {
                    engineOptions.Apply(parse, o);
                    o.RunsDirectory = runs;
                    if (weights is not null) o.Policy = _ => new LearnedQaPolicy(PolicyWeightsFile.Load(weights)); // greedy: the most probable allowed call each turn
                })
                .Services.AddOrchestraTelemetry()
                .BuildServiceProvider();
            var catalog = engine.GetRequiredService<Catalog>();
            // Before the first paid call: a missing key is one line now, not max_turns paid turns ending in "(none)".
            foreach (var warning in CatalogReadiness.Require(catalog, weights is null ? catalog.Orchestrator.Model : null)) Console.Error.WriteLine(warning);
            if (weights is not null && PolicyWeightsFile.CatalogNote(weights, catalog) is { } note) Console.Error.WriteLine(note);
            var orchestrator = engine.GetRequiredService<IOrchestrator>();
            var request = new OrchestrationRequest(parse.GetValue(question)!)
            {
                Preferences = parse.GetValue(preferences) is { } p ? Preferences.Load(p) : Preferences.None,
                MaxErrors = parse.GetValue(maxErrors),
                BudgetSeconds = parse.GetValue(budgetSeconds),
                Eid = parse.GetValue(eid),
            };
            var result = await orchestrator.RunAsync(request, c);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(RunSummary.From(result), EveryKey));
            else
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]Orchestrator:[/] {engine.GetRequiredService<IQaPolicy>().Name}");
                if (catalog.Models.Values.Any(m => m.HasTag("simulated")))
                    AnsiConsole.MarkupLine("[yellow]Models tagged 'simulated' answer from orchestra sim serve: simulated experts, not real models.[/]");
                RunSummary.Print(result);
            }
            if (result.StopReason == StopReason.EndpointError)
            {
                Console.Error.WriteLine($"error: {result.StopDetail}");
                return CliRunner.BadInput;
            }
            return 0;
        }, ct));
        return command;
    }
}

/// <summary>The <c>--json</c> output of <c>orchestra run</c>: stable field names, one object.</summary>
internal sealed record RunSummary(
    string? Answer,
    StopReason? StopReason,
    string? StopDetail,
    int Turns,
    decimal CostUsd,
    double LatencyS,
    double WallS,
    long InputTokens,
    long OutputTokens,
    bool TokensEstimated,
    IReadOnlyList<CallSummary> Calls,
    string TrajectoryPath)
{
    public static RunSummary From(OrchestrationResult r) => new(
        r.Answer, r.StopReason, r.StopDetail, r.Trajectory.Turns.Count, r.CostUsd, r.LatencySeconds, r.WallSeconds,
        r.InputTokens, r.OutputTokens, r.Calls.Any(e => e.TokensEstimated),
        r.Calls.Select(CallSummary.From).ToList(), r.TrajectoryPath ?? "");

    public static void Print(OrchestrationResult r)
    {
        var s = From(r);
        var path = s.TrajectoryPath;
        AnsiConsole.MarkupLineInterpolated($"[bold]Answer:[/] {s.Answer ?? "(none)"}");
        AnsiConsole.MarkupLineInterpolated($"[bold]Stop reason:[/] {Snake(s.StopReason)}{(s.StopDetail is null ? "" : $" ({s.StopDetail})")}");
        // Why experts failed is otherwise only in the trajectory, behind an "Answer: (none)".
        if (r.Trajectory.Turns.FirstOrDefault(t => t.Call?.Alias is not null && t.Error is not null) is { } failed)
            AnsiConsole.MarkupLineInterpolated($"[bold]First expert error:[/] turn {failed.Turn}: {failed.Error!.ReplaceLineEndings(" ")}");
        var table = new Table().AddColumns("turn", "tool", "alias", "model", "tokens in", "tokens out", "dollars", "seconds");
        foreach (var c in s.Calls)
            table.AddRow(c.Turn.ToString(CultureInfo.InvariantCulture), c.Tool, c.Alias ?? "", c.Model ?? "",
                c.InputTokens + (c.TokensEstimated ? "~" : ""), c.OutputTokens + (c.TokensEstimated ? "~" : ""),
                Money(c.CostUsd), c.LatencyS.ToString("0.000", CultureInfo.InvariantCulture));
        table.AddRow("[bold]total[/]", "", "", "", s.InputTokens.ToString(CultureInfo.InvariantCulture), s.OutputTokens.ToString(CultureInfo.InvariantCulture),
            $"[bold]{Money(s.CostUsd)}[/]", s.LatencyS.ToString("0.000", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Latency: {s.LatencyS.ToString("0.000", CultureInfo.InvariantCulture)} s in tool calls (the paper's definition), {s.WallS.ToString("0.000", CultureInfo.InvariantCulture)} s end to end");
        if (s.TokensEstimated) AnsiConsole.MarkupLine("[grey]~ estimated: the endpoint reported no usage[/]");
        AnsiConsole.MarkupLineInterpolated($"Turns: {s.Turns}   Trajectory: {path}");
    }

    internal static string Money(decimal d) => "$" + d.ToString("0.000000##", CultureInfo.InvariantCulture);
    private static string Snake(StopReason? r) => r is null ? "(running)" : JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Value.ToString());
}

internal sealed record CallSummary(int Turn, string Tool, string? Alias, string? Model, long InputTokens, long OutputTokens, decimal CostUsd, double LatencyS, bool TokensEstimated)
{
    public static CallSummary From(LedgerEntry e) => new(e.Turn, e.Tool, e.Alias, e.Model, e.InputTokens, e.OutputTokens, e.CostUsd, e.LatencySeconds, e.TokensEstimated);
}
