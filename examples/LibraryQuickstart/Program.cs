// Usage: dotnet run --project examples/LibraryQuickstart -- CATALOG PREFERENCES INDEX "QUESTION"
// e.g. against `./orchestra sim serve` (simulated experts): examples/catalog.sim.json examples/preferences.local-cheap.json runs/sim/world/index.db "…"
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;

var sp = new ServiceCollection()
    .AddToolOrchestra(args[0], o => { o.Index = args[2]; o.RunsDirectory = "runs"; o.TopK = 5; })
    .Services.BuildServiceProvider();
var orchestrator = sp.GetRequiredService<IOrchestrator>();
var result = await orchestrator.RunAsync(new OrchestrationRequest(args[3]) { Preferences = Preferences.Load(args[1]) });

Console.WriteLine($"Answer: {result.Answer} ({result.StopReason}, {result.Trajectory.Turns.Count} turns)");
Console.WriteLine($"Cost: ${result.CostUsd:0.######}, latency {result.LatencySeconds:0.##} s in tool calls");
foreach (var call in result.Calls)
    Console.WriteLine($"  turn {call.Turn} {call.Tool,-18} {call.Alias,-12} {call.Model,-22} {call.InputTokens,6} in {call.OutputTokens,6} out ${call.CostUsd:0.######} {call.LatencySeconds:0.##} s");
Console.WriteLine($"Trajectory: {result.TrajectoryPath}");
