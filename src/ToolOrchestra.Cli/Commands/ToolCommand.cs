using System.CommandLine;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra tool code</c>: runs one Python script in the code sandbox and prints the result as JSON.</summary>
internal static class ToolCommand
{
    public static Command Create()
    {
        var tool = new Command("tool", "Call one tool directly");
        tool.Subcommands.Add(Code());
        return tool;
    }

    private static Command Code()
    {
        var file = new Option<FileInfo?>("--file") { Description = "Python script to run (default: read the code from stdin)" };
        var timeout = new Option<double>("--code-timeout") { Description = "Wall-clock limit in seconds", DefaultValueFactory = _ => 60 };
        var memory = new Option<int>("--memory-mb") { Description = "Address-space limit per process in MB", DefaultValueFactory = _ => 2048 };
        var maxOutput = new Option<int>("--max-output-bytes") { Description = "Bytes kept of stdout and of stderr; more stops the run", DefaultValueFactory = _ => 1 << 20 };
        var python = new Option<string?>("--python") { Description = "Python interpreter (default /usr/bin/python3)" };
        var catalog = new Option<FileInfo?>("--config") { Description = "Catalog whose tool_prices.code_per_second prices the run" };
        var unsafeMode = new Option<bool>("--unsafe-no-sandbox") { Description = "DANGER: run without bubblewrap isolation (trusted code only)" };

        var command = new Command("code", "Run Python under bubblewrap (no network, read-only system, private /tmp, rlimits) and print the result as JSON");
        foreach (var o in new Option[] { file, timeout, memory, maxOutput, python, catalog, unsafeMode, OptionChecks.AlwaysJson() }) command.Options.Add(o);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var code = await ReadCodeAsync(parse.GetValue(file), c);
            var prices = parse.GetValue(catalog) is { } cat ? CatalogLoader.Load(cat.FullName).ToolPrices : new ToolPrices();
            var options = new SandboxOptions
            {
                TimeoutSeconds = OptionChecks.Seconds(parse.GetValue(timeout), "--code-timeout"),
                MemoryMb = OptionChecks.AtLeast(parse.GetValue(memory), 16, "--memory-mb"),
                MaxOutputBytes = OptionChecks.AtLeast(parse.GetValue(maxOutput), 1, "--max-output-bytes"),
                PythonPath = parse.GetValue(python),
                UnsafeNoSandbox = parse.GetValue(unsafeMode),
            };
            if (options.UnsafeNoSandbox)
                Console.Error.WriteLine("WARNING: --unsafe-no-sandbox: the code runs on this machine WITHOUT isolation (network, files and processes are reachable).");
            var sandbox = new PythonSandbox(options, prices);
            var result = await sandbox.RunAsync(code, c);
            var report = new CodeRunReport(result.Stdout, result.Stderr, result.ExitCode, result.TimedOut, result.OutputTruncated,
                Math.Round(result.Seconds, 4), sandbox.CostOf(result));
            Console.Out.WriteLine(JsonSerializer.Serialize(report, OrchestraJson.Options));
            return 0;
        }, ct));
        return command;
    }

    private static async Task<string> ReadCodeAsync(FileInfo? file, CancellationToken ct)
    {
        if (file is not null)
            return file.Exists ? await File.ReadAllTextAsync(file.FullName, ct)
                : throw new UserError($"{file.FullName}: no such file; give the Python script with --file or pipe it on stdin.");
        if (!Console.IsInputRedirected)
            throw new UserError("no code given: pass --file F.py or pipe the code on stdin (./orchestra tool code < F.py).");
        return await Console.In.ReadToEndAsync(ct);
    }

    private sealed record CodeRunReport(
        string Stdout, string Stderr, int ExitCode, bool TimedOut, bool OutputTruncated, double Seconds, decimal CostUsd);
}
