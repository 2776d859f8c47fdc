using System.CommandLine;

namespace ToolOrchestra.Cli;

/// <summary>Every top-level command of <c>orchestra</c>; each lives in its own file under Commands/.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All() =>
    [
        WithSubcommand(Commands.Tau2Command.Create(), Commands.Tau2RunCommand.Create()),
        Commands.RunCommand.Create(),
        Commands.ToolCommand.Create(),
        Commands.DoctorCommand.Create(),
        Commands.TokenizeCommand.Create(),
        Commands.RenderChatCommand.Create(),
        Commands.IndexCommand.Create(),
        Commands.ServeRetrieverCommand.Create(),
        Commands.McpCommand.Create(),
        Commands.BenchTokenizerCommand.Create(),
        Commands.DemoCommand.Create(),
        Commands.SimCommand.Create(),
        Commands.TrainCommand.Create(),
        Commands.RolloutCommand.Create(),
        Commands.RewardCommand.Create(),
        Commands.ServeCommand.Create(),
        Commands.EnvCommand.Create(),
        Commands.KeysCommand.Create(),
        WithSubcommand(Commands.EvalCommand.Create(), Commands.EvalReportCommand.Create(), Commands.EvalShowCommand.Create()),
        Commands.SynthCommand.Create(),
    ];

    private static Command WithSubcommand(Command parent, params Command[] children)
    {
        foreach (var child in children) parent.Subcommands.Add(child);
        return parent;
    }
}
