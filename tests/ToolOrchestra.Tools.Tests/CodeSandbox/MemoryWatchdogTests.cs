using System.Diagnostics;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Tools.Tests.CodeSandbox;

public sealed class MemoryWatchdogTests
{
    [Fact]
    public void Both_ways_of_walking_the_process_tree_count_a_childs_memory()
    {
        using var child = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "b = bytearray(64 << 20); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(30)"]))!;
        try
        {
            long own = 0;
            for (var i = 0; i < 100 && own <= 64L << 20; i++)
            {
                Thread.Sleep(50);
                own = MemoryWatchdog.TreeRssFromChildren(child.Id);
            }
            var viaChildren = MemoryWatchdog.TreeRssFromChildren(Environment.ProcessId);
            var viaParents = MemoryWatchdog.TreeRssFromParents(Environment.ProcessId);

            own.Should().BeGreaterThan(64L << 20);
            viaChildren.Should().BeGreaterThan(own, "the test process's tree holds the child");
            viaParents.Should().BeGreaterThan(own, "the test process's tree holds the child");
            MemoryWatchdog.TreeRssFromParents(child.Id).Should().BeCloseTo(own, 16 << 20);
        }
        finally
        {
            child.Kill();
        }
    }
}
