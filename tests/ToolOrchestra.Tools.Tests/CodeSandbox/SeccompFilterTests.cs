using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Tools.Tests.CodeSandbox;

/// <summary>
/// The syscall filter, inside real bubblewrap. Many denied calls would fail anyway for lack of privilege, with the
/// same EPERM, so the per-family tests build the filter with a marker errno that only the filter returns; one test
/// then checks the real filter answers EPERM and the interpreter lives on.
/// </summary>
[Collection("sandbox")]
public sealed class SeccompFilterTests
{
    /// <summary>Returned only by the test filter (errno values up to 4095 are representable).</summary>
    private const int Marker = 4000;

    private static PythonSandbox Sandbox(int errno = Marker) =>
        new(new SandboxOptions { TimeoutSeconds = 10, MemoryMb = 512, DeniedErrno = errno });

    /// <summary>Python that calls syscall(nr, args...) through libc and prints "name errno" (0 when it succeeded).</summary>
    private static string Calls(IEnumerable<(string Name, string Args)> calls) =>
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.syscall.restype = ctypes.c_long\n" +
        "def call(name, nr, *args):\n" +
        "    ctypes.set_errno(0)\n" +
        "    rc = libc.syscall(nr, *[ctypes.c_long(a) for a in args])\n" +
        "    print(name, ctypes.get_errno() if rc == -1 else 0, flush=True)\n" +
        string.Concat(calls.Select(c => $"call('{c.Name}', {Nr(c.Name)}{(c.Args.Length > 0 ? ", " + c.Args : "")})\n")) +
        "print('alive')\n";

    private static int Nr(string name)
    {
        var nr = Libseccomp.Resolve(name);
        nr.Should().BeGreaterThanOrEqualTo(0, $"{name} is a system call on this architecture");
        return nr;
    }

    public static TheoryData<string> Families => new(SeccompPolicy.Families.Keys);

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Every_call_of_a_denied_family_is_refused_by_the_filter(string family)
    {
        var names = SeccompPolicy.Families[family].Where(n => Libseccomp.Resolve(n) >= 0).ToList();

        var result = await Sandbox().RunAsync(Calls(names.Select(n => (n, ""))), CancellationToken.None);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be(string.Concat(names.Select(n => $"{n} {Marker}\n")) + "alive\n");
    }

    [Fact]
    public async Task Denied_calls_fail_with_EPERM_and_the_interpreter_carries_on()
    {
        var names = SeccompPolicy.Families.Values.SelectMany(f => f).Where(n => Libseccomp.Resolve(n) >= 0).ToList();

        var result = await Sandbox(SeccompPolicy.EPERM).RunAsync(Calls(names.Select(n => (n, ""))), CancellationToken.None);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be(string.Concat(names.Select(n => $"{n} 1\n")) + "alive\n");
    }

    [Fact]
    public async Task The_sandbox_cannot_trace_its_own_child()
    {
        var result = await Sandbox(SeccompPolicy.EPERM).RunAsync("""
            import ctypes, os, time
            libc = ctypes.CDLL(None, use_errno=True)
            child = os.fork()
            if child == 0:
                time.sleep(5); os._exit(0)
            PTRACE_ATTACH = 16
            rc = libc.ptrace(PTRACE_ATTACH, child, None, None)
            print("attach", rc, ctypes.get_errno())
            os.kill(child, 9); os.waitpid(child, 0)
            print("alive")
            """, CancellationToken.None);

        result.Stdout.Should().Be("attach -1 1\nalive\n");
    }

    [Fact]
    public async Task Only_unix_sockets_can_be_created()
    {
        // AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_VSOCK, AF_BLUETOOTH, AF_ALG; then AF_UNIX, which works.
        var result = await Sandbox().RunAsync(Calls([
            ("socket", "2, 1, 0"), ("socket", "10, 1, 0"), ("socket", "16, 3, 0"), ("socket", "17, 3, 0"),
            ("socket", "40, 1, 0"), ("socket", "31, 1, 0"), ("socket", "38, 5, 0"), ("socket", "1, 1, 0")]) +
            "import socket\na, b = socket.socketpair()\na.send(b'ok')\nprint(b.recv(2).decode())\n", CancellationToken.None);

        result.Stdout.Should().Be(string.Concat(Enumerable.Repeat($"socket {Marker}\n", 7)) + "socket 0\nalive\nok\n");
    }

    [Fact]
    public async Task Socket_and_pipe_buffers_cannot_be_enlarged()
    {
        var result = await Sandbox().RunAsync("""
            import errno, fcntl, os, socket
            a, b = socket.socketpair()
            for name in ("SO_SNDBUF", "SO_RCVBUF"):
                try:
                    a.setsockopt(socket.SOL_SOCKET, getattr(socket, name), 4 << 20)
                    print(name, "raised")
                except OSError as e:
                    print(name, e.errno)
            a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            print("other options work")
            r, w = os.pipe()
            try:
                fcntl.fcntl(w, 1031, 1 << 20)
                print("pipe raised")
            except OSError as e:
                print("F_SETPIPE_SZ", e.errno)
            print("pipe size", fcntl.fcntl(w, 1032))
            """, CancellationToken.None);

        result.Stdout.Should().Be($"SO_SNDBUF {Marker}\nSO_RCVBUF {Marker}\nother options work\nF_SETPIPE_SZ {Marker}\npipe size 65536\n");
    }

    [Fact]
    public async Task Clone_cannot_make_namespaces_but_fork_and_threads_work()
    {
        const long CloneNewUser = 0x10000000, CloneNewNet = 0x40000000, Sigchld = 17;
        var result = await Sandbox().RunAsync(Calls([
            ("clone", (CloneNewUser | Sigchld).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("clone", (CloneNewNet | Sigchld).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("clone3", "0, 0")]) + """
            import threading, subprocess
            pid = os.fork()
            if pid == 0:
                os._exit(7)
            print("fork", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
            out = []
            threads = [threading.Thread(target=out.append, args=(i,)) for i in range(4)]
            for t in threads: t.start()
            for t in threads: t.join()
            print("threads", sorted(out))
            print(subprocess.run(["echo", "child process"], capture_output=True, text=True).stdout.strip())
            """, CancellationToken.None);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be($"clone {Marker}\nclone {Marker}\nclone3 38\nalive\nfork 7\nthreads [0, 1, 2, 3]\nchild process\n",
            "clone3 answers ENOSYS so glibc falls back to clone, whose flags the filter can read");
    }

    [Fact]
    public async Task Multiprocessing_works_under_the_filter()
    {
        var result = await Sandbox(SeccompPolicy.EPERM).RunAsync("""
            import multiprocessing as mp
            def square(x):
                return x * x
            if __name__ == "__main__":
                for method in ("fork", "spawn", "forkserver"):
                    with mp.get_context(method).Pool(2) as pool:
                        print(method, sum(pool.map(square, range(10))))
                a, b = mp.Pipe()
                a.send("duplex pipe")
                print(b.recv())
            """, CancellationToken.None);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be("fork 285\nspawn 285\nforkserver 285\nduplex pipe\n");
    }

    [SkippableTheory]
    [InlineData("numpy", "import numpy as np\na = np.arange(12.0).reshape(3, 4)\nprint(float((a @ a.T).trace()), round(float(np.linalg.det(np.eye(3) * 2)), 6))\n", "506.0 8.0\n")]
    [InlineData("sympy", "import sympy as sp\nx = sp.symbols('x')\nprint(sp.integrate(sp.sin(x) ** 2, (x, 0, sp.pi)), sp.factor(x**2 - 1))\n", "pi/2 (x - 1)*(x + 1)\n")]
    public async Task Scientific_python_works_under_the_filter(string module, string code, string expected)
    {
        var sandbox = Sandbox(SeccompPolicy.EPERM);
        var present = await sandbox.RunAsync($"import importlib.util\nprint(importlib.util.find_spec('{module}') is not None)\n", CancellationToken.None);
        Skip.If(present.Stdout != "True\n", $"{module} is not installed for /usr/bin/python3 (.ci/install-tools.sh installs python3-{module})");

        var result = await sandbox.RunAsync(code, CancellationToken.None);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be(expected);
    }
}
