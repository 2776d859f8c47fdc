using BenchmarkDotNet.Running;

namespace ToolOrchestra.Bench;

// Run all: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*'
// Training throughput table: dotnet run -c Release --project bench/ToolOrchestra.Bench -- training
// Synthesis throughput table: dotnet run -c Release --project bench/ToolOrchestra.Bench -- synth
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "training") return await TrainingThroughput.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "synth") return await SynthThroughput.RunAsync(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
