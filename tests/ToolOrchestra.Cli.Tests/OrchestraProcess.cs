using System.Diagnostics;

namespace ToolOrchestra.Cli.Tests;

/// <summary>Runs the real <c>orchestra</c> program as a child process, as a user would.</summary>
internal static class OrchestraProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs the program with extra environment variables (API keys, OTLP settings).</summary>
    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var p = Start(environment, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(timeout.Token);
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the program without waiting, for tests that kill it mid-run (<see cref="Process.Kill()"/> is SIGKILL here).</summary>
    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orchestra.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        return Process.Start(psi)!;
    }

    /// <summary>Waits until <paramref name="ready"/> holds (polled), then kills the process as kill -9 would.</summary>
    public static async Task KillWhenAsync(Process process, Func<bool> ready)
    {
        // Drain the pipes so a chatty child never blocks on a full buffer before the kill.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (!ready())
        {
            if (process.HasExited) throw new InvalidOperationException($"the process exited ({process.ExitCode}) before it could be killed mid-run");
            await Task.Delay(20, timeout.Token);
        }
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(timeout.Token);
    }
}
