using System.CommandLine;
using ToolOrchestra.Cli;

var root = new RootCommand("orchestra: build, run and evaluate tool orchestrators");
foreach (var command in CommandRegistry.All())
    root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
