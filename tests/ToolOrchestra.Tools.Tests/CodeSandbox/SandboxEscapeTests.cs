using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Tools.Tests.CodeSandbox;

/// <summary>
/// The escape battery, against real bubblewrap: every attempt must be contained and this process unharmed.
/// Limits are small so the whole class runs in seconds. The "sandbox" collection runs one test at a time, so the
/// leftover-process checks see only the sandbox each test started.
/// </summary>
[Collection("sandbox")]
public sealed class SandboxEscapeTests
{
    private static PythonSandbox Sandbox(SandboxOptions? options = null) =>
        new(options ?? new SandboxOptions { TimeoutSeconds = 10, MemoryMb = 512 });

    [Fact]
    public async Task Runs_python_and_reports_output_exit_code_seconds_and_dollars()
    {
        var sandbox = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10 }, new ToolPrices(CodePerSecond: 2m));

        var result = await sandbox.RunAsync("import sys\nprint(6 * 7)\nprint('oops', file=sys.stderr)\nsys.exit(3)\n", CancellationToken.None);

        result.Stdout.Should().Be("42\n");
        result.Stderr.Should().Be("oops\n");
        result.ExitCode.Should().Be(3);
        result.TimedOut.Should().BeFalse();
        result.OutputTruncated.Should().BeFalse();
        result.Seconds.Should().BeInRange(0.001, 10);
        sandbox.CostOf(result).Should().Be(decimal.Round((decimal)result.Seconds * 2m, 12));
    }

    [Fact]
    public async Task Tracebacks_come_back_on_stderr_with_the_script_name()
    {
        var result = await Sandbox().RunAsync("x = 1\nraise ValueError('bad value')\n", CancellationToken.None);

        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain("main.py").And.Contain("ValueError: bad value");
    }

    [Fact]
    public async Task Cannot_connect_to_a_listener_on_the_hosts_loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await Sandbox().RunAsync($$"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {{port}}), timeout=2)
                print("connected")
            except OSError as e:
                print("blocked", type(e).__name__)
            try:
                socket.create_connection(("1.1.1.1", 80), timeout=2)
                print("internet")
            except OSError as e:
                print("blocked", type(e).__name__)
            """, CancellationToken.None);

        result.Stdout.Should().NotContain("connected").And.NotContain("internet");
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2).And.OnlyContain(l => l.StartsWith("blocked"));
        listener.Pending().Should().BeFalse("no connection may reach the host's listener");
    }

    [Fact]
    public async Task Cannot_write_outside_its_private_tmp_and_tmp_does_not_outlive_the_run()
    {
        var hostDir = Directory.CreateTempSubdirectory("sandbox-escape-");
        try
        {
            var targets = new[] { Path.Combine(hostDir.FullName, "pwned"), "/usr/pwned", "/etc/pwned", "/pwned", "/proc/pwned", "/dev/pwned", "/lib/pwned" };
            var code = "import os\n" +
                       $"for p in {PyList(targets)}:\n" +
                       "    try:\n        open(p, 'w').write('x')\n        print('WROTE', p)\n" +
                       "    except OSError as e:\n        print('denied', p)\n" +
                       "open('/dev/null', 'w').write('discarded')\n" +
                       "open('/tmp/scratch.txt', 'w').write('mine')\nprint('tmp ok', open('/tmp/scratch.txt').read())\n";

            var result = await Sandbox().RunAsync(code, CancellationToken.None);

            result.Stdout.Should().NotContain("WROTE").And.Contain("tmp ok mine");
            Directory.EnumerateFileSystemEntries(hostDir.FullName).Should().BeEmpty();
            File.Exists("/usr/pwned").Should().BeFalse();
            File.Exists("/pwned").Should().BeFalse();

            var next = await Sandbox().RunAsync("import os\nprint(sorted(os.listdir('/tmp')))\n", CancellationToken.None);
            next.Stdout.Should().Be("['main.py']\n", "every run gets a fresh /tmp");
        }
        finally
        {
            hostDir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Sees_neither_the_environment_nor_the_home_directory_nor_the_project()
    {
        var secret = "sk-test-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable("ORCHESTRA_TEST_API_KEY", secret);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var project = Path.Combine(SharedData.RepoRoot, "ToolOrchestra.slnx");
        try
        {
            var code = "import os\nprint(dict(os.environ))\n" +
                       $"for p in {PyList([home, project, "/proc/1/environ", "/work"])}:\n" +
                       "    try:\n" +
                       "        print('READ', p, os.listdir(p) if os.path.isdir(p) else open(p).read()[:100])\n" +
                       "    except OSError as e:\n        print('denied', p, type(e).__name__)\n";

            var result = await Sandbox().RunAsync(code, CancellationToken.None);

            result.ExitCode.Should().Be(0, result.Stderr);
            result.Stdout.Should().NotContain(secret).And.NotContain("ORCHESTRA_TEST_API_KEY");
            result.Stdout.Should().NotContain("READ " + project);
            result.Stdout.Should().NotContain("READ /work");
            result.Stdout.Should().NotContain("READ " + home + " ['");  // no listing of the real home
            result.Stdout.Should().NotContain("READ /proc/1/environ " + "ORCHESTRA");
        }
        finally
        {
            Environment.SetEnvironmentVariable("ORCHESTRA_TEST_API_KEY", null);
        }
    }

    [Fact]
    public async Task A_fork_bomb_is_stopped_by_the_process_limit_and_leaves_nothing_behind()
    {
        var sandbox = Sandbox(new SandboxOptions { TimeoutSeconds = 4, MaxProcesses = 16, MemoryMb = 256 });

        var result = await sandbox.RunAsync("""
            import os, sys, time
            children = 0
            for _ in range(200):
                try:
                    if os.fork() == 0:
                        time.sleep(60); os._exit(0)
                    children += 1
                except OSError:
                    break
            print("children", children, flush=True)
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.05)
            """, CancellationToken.None);

        result.TimedOut.Should().BeTrue();
        result.Seconds.Should().BeLessThan(10);
        var children = int.Parse(result.Stdout.Split('\n')[0].Split(' ')[1]);
        children.Should().BeInRange(1, 15, "the process limit is 16 including the script itself");
        (await SandboxProcessesLeftAsync()).Should().Be(0);
        (await sandbox.RunAsync("print('still fine')", CancellationToken.None)).Stdout.Should().Be("still fine\n");
    }

    [Fact]
    public async Task A_memory_bomb_fails_inside_the_sandbox()
    {
        var result = await Sandbox(new SandboxOptions { TimeoutSeconds = 10, MemoryMb = 200 }).RunAsync("""
            chunks = []
            while True:
                chunks.append(bytearray(50 * 1024 * 1024))
            """, CancellationToken.None);

        result.ExitCode.Should().NotBe(0);
        result.TimedOut.Should().BeFalse();
        result.Stderr.Should().Contain("MemoryError");
        Process.GetCurrentProcess().WorkingSet64.Should().BeLessThan(2L << 30);
    }

    [Fact]
    public async Task Many_processes_cannot_add_up_to_more_than_the_memory_limit()
    {
        // Each child stays under the per-process limit (200 MB); together they would hold 1.2 GB.
        var result = await Sandbox(new SandboxOptions { TimeoutSeconds = 20, MemoryMb = 200 }).RunAsync("""
            import os, time
            for _ in range(8):
                if os.fork() == 0:
                    block = bytearray(150 * 1024 * 1024)
                    for i in range(0, len(block), 4096):
                        block[i] = 1
                    time.sleep(60)
                    os._exit(0)
            time.sleep(60)
            print("SURVIVED")
            """, CancellationToken.None);

        result.Stdout.Should().NotContain("SURVIVED");
        result.TimedOut.Should().BeFalse();
        result.Stderr.Should().Contain("over the limit of 200 MB");
        result.Seconds.Should().BeLessThan(15);
        (await SandboxProcessesLeftAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_full_tmp_and_huge_files_are_refused()
    {
        var result = await Sandbox(new SandboxOptions { TimeoutSeconds = 10, MaxFileSizeMb = 8, TmpSizeMb = 16 }).RunAsync("""
            import signal
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            try:
                with open('/tmp/big', 'wb') as f:
                    f.write(b'x' * (64 * 1024 * 1024))
                print('WROTE big')
            except OSError as e:
                print('big refused', e.errno)
            written = 0
            try:
                for i in range(10):
                    with open(f'/tmp/part{i}', 'wb') as f:
                        f.write(b'x' * (4 * 1024 * 1024)); f.flush()
                    written += 4
                print('WROTE parts')
            except OSError as e:
                print('tmp full after', written, 'MB')
            """, CancellationToken.None);

        result.Stdout.Should().Contain("big refused").And.Contain("tmp full after").And.NotContain("WROTE");
    }

    [Fact]
    public async Task An_infinite_loop_is_killed_at_the_timeout()
    {
        var result = await Sandbox(new SandboxOptions { TimeoutSeconds = 1.5 }).RunAsync(
            "import subprocess\nsubprocess.Popen(['sleep', '600'])\nprint('looping', flush=True)\nwhile True:\n    pass\n",
            CancellationToken.None);

        result.TimedOut.Should().BeTrue();
        result.Stdout.Should().Be("looping\n");
        result.Seconds.Should().BeInRange(1.4, 6);
        (await SandboxProcessesLeftAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_hundred_megabytes_of_output_are_capped_and_the_run_stopped()
    {
        var result = await Sandbox(new SandboxOptions { TimeoutSeconds = 20, MaxOutputBytes = 1 << 20 }).RunAsync(
            "import sys\nline = 'y' * 1023 + '\\n'\nfor _ in range(100 * 1024):\n    sys.stdout.write(line)\nprint('END')\n",
            CancellationToken.None);

        result.OutputTruncated.Should().BeTrue();
        result.Stdout.Length.Should().Be(1 << 20);
        result.Stdout.Should().NotContain("END");
        result.TimedOut.Should().BeFalse();
    }

    [Fact]
    public async Task Cancellation_kills_the_sandbox()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var run = () => Sandbox().RunAsync("while True:\n    pass\n", cts.Token);

        await run.Should().ThrowAsync<OperationCanceledException>();
        (await SandboxProcessesLeftAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Refuses_with_the_package_name_when_bubblewrap_is_missing()
    {
        var sandbox = new PythonSandbox(new SandboxOptions { BubblewrapPath = "/nonexistent/bwrap" });

        var run = () => sandbox.RunAsync("print(1)", CancellationToken.None);

        (await run.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("bubblewrap").And.Contain("--unsafe-no-sandbox");
    }

    [Fact]
    public async Task Unsafe_mode_runs_without_bubblewrap_but_still_with_an_empty_environment()
    {
        Environment.SetEnvironmentVariable("ORCHESTRA_TEST_API_KEY", "secret-value");
        try
        {
            var sandbox = new PythonSandbox(new SandboxOptions { UnsafeNoSandbox = true, BubblewrapPath = "/nonexistent/bwrap", TimeoutSeconds = 10 });

            var result = await sandbox.RunAsync("import os\nprint(sorted(os.environ))\nprint(os.path.exists('main.py'))", CancellationToken.None);

            result.ExitCode.Should().Be(0, result.Stderr);
            result.Stdout.Should().NotContain("ORCHESTRA_TEST_API_KEY").And.EndWith("True\n");
        }
        finally
        {
            Environment.SetEnvironmentVariable("ORCHESTRA_TEST_API_KEY", null);
        }
    }

    /// <summary>Sandboxed scripts still alive anywhere on the machine (they all run as /tmp/main.py), after a short grace.</summary>
    private static async Task<int> SandboxProcessesLeftAsync()
    {
        var left = 0;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            left = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
                try
                {
                    var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                    if (cmdline.Contains("/tmp/main.py") || cmdline.StartsWith("sleep\0600")) left++;
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            if (left == 0) return 0;
            await Task.Delay(100);
        }
        return left;
    }

    private static string PyList(IEnumerable<string> paths) => "[" + string.Join(", ", paths.Select(p => "'" + p.Replace("'", "\\'") + "'")) + "]";
}
