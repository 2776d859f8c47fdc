using BenchmarkDotNet.Running;

namespace ToolOrchestra.Bench;

// Run all: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*'
public static class BenchProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
}
