namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// Limits of one sandboxed execution. Defaults suit model-written analysis code (the reference's 60 s timeout);
/// tests shrink them. Every limit is enforced by the kernel (rlimits, namespaces, seccomp, a cgroup where one can be
/// made) or by the runner (timeout, output cap), never by trusting the code.
/// </summary>
public sealed record SandboxOptions
{
    /// <summary>Wall-clock limit; the whole sandbox is killed when it passes.</summary>
    public double TimeoutSeconds { get; init; } = 60;

    /// <summary>
    /// Address-space limit (RLIMIT_AS) of every process in the sandbox, and the limit on the memory of all of them
    /// together: exact and kernel buffers included when the run gets its own cgroup (memory.max / limit_in_bytes),
    /// else resident memory sampled every 50 ms. Either way the sandbox is killed when it is passed.
    /// </summary>
    public int MemoryMb { get; init; } = 2048;

    /// <summary>CPU-seconds limit (RLIMIT_CPU); null means the timeout rounded up plus one second.</summary>
    public int? CpuSeconds { get; init; }

    /// <summary>Processes and threads (RLIMIT_NPROC, and pids.max of the run's cgroup where there is one).</summary>
    public int MaxProcesses { get; init; } = 64;

    /// <summary>Largest file the code may write (RLIMIT_FSIZE).</summary>
    public int MaxFileSizeMb { get; init; } = 64;

    /// <summary>Size of the private in-memory /tmp (the only writable place).</summary>
    public int TmpSizeMb { get; init; } = 128;

    /// <summary>Open file descriptors (RLIMIT_NOFILE).</summary>
    public int MaxOpenFiles { get; init; } = 256;

    /// <summary>Bytes kept of stdout and of stderr each; more output kills the run and sets OutputTruncated.</summary>
    public int MaxOutputBytes { get; init; } = 1 << 20;

    /// <summary>Python interpreter; null picks /usr/bin/python3, else python3 on PATH.</summary>
    public string? PythonPath { get; init; }

    /// <summary>bubblewrap executable; null finds <c>bwrap</c> on PATH.</summary>
    public string? BubblewrapPath { get; init; }

    /// <summary>
    /// Runs the code directly on this machine with only rlimits, a temp working directory and an empty environment:
    /// no namespace isolation at all. Only for machines where bubblewrap cannot run and the code is trusted.
    /// </summary>
    public bool UnsafeNoSandbox { get; init; }

    /// <summary>errno the syscall filter answers denied calls with; tests set an unusual one to tell the filter's refusal from the kernel's.</summary>
    internal int DeniedErrno { get; init; } = SeccompPolicy.EPERM;

    internal int EffectiveCpuSeconds => CpuSeconds ?? (int)Math.Ceiling(TimeoutSeconds) + 1;
}
