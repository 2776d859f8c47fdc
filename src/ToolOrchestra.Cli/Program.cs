using System.CommandLine;
using Spectre.Console;
using ToolOrchestra.Cli;

if (Console.IsOutputRedirected)
{
    // Piped output is read by programs and logs: no escape codes, and tables wide enough not to wrap.
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(Console.Out),
    });
    AnsiConsole.Profile.Width = 200;
}

var root = new RootCommand("orchestra: build, run and evaluate tool orchestrators");
foreach (var command in CommandRegistry.All())
    root.Subcommands.Add(command);
var parse = root.Parse(args);
// A usage error is an input error like any other: one line, exit code 2 (System.CommandLine alone prints help and exits 1).
if (ParseErrors.Any(parse)) return ParseErrors.Report(parse);
return await parse.InvokeAsync();
