using System.Runtime.InteropServices;
using ToolOrchestra.Core;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// Compiles seccomp rules to a classic-BPF program with Debian's libseccomp2 (the library nsjail, Docker and
/// systemd build their filters with), so no BPF is written by hand. Only the non-variadic entry points are bound:
/// .NET cannot call C varargs portably, hence <c>seccomp_rule_add_array</c>.
/// </summary>
internal static class Libseccomp
{
    private const string Library = "libseccomp.so.2";

    public const uint ActAllow = 0x7fff0000;

    /// <summary>SCMP_ACT_ERRNO(errno): the call returns -1 with this errno and the process carries on.</summary>
    public static uint ActErrno(int errno) => 0x00050000u | ((uint)errno & 0xffff);

    /// <summary>enum scmp_compare.</summary>
    public enum Compare
    {
        NotEqual = 1,
        Equal = 4,
        MaskedEqual = 7,
    }

    /// <summary>struct scmp_arg_cmp: compares syscall argument <see cref="Arg"/> (0-based) with the data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public readonly record struct ArgCompare(uint Arg, Compare Op, ulong DatumA, ulong DatumB = 0);

    /// <summary>The filter as BPF bytes for bubblewrap's --seccomp: allow by default, the given rules otherwise.</summary>
    public static byte[] Compile(IEnumerable<SeccompRule> rules)
    {
        IntPtr ctx;
        try
        {
            ctx = seccomp_init(ActAllow);
        }
        catch (DllNotFoundException e)
        {
            throw new UserError(
                "code sandbox needs libseccomp (the syscall filter), which is not installed: install the 'libseccomp2' package " +
                "(Debian/Ubuntu: sudo apt-get install -y libseccomp2; Fedora: sudo dnf install libseccomp).", e);
        }
        if (ctx == IntPtr.Zero) throw new InvalidOperationException("seccomp_init failed");
        try
        {
            foreach (var rule in rules)
            {
                var nr = seccomp_syscall_resolve_name(rule.Syscall);
                if (nr == -1) continue; // not a system call on this architecture (e.g. a 32-bit-only one)
                var args = rule.Conditions.ToArray();
                var rc = seccomp_rule_add_array(ctx, ActErrno(rule.Errno), nr, (uint)args.Length, args);
                if (rc < 0) throw new InvalidOperationException($"seccomp_rule_add({rule.Syscall}) failed: {-rc}");
            }
            return Export(ctx);
        }
        finally
        {
            seccomp_release(ctx);
        }
    }

    /// <summary>Number of a system call on this machine's architecture, or -1.</summary>
    public static int Resolve(string syscall) => seccomp_syscall_resolve_name(syscall);

    private static byte[] Export(IntPtr ctx)
    {
        using var memory = NativeFiles.MemoryFile("seccomp-export", inheritable: false);
        var rc = seccomp_export_bpf(ctx, (int)memory.DangerousGetHandle());
        if (rc < 0) throw new InvalidOperationException($"seccomp_export_bpf failed: {-rc}");
        var bpf = new byte[RandomAccess.GetLength(memory)];
        var read = RandomAccess.Read(memory, bpf, 0);
        return read == bpf.Length ? bpf : throw new InvalidOperationException("seccomp_export_bpf: short read");
    }

    [DllImport(Library)]
    private static extern IntPtr seccomp_init(uint defaultAction);

    [DllImport(Library)]
    private static extern void seccomp_release(IntPtr ctx);

    [DllImport(Library)]
    private static extern int seccomp_rule_add_array(IntPtr ctx, uint action, int syscall, uint count, ArgCompare[] args);

    [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int seccomp_syscall_resolve_name(string name);

    [DllImport(Library)]
    private static extern int seccomp_export_bpf(IntPtr ctx, int fd);
}

/// <summary>One denial: <see cref="Syscall"/> fails with <see cref="Errno"/> when every condition holds.</summary>
internal sealed record SeccompRule(string Syscall, int Errno, params Libseccomp.ArgCompare[] Conditions);
