using BenchmarkDotNet.Running;

namespace ToolOrchestra.Bench;

// Run all: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*'
// Training throughput table: dotnet run -c Release --project bench/ToolOrchestra.Bench -- training
// Evaluation harness overhead and throughput: dotnet run -c Release --project bench/ToolOrchestra.Bench -- eval
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "training") return await TrainingThroughput.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "eval") return await EvalHarnessBench.RunAsync(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
