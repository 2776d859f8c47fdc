using System.Diagnostics;
using System.Text;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// The code interpreter: model-written Python 3 under bubblewrap. No network, read-only system, a private
/// in-memory /tmp that vanishes with the sandbox, no view of the user's home or the project, an empty
/// environment, kernel rlimits on CPU, memory, processes, file size and open files, a wall-clock timeout and
/// an output cap. When the caller is root the sandbox runs as host user nobody, because the kernel does not
/// enforce the process limit for root.
/// Configuration problems (bubblewrap missing or unable to create namespaces) throw <see cref="UserError"/>
/// on the first run; everything the code itself does comes back as a <see cref="CodeResult"/>.
/// </summary>
public sealed class PythonSandbox : ICodeRunner
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Task? _ready;

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

    public async Task<CodeResult> RunAsync(string code, CancellationToken ct)
    {
        await EnsureReadyAsync().ConfigureAwait(false);
        var run = await LaunchAsync(code, Options, ct).ConfigureAwait(false);
        var stderr = Decode(run.Stderr);
        if (run.KilledBecause is { } reason) stderr += (stderr.Length == 0 || stderr.EndsWith('\n') ? "" : "\n") + reason + "\n";
        return new CodeResult(Decode(run.Stdout), stderr, run.ExitCode, run.TimedOut, run.Seconds, run.OutputTruncated);
    }

    /// <summary>Checks once that the sandbox starts and the interpreter runs inside it; a failure is a setup problem.</summary>
    private async Task EnsureReadyAsync()
    {
        Task ready;
        lock (_gate) ready = _ready ??= ProbeAsync();
        try
        {
            await ready.ConfigureAwait(false);
        }
        catch
        {
            lock (_gate) if (ReferenceEquals(_ready, ready)) _ready = null; // a fixed machine may try again
            throw;
        }
    }

    private async Task ProbeAsync()
    {
        var probe = Options with { TimeoutSeconds = Math.Max(10, Options.TimeoutSeconds), MaxOutputBytes = 64 * 1024 };
        var run = await LaunchAsync("import sys\n", probe, CancellationToken.None).ConfigureAwait(false);
        if (run.ExitCode == 0 && !run.TimedOut) return;
        var why = Decode(run.Stderr).Trim();
        throw new UserError(
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
        var input = Encoding.UTF8.GetBytes(code);
        var timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);

        if (o.UnsafeNoSandbox)
        {
            var work = Directory.CreateTempSubdirectory("orchestra-code-");
            try
            {
                File.WriteAllBytes(Path.Combine(work.FullName, "main.py"), input);
                var start = new ProcessStartInfo(prlimit) { WorkingDirectory = work.FullName };
                start.Environment.Clear();
                foreach (var (name, value) in SandboxLaunch.Environment)
                    start.Environment[name] = name is "HOME" or "TMPDIR" ? work.FullName : value;
                foreach (var arg in SandboxLaunch.Rlimits(o)) start.ArgumentList.Add(arg);
                foreach (var arg in new[] { python, "-B", "main.py" }) start.ArgumentList.Add(arg);
                return await BoundedProcess.RunAsync(start, [], o.MaxOutputBytes, timeout, killTree: true, _time, ct,
                    (pid, stop) => MemoryWatchdog.WatchAsync(pid, (long)o.MemoryMb << 20, stop)).ConfigureAwait(false);
            }
            finally
            {
                try { work.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        var bwrap = o.BubblewrapPath is { } configured
            ? File.Exists(configured) ? configured : throw MissingBubblewrap($"'{configured}' does not exist")
            : FindExecutable("bwrap") ?? throw MissingBubblewrap("'bwrap' is not on PATH");
        var sandboxStart = new ProcessStartInfo();
        var args = SandboxLaunch.BubblewrapArguments(o, python, PythonRoots(python), prlimit);
        if (Environment.IsPrivilegedProcess)
        {
            // Root is exempt from RLIMIT_NPROC, so a fork bomb would run free: drop to nobody before bubblewrap.
            sandboxStart.FileName = Require("setpriv", "util-linux");
            args.InsertRange(0, [$"--reuid={SandboxLaunch.NobodyId}", $"--regid={SandboxLaunch.NobodyId}", "--clear-groups", "--", bwrap]);
        }
        else
        {
            sandboxStart.FileName = bwrap;
        }
        foreach (var arg in args) sandboxStart.ArgumentList.Add(arg);
        sandboxStart.WorkingDirectory = "/";
        // The sandbox clears its environment itself; the launcher needs none of ours either.
        sandboxStart.Environment.Clear();
        sandboxStart.Environment["PATH"] = "/usr/bin:/bin";
        return await BoundedProcess.RunAsync(sandboxStart, input, o.MaxOutputBytes, timeout, killTree: false, _time, ct,
            (pid, stop) => MemoryWatchdog.WatchAsync(pid, (long)o.MemoryMb << 20, stop)).ConfigureAwait(false);
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
