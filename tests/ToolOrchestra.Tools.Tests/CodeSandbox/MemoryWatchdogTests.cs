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
            long viaChildren = 0, viaParents = 0;
            for (var i = 0; i < 50 && viaChildren < 64L << 20; i++)
            {
                Thread.Sleep(100);
                viaChildren = MemoryWatchdog.TreeRssFromChildren(Environment.ProcessId);
                viaParents = MemoryWatchdog.TreeRssFromParents(Environment.ProcessId);
            }

            var own = MemoryWatchdog.TreeRssFromChildren(child.Id);
            own.Should().BeGreaterThan(64L << 20);
            viaChildren.Should().BeGreaterThan(own);
            viaParents.Should().BeGreaterThan(own);
        }
        finally
        {
            child.Kill();
        }
    }
}
