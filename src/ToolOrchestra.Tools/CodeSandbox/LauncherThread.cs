using System.Collections.Concurrent;
using System.Diagnostics;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// Starts processes from one thread that lives as long as this process. bubblewrap's --die-with-parent uses
/// PR_SET_PDEATHSIG, which fires when the forking <em>thread</em> exits; .NET forks on the calling thread, and a
/// thread-pool thread may retire mid-run, which would SIGKILL a healthy sandbox.
/// </summary>
internal static class LauncherThread
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Queue = new();

    static LauncherThread()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "sandbox-launcher" };
        thread.Start();
    }

    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((process, started));
        return started.Task;
    }

    private static void Loop()
    {
        foreach (var (process, started) in Queue.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
