using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Bench.Tools;

/// <summary>
/// Launch overhead of the code sandbox (issue 16: in process within 2x bubblewrap alone). Three ways to run
/// <c>print(1)</c>: through <see cref="PythonSandbox"/> (cgroup, watchdog, output capture, readiness check),
/// bubblewrap alone with the very same command line (seccomp filter and descriptor-closing bootstrap included,
/// started with Process and nothing else), and bare python3 as the floor.
/// dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*SandboxLaunch*'
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[MedianColumn, Percentiles]
public class SandboxLaunchBenchmarks
{
    private static readonly SandboxOptions Options = new() { TimeoutSeconds = 30 };
    private readonly PythonSandbox _sandbox = new(Options);
    private string _bwrap = "";
    private byte[] _filter = [];

    [GlobalSetup]
    public void Setup()
    {
        _bwrap = PythonSandbox.FindExecutable("bwrap") ?? throw new InvalidOperationException("install bubblewrap");
        _filter = SeccompPolicy.Bpf();
        if (BubblewrapAlone() != "1\n") throw new InvalidOperationException("bubblewrap alone did not print 1");
    }

    [Benchmark(Baseline = true, Description = "bubblewrap alone, same flags")]
    public string BubblewrapAlone()
    {
        using var filter = NativeFiles.InheritableCopy("bench-seccomp", _filter);
        var args = SandboxLaunch.BubblewrapArguments(Options, "/usr/bin/python3", [], "/usr/bin/prlimit", "/usr/bin/bash", (int)filter.DangerousGetHandle());
        var start = new ProcessStartInfo(_bwrap) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.IsPrivilegedProcess)
        {
            start.FileName = "/usr/bin/setpriv";
            args.InsertRange(0, [$"--reuid={SandboxLaunch.NobodyId}", $"--regid={SandboxLaunch.NobodyId}", "--clear-groups", "--", _bwrap]);
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var p = Process.Start(start)!;
        filter.Dispose();
        p.StandardInput.Write("print(1)");
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        stderr.Wait();
        return output;
    }

    [Benchmark(Description = "PythonSandbox.RunAsync")]
    public async Task<string> Sandboxed() => (await _sandbox.RunAsync("print(1)", CancellationToken.None)).Stdout;

    [Benchmark(Description = "bare python3 -c print(1)")]
    public string BarePython()
    {
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "print(1)"]) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }
}
