using System.CommandLine;

namespace ToolOrchestra.Cli;

/// <summary>Every top-level command of <c>orchestra</c>; each lives in its own file under Commands/.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All() =>
    [
        Commands.RunCommand.Create(),
        Commands.ToolCommand.Create(),
        Commands.TokenizeCommand.Create(),
        Commands.RenderChatCommand.Create(),
        Commands.BenchTokenizerCommand.Create(),
    ];
}
