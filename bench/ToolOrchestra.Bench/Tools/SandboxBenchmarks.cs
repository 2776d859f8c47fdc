using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Bench.Tools;

/// <summary>
/// Round trip of <c>print(1)</c> through the bubblewrap sandbox (target: p50 under 150 ms on a 2-core machine),
/// beside bare <c>python3 -c 'print(1)'</c> started the same way.
/// dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*Sandbox*'
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 20)]
[MedianColumn, Percentiles]
public class SandboxBenchmarks
{
    private readonly PythonSandbox _sandbox = new(new SandboxOptions { TimeoutSeconds = 30 });

    [GlobalSetup]
    public void Setup() => _sandbox.RunAsync("pass", CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "bare python3 -c print(1)")]
    public string BarePython()
    {
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "print(1)"]) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    [Benchmark(Description = "sandboxed print(1)")]
    public async Task<string> Sandboxed() => (await _sandbox.RunAsync("print(1)", CancellationToken.None)).Stdout;
}
