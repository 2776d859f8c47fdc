using System.Diagnostics;
using System.Text;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// The code interpreter: model-written Python 3 under bubblewrap. No network, read-only system, a private
/// in-memory /tmp that vanishes with the sandbox, no view of the user's home or the project, an empty
/// environment, no inherited descriptors beyond stdin/stdout/stderr, a seccomp filter (<see cref="SeccompPolicy"/>),
/// kernel rlimits on CPU, memory, processes, file size and open files, a per-run cgroup where the machine allows
/// one (<see cref="SandboxCgroup"/>), a wall-clock timeout and an output cap. When the caller is root the sandbox
/// runs as host user nobody, because the kernel does not enforce the process limit for root.
/// Each run is one launch. Configuration problems (bubblewrap or libseccomp missing, namespaces unavailable) throw
/// <see cref="UserError"/>; everything the code itself does comes back as a <see cref="CodeResult"/>.
/// </summary>
public sealed class PythonSandbox : ICodeRunner
{
    private readonly TimeProvider _time;

    public PythonSandbox(SandboxOptions? options = null, ToolPrices? prices = null, TimeProvider? time = null)
    {
        Options = options ?? new SandboxOptions();
        Prices = prices ?? new ToolPrices();
        _time = time ?? TimeProvider.System;
        if (Options.TimeoutSeconds <= 0) throw new UserError($"code sandbox: timeout must be positive (got {Options.TimeoutSeconds}).");
        if (Options.MemoryMb < 16) throw new UserError($"code sandbox: memory limit must be at least 16 MB (got {Options.MemoryMb}).");
    }

    public SandboxOptions Options { get; }

    public ToolPrices Prices { get; }

    /// <summary>Dollars for one execution: wall-clock seconds times the catalog's code price.</summary>
    public decimal CostOf(CodeResult result) => CodePricing.CostUsd(result, Prices);

    /// <summary>The time limit's worth, plus the seconds a kill and the sandbox's start can add.</summary>
    public decimal WorstCaseUsd(ToolPrices prices) => (decimal)(Options.TimeoutSeconds + CodePricing.OverheadSeconds) * prices.CodePerSecond;

    public async Task<CodeResult> RunAsync(string code, CancellationToken ct)
    {
        var run = await LaunchAsync(code, Options, ct).ConfigureAwait(false);
        var stderr = Decode(run.Stderr);
        // One launch per run: the marker the sandbox writes before the code starts tells a setup failure from the code's own.
        if (!stderr.StartsWith(SandboxLaunch.ReadyMarker, StringComparison.Ordinal)) throw CannotStart(run, stderr);
        stderr = stderr[SandboxLaunch.ReadyMarker.Length..];
        if (run.KilledBecause is { } reason) stderr += (stderr.Length == 0 || stderr.EndsWith('\n') ? "" : "\n") + reason + "\n";
        return new CodeResult(Decode(run.Stdout), stderr, run.ExitCode, run.TimedOut, run.Seconds, run.OutputTruncated);
    }

    private UserError CannotStart(BoundedRun run, string stderr)
    {
        var why = stderr.Trim();
        return new UserError(
            $"code sandbox cannot start (exit {run.ExitCode}{(run.TimedOut ? ", timed out" : "")}): {(why.Length > 0 ? why : "no message")}. " +
            (Options.UnsafeNoSandbox
                ? "Check that the Python interpreter runs."
                : "bubblewrap needs unprivileged user namespaces: enable kernel.unprivileged_userns_clone=1 " +
                  "(and on Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap); " +
                  "inside Docker run the container with --security-opt seccomp=unconfined or use --unsafe-no-sandbox for trusted code."));
    }

    private async Task<BoundedRun> LaunchAsync(string code, SandboxOptions o, CancellationToken ct)
    {
        var python = ResolvePython(o.PythonPath);
        var prlimit = Require("prlimit", "util-linux");
        var bash = Require("bash", "bash");
        var input = Encoding.UTF8.GetBytes(code);
        var timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
        var limitBytes = (long)o.MemoryMb << 20;

        if (o.UnsafeNoSandbox)
        {
            var work = Directory.CreateTempSubdirectory("orchestra-code-");
            try
            {
                File.WriteAllBytes(Path.Combine(work.FullName, "main.py"), input);
                var command = new List<string>(SandboxLaunch.Rlimits(o)) { bash, "-c", SandboxLaunch.Bootstrap("", "main.py"), python };
                var environment = SandboxLaunch.Environment.Select(e => e.Key is "HOME" or "TMPDIR" ? new(e.Key, work.FullName) : e);
                return await RunBoundedAsync(prlimit, command, work.FullName, environment, [], o, limitBytes, timeout, killTree: true, seccomp: null, ct).ConfigureAwait(false);
            }
            finally
            {
                try { work.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        var bwrap = o.BubblewrapPath is { } configured
            ? File.Exists(configured) ? configured : throw MissingBubblewrap($"'{configured}' does not exist")
            : FindExecutable("bwrap") ?? throw MissingBubblewrap("'bwrap' is not on PATH");
        var filter = NativeFiles.InheritableCopy("sandbox-seccomp", SeccompPolicy.Bpf(o.DeniedErrno));
        var args = SandboxLaunch.BubblewrapArguments(o, python, PythonRoots(python), prlimit, bash, (int)filter.DangerousGetHandle());
        var executable = bwrap;
        if (Environment.IsPrivilegedProcess)
        {
            // Root is exempt from RLIMIT_NPROC, so a fork bomb would run free: drop to nobody before bubblewrap.
            executable = Require("setpriv", "util-linux");
            args.InsertRange(0, [$"--reuid={SandboxLaunch.NobodyId}", $"--regid={SandboxLaunch.NobodyId}", "--clear-groups", "--", bwrap]);
        }
        // The sandbox clears its environment itself; the launcher needs none of ours either.
        KeyValuePair<string, string>[] launcherEnvironment = [new("PATH", "/usr/bin:/bin")];
        return await RunBoundedAsync(executable, args, "/", launcherEnvironment, input, o, limitBytes, timeout, killTree: false, filter, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts <paramref name="executable"/> inside a fresh cgroup where one can be made (a shell moves itself in, then
    /// execs it, so everything the sandbox forks is counted), with only <paramref name="environment"/>, and bounds the run.
    /// </summary>
    private async Task<BoundedRun> RunBoundedAsync(
        string executable, List<string> args, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment, byte[] input, SandboxOptions o, long limitBytes,
        TimeSpan timeout, bool killTree, Microsoft.Win32.SafeHandles.SafeFileHandle? seccomp, CancellationToken ct)
    {
        using var cgroup = SandboxCgroup.TryCreate(limitBytes, o.MaxProcesses);
        try
        {
            var start = new ProcessStartInfo { WorkingDirectory = workingDirectory };
            if (cgroup is not null)
            {
                var procs = cgroup.ProcsFiles.ToList();
                start.FileName = "/bin/sh";
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add(string.Concat(procs.Select((_, i) => $"echo 0 > \"${i + 1}\" && ")) + $"shift {procs.Count} && exec \"$@\"");
                start.ArgumentList.Add("sh");
                foreach (var file in procs) start.ArgumentList.Add(file);
                start.ArgumentList.Add(executable);
            }
            else
            {
                start.FileName = executable;
            }
            foreach (var arg in args) start.ArgumentList.Add(arg);
            start.Environment.Clear();
            foreach (var (name, value) in environment) start.Environment[name] = value;
            var run = await BoundedProcess.RunAsync(start, input, o.MaxOutputBytes, timeout, killTree, _time, ct,
                (pid, stop) => MemoryWatchdog.WatchAsync(pid, limitBytes, stop, cgroup is null ? null : cgroup.OomKills),
                stderrExtraBytes: SandboxLaunch.ReadyMarker.Length, started: () => seccomp?.Dispose()).ConfigureAwait(false);
            // The kernel may kill the main process itself, ending the run before the watchdog's next sample.
            return run.KilledBecause is null && cgroup?.OomKills() > 0 ? run with { KilledBecause = MemoryWatchdog.KernelStopped(limitBytes) } : run;
        }
        finally
        {
            seccomp?.Dispose();
        }
    }

    /// <summary>Finds an executable on PATH or the standard system directories.</summary>
    public static string? FindExecutable(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"]);
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>True when bubblewrap is installed (it may still be unable to run; the first run checks that).</summary>
    public static bool BubblewrapInstalled => FindExecutable("bwrap") is not null;

    private static string Require(string executable, string package) =>
        FindExecutable(executable) ?? throw new UserError(
            $"code sandbox needs '{executable}', which is not installed: install the '{package}' package " +
            $"(Debian/Ubuntu: sudo apt-get install -y {package}).");

    private static UserError MissingBubblewrap(string why) => new(
        $"code sandbox needs bubblewrap and {why}: install the 'bubblewrap' package " +
        "(Debian/Ubuntu: sudo apt-get install -y bubblewrap; Fedora: sudo dnf install bubblewrap), " +
        "or, for trusted code only, run without isolation with --unsafe-no-sandbox (SandboxOptions.UnsafeNoSandbox).");

    private static string ResolvePython(string? configured)
    {
        if (configured is not null)
            return File.Exists(configured) ? Path.GetFullPath(configured)
                : throw new UserError($"code sandbox: Python interpreter '{configured}' not found; give the path of a python3 executable.");
        if (File.Exists("/usr/bin/python3")) return "/usr/bin/python3";
        return FindExecutable("python3") ?? throw new UserError("code sandbox: python3 not found; install python3 or give its path.");
    }

    /// <summary>Installation prefixes of an interpreter outside /usr (venv, pyenv, conda), bound read-only into the sandbox.</summary>
    private static IEnumerable<string> PythonRoots(string python)
    {
        var roots = new List<string>();
        void Add(string executable)
        {
            var prefix = Path.GetDirectoryName(Path.GetDirectoryName(executable));
            if (prefix is null or "/" or "/usr" || prefix.StartsWith("/usr/", StringComparison.Ordinal)) return;
            if (!roots.Any(r => prefix.StartsWith(r + "/", StringComparison.Ordinal) || prefix == r)) roots.Add(prefix);
        }
        Add(python);
        if (File.ResolveLinkTarget(python, returnFinalTarget: true) is { } target) Add(target.FullName);
        // A venv points at its base interpreter's home in pyvenv.cfg.
        var cfg = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(python)) ?? "/", "pyvenv.cfg");
        if (File.Exists(cfg))
            foreach (var line in File.ReadLines(cfg))
                if (line.Split('=', 2) is [var key, var value] && key.Trim() == "home")
                    Add(Path.Combine(value.Trim(), "python3"));
        return roots;
    }

    private static string Decode(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
