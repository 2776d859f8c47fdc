using System.CommandLine;
using ToolOrchestra.Training.Demo;
using ToolOrchestra.Environments.OfflineWorld;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// The options <c>orchestra demo</c> and <c>orchestra train</c> share (seed, GRPO sizes, concurrency, sandbox), with
/// <see cref="DemoOptions"/>' defaults, read into <see cref="DemoOptions"/> the same way by both.
/// </summary>
internal sealed class TrainingCommandOptions(string seedDescription)
{
    private static readonly DemoOptions Defaults = new();

    public Option<int> Seed { get; } = new("--seed") { Description = seedDescription, DefaultValueFactory = _ => Defaults.Seed };
    public Option<int> Steps { get; } = new("--steps") { Description = "GRPO steps", DefaultValueFactory = _ => Defaults.Steps };
    public Option<int> Group { get; } = new("--group") { Description = "Rollouts per task (GRPO group size)", DefaultValueFactory = _ => Defaults.Group };
    public Option<int> TasksPerStep { get; } = new("--tasks-per-step") { Description = "Training tasks per step", DefaultValueFactory = _ => Defaults.TasksPerStep };
    public Option<int> Concurrency { get; } = new("--concurrency") { Description = "Episodes run at once (results do not depend on it)", DefaultValueFactory = _ => Defaults.Parallelism };
    public Option<bool> UnsafeNoSandbox { get; } = new("--unsafe-no-sandbox") { Description = "DANGER: run expert-written code without bubblewrap isolation" };

    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[Seed, Steps, Group, TasksPerStep, Concurrency, UnsafeNoSandbox]) command.Options.Add(option);
    }

    public DemoOptions Read(ParseResult parse, string outDirectory, WorldOptions world) => new()
    {
        Seed = parse.GetValue(Seed),
        Steps = OptionChecks.AtLeast(parse.GetValue(Steps), 1, "--steps"),
        Group = OptionChecks.AtLeast(parse.GetValue(Group), 2, "--group"),
        TasksPerStep = OptionChecks.AtLeast(parse.GetValue(TasksPerStep), 1, "--tasks-per-step"),
        OutDirectory = OptionChecks.Folder(outDirectory, "--out"),
        Parallelism = OptionChecks.AtLeast(parse.GetValue(Concurrency), 1, "--concurrency"),
        World = world,
        Sandbox = Defaults.Sandbox with { UnsafeNoSandbox = parse.GetValue(UnsafeNoSandbox) },
    };
}
