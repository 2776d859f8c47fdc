using BenchmarkDotNet.Running;

namespace ToolOrchestra.Bench;

// Run all: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*'
// Training throughput table: dotnet run -c Release --project bench/ToolOrchestra.Bench -- training
// orchestra serve overhead, throughput and memory: dotnet run -c Release --project bench/ToolOrchestra.Bench -- serve
// Eval report over 100k samples: dotnet run -c Release --project bench/ToolOrchestra.Bench -- eval-report
// Synthesis throughput table: dotnet run -c Release --project bench/ToolOrchestra.Bench -- synth
// Evaluation harness overhead and throughput: dotnet run -c Release --project bench/ToolOrchestra.Bench -- eval
// Response cache lookup overhead at 1M entries: dotnet run -c Release --project bench/ToolOrchestra.Bench -- cache
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "training") return await TrainingThroughput.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "serve") return await ServeOverhead.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "eval-report") return await EvalReportBench.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "synth") return await SynthThroughput.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "cache") return await ResponseCacheBench.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "eval") return await EvalHarnessBench.RunAsync(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
