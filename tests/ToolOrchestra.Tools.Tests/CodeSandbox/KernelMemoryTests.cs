using System.Globalization;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Tools.Tests.CodeSandbox;

/// <summary>
/// Escape 2 of issue 16: socket buffers are kernel memory, invisible to the resident-memory watchdog. Twelve
/// processes each fill 120 socketpairs, about 300 MB if nothing stops them (the footprint this test can cost a
/// machine without the fix); under a 128 MB limit the kernel must stop them at the limit.
/// </summary>
[Collection("sandbox")]
public sealed class KernelMemoryTests
{
    private const int LimitMb = 128;

    private const string Flood = """
        import os, socket, time
        N = 12
        r, w = os.pipe()
        for _ in range(N):
            if os.fork() == 0:
                os.close(r)
                total, keep = 0, []
                try:
                    for _ in range(120):
                        a, b = socket.socketpair()
                        a.setblocking(False)
                        keep.append((a, b))
                        while True:
                            try:
                                total += a.send(b"x" * 65536)
                            except BlockingIOError:
                                break
                except OSError:
                    pass
                os.write(w, b"%d\n" % total)
                time.sleep(60)
                os._exit(0)
        os.close(w)
        reports = []
        with os.fdopen(r) as f:
            for line in f:
                reports.append(int(line))
                if len(reports) == N:
                    break
        print("HELD", sum(reports), flush=True)
        """;

    [SkippableFact]
    public async Task A_socketpair_flood_is_stopped_at_the_memory_limit()
    {
        Skip.If(SandboxCgroup.Parents.Count == 0,
            "no writable cgroup here: kernel buffers are bounded only by the rlimits (processes x descriptors x default buffer size)");
        var sandbox = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 20, MemoryMb = LimitMb, MaxProcesses = 32 });

        var result = await sandbox.RunAsync(Flood, CancellationToken.None);

        var held = result.Stdout.StartsWith("HELD ", StringComparison.Ordinal)
            ? long.Parse(result.Stdout["HELD ".Length..].Trim(), CultureInfo.InvariantCulture) : 0;
        held.Should().BeLessThanOrEqualTo((long)LimitMb << 20, "the buffers all twelve processes held at once count against the limit");
        result.TimedOut.Should().BeFalse("reaching the limit ends the run at once");
        if (held == 0) result.Stderr.Should().Contain($"over the limit of {LimitMb} MB", "the kernel stopped the flood by killing a process");
        LeftoverCgroups().Should().BeEmpty("each run's cgroup is removed afterwards");
    }

    [SkippableFact]
    public async Task The_process_limit_holds_in_the_cgroup_too()
    {
        Skip.If(SandboxCgroup.Parents.All(p => !p.Pids), "no pids controller in a writable cgroup here");
        var sandbox = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10, MemoryMb = 256, MaxProcesses = 8 });

        var result = await sandbox.RunAsync(
            "import threading, time\nn = 0\ntry:\n    for _ in range(50):\n        threading.Thread(target=time.sleep, args=(3,), daemon=True).start(); n += 1\nexcept RuntimeError:\n    pass\nprint('threads', n)\n",
            CancellationToken.None);

        result.ExitCode.Should().Be(0, result.Stderr);
        int.Parse(result.Stdout.Split(' ')[1], CultureInfo.InvariantCulture).Should().BeInRange(1, 7);
        LeftoverCgroups().Should().BeEmpty();
    }

    private static List<string> LeftoverCgroups() =>
        SandboxCgroup.Parents
            .SelectMany(p => Directory.EnumerateDirectories(p.Directory, $"orchestra-sandbox-{Environment.ProcessId}-*"))
            .ToList();
}
