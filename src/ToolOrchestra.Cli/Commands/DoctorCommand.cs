using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra doctor</c>: which of the code sandbox's layers are active on this machine, and what each bounds.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var memory = new Option<int?>("--memory-mb") { Description = "Memory limit per run to describe (default: the sandbox's)" };
        var json = new Option<bool>("--json") { Description = "Print the layers as one JSON array" };
        var command = new Command("doctor", "Which code-sandbox layers are active here: namespaces, seccomp, cgroup, rlimits") { memory, json };
        command.SetAction((parse, ct) => CliRunner.Guard(_ =>
        {
            var options = parse.GetValue(memory) is { } mb ? new SandboxOptions { MemoryMb = OptionChecks.AtLeast(mb, 16, "--memory-mb") } : null;
            var layers = SandboxLayers.Describe(options);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(layers, OrchestraJson.Compact));
                return Task.FromResult(0);
            }
            var table = new Table().AddColumns("layer", "active", "detail");
            foreach (var l in layers) table.AddRow(Markup.Escape(l.Name), l.Active ? "[green]yes[/]" : "[yellow]no[/]", Markup.Escape(l.Detail));
            AnsiConsole.Write(table);
            return Task.FromResult(0);
        }, ct));
        return command;
    }
}
