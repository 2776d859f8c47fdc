using System.Globalization;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// Bounds the resident memory of a whole process tree. RLIMIT_AS caps each process, but a script that forks
/// could otherwise hold the per-process limit many times over; this samples the tree's RSS from /proc and
/// reports when the sum passes the limit so the runner can kill the sandbox. It is a sampling guard
/// (every <see cref="Interval"/>), not an accounting one: a burst between samples can overshoot briefly.
/// </summary>
internal static class MemoryWatchdog
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private static readonly long PageBytes = Environment.SystemPageSize;

    /// <summary>
    /// Completes with a reason when the tree under <paramref name="rootPid"/> holds more than <paramref name="limitBytes"/>,
    /// or when <paramref name="oomKills"/> (the run's cgroup) reports the kernel killed a process at the limit; runs until
    /// cancelled otherwise. One out-of-memory kill ends the whole run so a script never carries on with a worker missing.
    /// </summary>
    public static async Task<string?> WatchAsync(int rootPid, long limitBytes, CancellationToken ct, Func<long>? oomKills = null)
    {
        using var timer = new PeriodicTimer(Interval);
        Interlocked.Increment(ref _running);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                if (oomKills?.Invoke() > 0) return KernelStopped(limitBytes);
                var rss = TreeRss(rootPid);
                if (rss > limitBytes)
                    return string.Create(CultureInfo.InvariantCulture,
                        $"sandbox: killed: its processes held {rss >> 20} MB of memory together, over the limit of {limitBytes >> 20} MB");
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
        return null;
    }

    private static int _running;

    /// <summary>Watchdogs polling now, in this process (each run's ends with it).</summary>
    public static int Running => Volatile.Read(ref _running);

    /// <summary>Why a run ended when the kernel killed one of its processes at the cgroup's memory limit.</summary>
    public static string KernelStopped(long limitBytes) => string.Create(CultureInfo.InvariantCulture,
        $"sandbox: killed: its processes and kernel buffers went over the limit of {limitBytes >> 20} MB of memory");

    /// <summary>Kernels without CONFIG_PROC_CHILDREN have no children files; then the tree comes from every process's parent.</summary>
    private static readonly bool HasChildrenFiles = File.Exists($"/proc/{Environment.ProcessId}/task/{Environment.ProcessId}/children");

    /// <summary>Resident bytes of a process and all its descendants.</summary>
    public static long TreeRss(int rootPid) => HasChildrenFiles ? TreeRssFromChildren(rootPid) : TreeRssFromParents(rootPid);

    internal static long TreeRssFromParents(int rootPid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid))
                {
                    if (!children.TryGetValue(ppid, out var list)) children[ppid] = list = [];
                    list.Add(pid);
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        long total = 0;
        var pending = new Stack<int>([rootPid]);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            total += Rss(pid);
            if (children.TryGetValue(pid, out var list)) foreach (var c in list) pending.Push(c);
        }
        return total;
    }

    internal static long TreeRssFromChildren(int rootPid)
    {
        long total = 0;
        var pending = new Stack<int>();
        pending.Push(rootPid);
        var seen = 0;
        while (pending.Count > 0 && seen++ < 100_000)
        {
            var pid = pending.Pop();
            total += Rss(pid);
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    var children = File.ReadAllText(Path.Combine(task, "children"));
                    foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var c)) pending.Push(c);
                }
            }
            catch (IOException) { }               // the process exited meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return total;
    }

    private static long Rss(int pid)
    {
        try
        {
            var statm = File.ReadAllText($"/proc/{pid}/statm");
            var fields = statm.Split(' ');
            return fields.Length > 1 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages) ? pages * PageBytes : 0;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }
}
