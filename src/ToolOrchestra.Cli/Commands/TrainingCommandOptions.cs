using System.CommandLine;
using ToolOrchestra.Training.Demo;
using ToolOrchestra.Training.OfflineWorld;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// The options <c>orchestra demo</c> and <c>orchestra train</c> share (seed, GRPO sizes, parallelism, sandbox), with
/// <see cref="DemoOptions"/>' defaults, read into <see cref="DemoOptions"/> the same way by both.
/// </summary>
internal sealed class TrainingCommandOptions(string seedDescription)
{
    private static readonly DemoOptions Defaults = new();

    public Option<int> Seed { get; } = new("--seed") { Description = seedDescription, DefaultValueFactory = _ => Defaults.Seed };
    public Option<int> Steps { get; } = new("--steps") { Description = "GRPO steps", DefaultValueFactory = _ => Defaults.Steps };
    public Option<int> Group { get; } = new("--group") { Description = "Rollouts per task (GRPO group size)", DefaultValueFactory = _ => Defaults.Group };
    public Option<int> TasksPerStep { get; } = new("--tasks-per-step") { Description = "Training tasks per step", DefaultValueFactory = _ => Defaults.TasksPerStep };
    public Option<int> Parallel { get; } = new("--parallel") { Description = "Episodes run at once (results do not depend on it)", DefaultValueFactory = _ => Defaults.Parallelism };
    public Option<bool> UnsafeNoSandbox { get; } = new("--unsafe-no-sandbox") { Description = "DANGER: run expert-written code without bubblewrap isolation" };

    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[Seed, Steps, Group, TasksPerStep, Parallel, UnsafeNoSandbox]) command.Options.Add(option);
    }

    public DemoOptions Read(ParseResult parse, string outDirectory, WorldOptions world) => new()
    {
        Seed = parse.GetValue(Seed),
        Steps = parse.GetValue(Steps),
        Group = parse.GetValue(Group),
        TasksPerStep = parse.GetValue(TasksPerStep),
        OutDirectory = outDirectory,
        Parallelism = parse.GetValue(Parallel),
        World = world,
        Sandbox = Defaults.Sandbox with { UnsafeNoSandbox = parse.GetValue(UnsafeNoSandbox) },
    };
}
