using System.Globalization;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// The command line that runs one script under bubblewrap. The script arrives on stdin, is written into the
/// sandbox's private /tmp as main.py, and python runs it with stdin at /dev/null, so nothing of the host's
/// file system is writable and no host temp file is needed. Before python starts, a shell closes every descriptor
/// above 2 (neither .NET nor bubblewrap closes what the caller left inheritable) and writes <see cref="ReadyMarker"/>
/// to stderr: its presence proves the sandbox was set up, so one launch both starts and checks it.
/// </summary>
internal static class SandboxLaunch
{
    /// <summary>The unprivileged host uid/gid the sandbox runs as when the caller is root (nobody/nogroup).</summary>
    public const int NobodyId = 65534;

    /// <summary>Size of the sandbox's /dev/shm.</summary>
    public const long SharedMemoryBytes = 32L << 20;

    /// <summary>Environment inside the sandbox: nothing inherited, only what Python and BLAS need to behave.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Environment =
    [
        new("PATH", "/usr/local/bin:/usr/bin:/bin"),
        new("HOME", "/tmp"),
        new("TMPDIR", "/tmp"),
        new("LANG", "C.UTF-8"),
        new("LC_ALL", "C.UTF-8"),
        new("PYTHONIOENCODING", "utf-8"),
        new("PYTHONDONTWRITEBYTECODE", "1"),
        new("MPLBACKEND", "Agg"),
        // One thread per BLAS library: thread pools count against the process limit and the memory limit.
        new("OMP_NUM_THREADS", "1"),
        new("OPENBLAS_NUM_THREADS", "1"),
        new("MKL_NUM_THREADS", "1"),
    ];

    /// <summary>Host configuration that dynamic linking and Python read; bound read-only when present.</summary>
    private static readonly string[] EtcFiles =
        ["/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"];

    /// <summary>Top-level system directories that merged-/usr systems make symlinks and older ones keep as directories.</summary>
    private static readonly string[] SystemRoots = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    /// <summary>First bytes on stderr once the sandbox is up; the code runs after it, so it cannot forge or suppress it.</summary>
    public const string ReadyMarker = "\u001esandbox-ready\n";

    /// <summary>
    /// bash script (argument $0 is the interpreter) that closes inherited descriptors, signals readiness, then runs
    /// <paramref name="script"/>. bash because dash cannot name descriptors above 9.
    /// </summary>
    public static string Bootstrap(string readScript, string script) =>
        "for f in /proc/self/fd/*; do n=${f##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\"; done; " +
        "printf '\\036sandbox-ready\\n' >&2; " + readScript + "exec \"$0\" -B " + script + " < /dev/null";

    /// <summary>prlimit arguments applying the rlimits to the script and everything it starts.</summary>
    public static List<string> Rlimits(SandboxOptions o) =>
    [
        "--cpu=" + Invariant(o.EffectiveCpuSeconds),
        "--as=" + Invariant((long)o.MemoryMb << 20),
        "--nproc=" + Invariant(o.MaxProcesses),
        "--fsize=" + Invariant((long)o.MaxFileSizeMb << 20),
        "--nofile=" + Invariant(o.MaxOpenFiles),
        "--core=0",
        "--",
    ];

    /// <summary>
    /// Full argv (after the executable) for bubblewrap. <paramref name="pythonRoots"/> are extra read-only binds
    /// for an interpreter that lives outside /usr (a venv or pyenv prefix).
    /// </summary>
    public static List<string> BubblewrapArguments(SandboxOptions o, string python, IEnumerable<string> pythonRoots, string prlimit, string bash, int seccompFd)
    {
        var a = new List<string>
        {
            // Fresh user, pid, network, ipc, uts and cgroup namespaces; no nested namespaces for the code.
            "--unshare-all", "--unshare-user", "--disable-userns",
            "--uid", Invariant(NobodyId), "--gid", Invariant(NobodyId), "--hostname", "sandbox",
            // Killed with the caller; own session so it cannot push input to the caller's terminal.
            "--die-with-parent", "--new-session",
            "--clearenv",
        };
        foreach (var (name, value) in Environment) a.AddRange(["--setenv", name, value]);

        a.AddRange(["--ro-bind", "/usr", "/usr"]);
        foreach (var root in SystemRoots)
        {
            var info = new FileInfo(root);
            if (info.LinkTarget is { } target) a.AddRange(["--symlink", target, root]);
            else if (Directory.Exists(root)) a.AddRange(["--ro-bind", root, root]);
        }
        foreach (var etc in EtcFiles) a.AddRange(["--ro-bind-try", etc, etc]);
        foreach (var root in pythonRoots) a.AddRange(["--ro-bind", root, root]);

        a.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        // The only writable places: size-capped in-memory /tmp and /dev/shm (multiprocessing's semaphores).
        a.AddRange(["--size", Invariant((long)o.TmpSizeMb << 20), "--tmpfs", "/tmp"]);
        a.AddRange(["--size", Invariant(SharedMemoryBytes), "--tmpfs", "/dev/shm"]);
        // bubblewrap's own root and /dev are writable scratch file systems; freeze them after the mounts.
        a.AddRange(["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp"]);
        // The syscall filter (SeccompPolicy), applied by bubblewrap to the command below and all it starts.
        a.AddRange(["--seccomp", Invariant(seccompFd)]);

        a.Add(prlimit);
        a.AddRange(Rlimits(o));
        a.AddRange([bash, "-c", Bootstrap("cat > /tmp/main.py && ", "/tmp/main.py"), python]);
        return a;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
