using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra doctor</c>: which of the code sandbox's layers are active on this machine, and what each bounds;
/// with <c>--config</c>, whether every catalog model can be called (key variable, endpoint, model listed).
/// </summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var memory = new Option<int?>("--memory-mb") { Description = "Memory limit per run to describe (default: the sandbox's)" };
        var config = new Option<string?>("--config") { Description = "Check a catalog instead: every model's key variable, endpoint and GET /models listing (exit 1 when the orchestrator or every answer alias cannot work)" };
        var timeout = new Option<double>("--timeout") { Description = "With --config: seconds to wait for each endpoint", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print the layers as one JSON array (with --config: the catalog check as one JSON object)" };
        var command = new Command("doctor", "Which code-sandbox layers are active here: namespaces, seccomp, cgroup, rlimits; with --config, whether a catalog's models can be called")
        {
            memory, config, timeout, json,
        };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            if (parse.GetValue(config) is { } path)
                return await CheckCatalogAsync(CatalogLoader.Load(OptionChecks.ExistingFile(path, "--config")),
                    OptionChecks.Seconds(parse.GetValue(timeout), "--timeout"), parse.GetValue(json), c);
            var options = parse.GetValue(memory) is { } mb ? new SandboxOptions { MemoryMb = OptionChecks.AtLeast(mb, 16, "--memory-mb") } : null;
            var layers = SandboxLayers.Describe(options);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(layers, OrchestraJson.Compact));
                return 0;
            }
            var table = new Table().AddColumns("layer", "active", "detail");
            foreach (var l in layers) table.AddRow(Markup.Escape(l.Name), l.Active ? "[green]yes[/]" : "[yellow]no[/]", Markup.Escape(l.Detail));
            AnsiConsole.Write(table);
            return 0;
        }, ct));
        return command;
    }

    /// <summary>One row per model; exit 1 when a run could not work (orchestrator or every answer alias unusable).</summary>
    private static async Task<int> CheckCatalogAsync(Catalog catalog, double timeoutSeconds, bool json, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        var report = await CatalogReadiness.ProbeAsync(catalog, http, ct);
        if (json) Console.WriteLine(JsonSerializer.Serialize(report, OrchestraJson.Compact));
        else
        {
            var table = new Table().AddColumns("model", "aliases", "key", "endpoint", "listed", "status");
            foreach (var m in report.Models)
                table.AddRow(
                    Markup.Escape(m.Model + (m.Orchestrator ? " (orchestrator)" : "")),
                    Markup.Escape(string.Join(", ", m.Aliases)),
                    Markup.Escape(m.KeyVariable is null ? "not needed" : $"{m.KeyVariable} {(m.KeyPresent ? "set" : "NOT SET")}"),
                    Markup.Escape(m.Reachable switch { true => $"{m.Endpoint} reachable", false => $"{m.Endpoint} UNREACHABLE", null => m.Endpoint }),
                    m.Listed switch { true => "yes", false => "[red]no[/]", null => "?" },
                    m.Usable ? "[green]ok[/]" + (m.Note is null ? "" : Markup.Escape($" ({m.Note})")) : "[red]FAIL[/] " + Markup.Escape(m.Problem!));
            AnsiConsole.Write(table);
            if (!report.OrchestratorUsable) Console.WriteLine($"The orchestrator model '{catalog.Orchestrator.Model}' cannot work: orchestra run, serve and eval run would fail.");
            else if (!report.AnswerUsable) Console.WriteLine("No answer alias can work: runs could never answer.");
            else Console.WriteLine(report.Models.All(m => m.Usable) ? "Every model can be called." : "Runs can work; calls to the models marked FAIL will fail.");
        }
        return report.Ready ? 0 : 1;
    }
}
