using System.Collections.Concurrent;
using static ToolOrchestra.Tools.CodeSandbox.Libseccomp;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// The system calls a Python code interpreter never needs, denied inside the sandbox. Everything else is allowed:
/// a deny list keeps numpy, sympy, threads and multiprocessing working, and namespaces, rlimits and the cgroup do
/// the containing; this filter removes the kernel surfaces those layers leave open (the io_uring, bpf, keyring and
/// perf subsystems, tracing, mounting, new namespaces) and the knobs that let one descriptor pin megabytes of kernel
/// memory. A denied call returns EPERM and the interpreter carries on.
/// </summary>
internal static class SeccompPolicy
{
    public const int EPERM = 1;
    public const int ENOSYS = 38;

    private const ulong AfUnix = 1;
    private const ulong SolSocket = 1;
    private const ulong FSetPipeSize = 1031;

    /// <summary>Families of denied calls, by the name a test or a reader looks for.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Families = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["tracing"] = ["ptrace", "process_vm_readv", "process_vm_writev"],
        ["io_uring"] = ["io_uring_setup", "io_uring_enter", "io_uring_register"],
        ["keyring"] = ["keyctl", "add_key", "request_key"],
        ["bpf"] = ["bpf"],
        ["perf"] = ["perf_event_open"],
        ["userfaultfd"] = ["userfaultfd"],
        ["mount"] = ["mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr"],
        ["namespaces"] = ["unshare", "setns"],
        ["kexec"] = ["kexec_load", "kexec_file_load"],
        ["modules"] = ["init_module", "finit_module", "delete_module"],
        // Opening files by handle bypasses the mount namespace (the 2014 Docker "shocker" escape).
        ["file handles"] = ["open_by_handle_at", "name_to_handle_at"],
    };

    /// <summary>Namespace flags of clone(2): the sandbox gets no new namespaces by clone either.</summary>
    private static readonly ulong[] CloneNamespaceFlags =
        [0x00020000 /*NEWNS*/, 0x02000000 /*NEWCGROUP*/, 0x04000000 /*NEWUTS*/, 0x08000000 /*NEWIPC*/,
         0x10000000 /*NEWUSER*/, 0x20000000 /*NEWPID*/, 0x40000000 /*NEWNET*/, 0x00000080 /*NEWTIME*/];

    /// <summary>SO_SNDBUF, SO_RCVBUF, SO_SNDBUFFORCE, SO_RCVBUFFORCE: raising a socket buffer lets each descriptor pin up to net.core.wmem_max.</summary>
    private static readonly ulong[] BufferSizeOptions = [7, 8, 32, 33];

    /// <summary>Every rule, with <paramref name="errno"/> for the denials (tests pass an unusual one to tell the filter's answer from the kernel's).</summary>
    public static IEnumerable<SeccompRule> Rules(int errno)
    {
        foreach (var name in Families.Values.SelectMany(f => f)) yield return new SeccompRule(name, errno);

        // Only AF_UNIX sockets (multiprocessing, socketpair); the network namespace has no interfaces anyway, and
        // netlink, packet, vsock and the rest are kernel surface.
        yield return new SeccompRule("socket", errno, new ArgCompare(0, Compare.NotEqual, AfUnix));

        foreach (var option in BufferSizeOptions)
            yield return new SeccompRule("setsockopt", errno, new ArgCompare(1, Compare.Equal, SolSocket), new ArgCompare(2, Compare.Equal, option));
        // Pipes keep their default 64 KiB: F_SETPIPE_SZ would grow one to 1 MiB of kernel memory.
        yield return new SeccompRule("fcntl", errno, new ArgCompare(1, Compare.Equal, FSetPipeSize));

        foreach (var flag in CloneNamespaceFlags)
            yield return new SeccompRule("clone", errno, new ArgCompare(0, Compare.MaskedEqual, flag, flag));
        // clone3 passes its flags in memory, which seccomp cannot read; ENOSYS makes glibc fall back to clone.
        yield return new SeccompRule("clone3", ENOSYS);
    }

    private static readonly ConcurrentDictionary<int, byte[]> Compiled = new();

    /// <summary>The compiled filter, built once per process.</summary>
    public static byte[] Bpf(int errno = EPERM) => Compiled.GetOrAdd(errno, e => Compile(Rules(e)));
}
