using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Tools.Tests.CodeSandbox;

/// <summary>Counts of this process's descriptors and watchdogs must not see other tests' sandboxes: run alone.</summary>
[CollectionDefinition("sandbox-resources", DisableParallelization = true)]
public sealed class SandboxResourcesCollection;

/// <summary>
/// What a sandbox run leaves behind in the calling process, under a server's load: nothing. Its output pipes are
/// closed when it ends (not when the garbage collector gets to them) and its memory watchdog stops polling when it
/// ends, cancelled runs included. Real bubblewrap, real python3.
/// </summary>
[Collection("sandbox-resources"), System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SandboxResourceTests
{
    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Runs_release_their_pipes_when_they_end(bool unsafeNoSandbox)
    {
        var sandbox = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 20, MemoryMb = 256, UnsafeNoSandbox = unsafeNoSandbox });
        (await sandbox.RunAsync("print(1)", CancellationToken.None)).Stdout.Should().Be("1\n"); // warm: lazily opened files stay open
        var before = OpenDescriptors();

        // Counted after every run: leaked pipes vanish only when a collection happens to run their finalizers.
        var most = before;
        for (var i = 0; i < 20; i++)
        {
            (await sandbox.RunAsync($"print({i})", CancellationToken.None)).ExitCode.Should().Be(0);
            most = Math.Max(most, OpenDescriptors());
        }

        most.Should().BeLessThanOrEqualTo(before + 2, "a run must not leave its 2 pipe descriptors for the garbage collector");
    }

    [Fact]
    public async Task A_cancelled_run_stops_its_memory_watchdog_and_releases_its_pipes()
    {
        var sandbox = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 30, MemoryMb = 256 });
        (await sandbox.RunAsync("print(1)", CancellationToken.None)).ExitCode.Should().Be(0);
        var before = OpenDescriptors();
        MemoryWatchdog.Running.Should().Be(0);

        using var cancel = new CancellationTokenSource();
        var run = sandbox.RunAsync("import time\nprint('started', flush=True)\ntime.sleep(25)", cancel.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (MemoryWatchdog.Running == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        MemoryWatchdog.Running.Should().Be(1, "the run is being watched");
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => run).Should().ThrowAsync<OperationCanceledException>();

        MemoryWatchdog.Running.Should().Be(0, "a cancelled run's watchdog must not poll /proc until the process exits");
        OpenDescriptors().Should().BeLessThanOrEqualTo(before + 2);
    }
}
