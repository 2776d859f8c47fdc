using System.Globalization;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>One containment layer of the code sandbox and whether this machine provides it.</summary>
public sealed record SandboxLayer(string Name, bool Active, string Detail);

/// <summary>
/// Which containment layers the code sandbox gets on this machine (for <c>orchestra doctor</c>): namespaces
/// (bubblewrap), the seccomp filter (libseccomp), a per-run cgroup, and the rlimits that always apply. Without a
/// cgroup, kernel buffers are bounded only by processes x descriptors x the default socket buffer; the detail says so.
/// </summary>
public static class SandboxLayers
{
    public static IReadOnlyList<SandboxLayer> Describe(SandboxOptions? options = null)
    {
        var o = options ?? new SandboxOptions();
        var bwrap = PythonSandbox.FindExecutable("bwrap");
        string seccomp;
        bool seccompActive;
        try
        {
            seccomp = string.Create(CultureInfo.InvariantCulture, $"{SeccompPolicy.Bpf().Length / 8} BPF instructions from libseccomp");
            seccompActive = true;
        }
        catch (ToolOrchestra.Core.UserError e)
        {
            (seccomp, seccompActive) = (e.Message, false);
        }
        var parents = SandboxCgroup.Parents;
        var socketBuffer = ReadLong("/proc/sys/net/core/wmem_default") ?? 212_992;
        var worstCaseMb = (long)o.MaxProcesses * o.MaxOpenFiles * socketBuffer >> 20;
        return
        [
            new("namespaces", bwrap is not null, bwrap is not null
                ? "bubblewrap: user, pid, network, ipc, uts, cgroup and mount namespaces (checked by the first run)"
                : "bubblewrap is not installed: runs refuse unless --unsafe-no-sandbox"),
            new("seccomp", seccompActive, seccomp),
            new("cgroup", parents.Count > 0, parents.Count > 0
                ? "per-run child of " + string.Join(", ", parents.Select(p => $"{p.Directory} (v{p.Version}{(p.Memory ? " memory" : "")}{(p.Pids ? " pids" : "")})")) +
                  ": the memory limit counts kernel buffers"
                : string.Create(CultureInfo.InvariantCulture,
                    $"none writable here: kernel buffers bounded only by rlimits, up to {o.MaxProcesses} processes x {o.MaxOpenFiles} descriptors x {socketBuffer} B socket buffer = {worstCaseMb} MB")),
            new("rlimits", true, string.Create(CultureInfo.InvariantCulture,
                $"cpu {o.EffectiveCpuSeconds} s, address space {o.MemoryMb} MB per process, {o.MaxProcesses} processes, {o.MaxOpenFiles} open files, {o.MaxFileSizeMb} MB per file")),
        ];
    }

    private static long? ReadLong(string file)
    {
        try { return long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }
}
