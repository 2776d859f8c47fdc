using System.Runtime.InteropServices;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Tools.Tests.CodeSandbox;

/// <summary>
/// Escape 1 of issue 16: descriptors the caller leaves inheritable (no O_CLOEXEC) used to reach the code. The test
/// process opens a private file for reading and a host file for writing the way a careless host application would,
/// places them above the sandbox's own RLIMIT_NOFILE too, and the script must find only 0, 1 and 2.
/// </summary>
[Collection("sandbox"), System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InheritedDescriptorTests
{
    private const int ReadOnly = 0, WriteOnlyAppend = 0x401, DuplicateFrom = 0; // O_RDONLY, O_WRONLY|O_APPEND, F_DUPFD

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Only_stdin_stdout_and_stderr_reach_the_code(bool unsafeNoSandbox)
    {
        var dir = Directory.CreateTempSubdirectory("sandbox-fds-");
        var secret = Path.Combine(dir.FullName, "secret");
        var hostFile = Path.Combine(dir.FullName, "host.log");
        File.WriteAllText(secret, "TOP-SECRET");
        File.WriteAllText(hostFile, "untouched\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead); // root-only when the tests run as root
        var opened = new List<int>();
        try
        {
            var read = open(secret, ReadOnly);
            var write = open(hostFile, WriteOnlyAppend);
            read.Should().BeGreaterThan(2);
            write.Should().BeGreaterThan(2);
            opened.AddRange([read, write, fcntl(read, DuplicateFrom, 300), fcntl(write, DuplicateFrom, 700)]);
            opened.Should().OnlyContain(fd => fd > 2);

            var sandbox = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10, MemoryMb = 256, UnsafeNoSandbox = unsafeNoSandbox });
            var result = await sandbox.RunAsync($$"""
                import os
                found = []
                for fd in range(3, 65536):
                    try:
                        os.fstat(fd)
                        found.append(fd)
                    except OSError:
                        pass
                print("open:", found)
                for fd in {{"[" + string.Join(", ", opened) + "]"}}:
                    try:
                        print("READ", fd, os.read(fd, 100))
                    except OSError as e:
                        print("no read", fd, e.errno)
                    try:
                        os.write(fd, b"PWNED\n")
                        print("WROTE", fd)
                    except OSError as e:
                        print("no write", fd, e.errno)
                """, CancellationToken.None);

            result.ExitCode.Should().Be(0, result.Stderr);
            result.Stdout.Should().StartWith("open: []\n");
            result.Stdout.Should().NotContain("READ").And.NotContain("WROTE").And.NotContain("TOP-SECRET");
            result.Stdout.Should().Contain($"no read {opened[3]} 9", "EBADF: the number names nothing in the sandbox");
            File.ReadAllText(hostFile).Should().Be("untouched\n");
        }
        finally
        {
            foreach (var fd in opened) close(fd);
            dir.Delete(recursive: true);
        }
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);

    [DllImport("libc")]
    private static extern int close(int fd);
}
