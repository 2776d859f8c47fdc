using ToolOrchestra.Core;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Tools.Tests.CodeSandbox;

/// <summary>One launch per run: no start-up probe, yet a sandbox that cannot start is still told from code that fails.</summary>
[Collection("sandbox"), System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SandboxLaunchTests
{
    [Fact]
    public async Task Each_run_starts_bubblewrap_once_even_from_fresh_sandbox_objects()
    {
        var dir = Directory.CreateTempSubdirectory("sandbox-launch-");
        try
        {
            // The wrapper runs as the sandbox's host user (nobody when the tests run as root), so both files are open to it.
            File.SetUnixFileMode(dir.FullName, (UnixFileMode)0b111_101_101);
            var log = Path.Combine(dir.FullName, "launches");
            File.WriteAllText(log, "");
            File.SetUnixFileMode(log, (UnixFileMode)0b110_110_110);
            var wrapper = Path.Combine(dir.FullName, "bwrap");
            File.WriteAllText(wrapper, $"#!/bin/sh\necho launch >> '{log}'\nexec '{PythonSandbox.FindExecutable("bwrap")}' \"$@\"\n");
            File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);

            for (var i = 0; i < 3; i++)
            {
                var result = await new PythonSandbox(new SandboxOptions { BubblewrapPath = wrapper, TimeoutSeconds = 10 })
                    .RunAsync("print(1)", CancellationToken.None);
                result.Stdout.Should().Be("1\n", result.Stderr);
            }

            File.ReadAllLines(log).Should().HaveCount(3);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_sandbox_that_cannot_start_is_a_setup_error()
    {
        var sandbox = new PythonSandbox(new SandboxOptions { BubblewrapPath = "/bin/false", TimeoutSeconds = 10 });

        var run = () => sandbox.RunAsync("print(1)", CancellationToken.None);

        (await run.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("code sandbox cannot start");
    }

    [Fact]
    public async Task Code_that_imitates_a_setup_failure_is_still_an_ordinary_result()
    {
        var result = await new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10 }).RunAsync(
            "import sys\nsys.stderr.write('bwrap: Creating new namespace failed\\n')\nsys.exit(1)\n", CancellationToken.None);

        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Be("bwrap: Creating new namespace failed\n");
    }
}
