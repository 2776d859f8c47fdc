using System.Diagnostics;
using System.Globalization;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// One child cgroup per run, holding the whole sandbox, removed afterwards. The memory limit there is the kernel's
/// own account: it counts socket and pipe buffers, tmpfs pages and page tables, which the resident-memory watchdog
/// cannot see, so a flood of socketpair buffers is stopped at the limit instead of draining the host. Used when
/// this process may create cgroups below its own (root on cgroup v1, or a delegated cgroup v2 subtree); elsewhere
/// the sandbox falls back to rlimits (see <see cref="SandboxLayers"/>).
/// </summary>
internal sealed class SandboxCgroup : IDisposable
{
    /// <summary>Where children can be made: the directory of this process's cgroup in one hierarchy.</summary>
    internal sealed record Parent(string Directory, int Version, bool Memory, bool Pids);

    private static readonly Lazy<IReadOnlyList<Parent>> Detected = new(Detect);
    private static int _counter;

    private readonly List<(string Directory, Parent Parent)> _dirs;

    private SandboxCgroup(List<(string, Parent)> dirs) => _dirs = dirs;

    /// <summary>Writable cgroup parents offering a memory limit (and pids where mounted), found once per process; empty when none.</summary>
    public static IReadOnlyList<Parent> Parents => Detected.Value;

    /// <summary>The <c>cgroup.procs</c> files the launcher writes "0" to, moving itself in before it starts bubblewrap.</summary>
    public IEnumerable<string> ProcsFiles => _dirs.Select(d => Path.Combine(d.Directory, "cgroup.procs"));

    /// <summary>A fresh cgroup limited to <paramref name="memoryBytes"/> and <paramref name="maxPids"/>, or null when none can be made here.</summary>
    public static SandboxCgroup? TryCreate(long memoryBytes, int maxPids)
    {
        if (Parents.Count == 0) return null;
        var name = string.Create(CultureInfo.InvariantCulture, $"orchestra-sandbox-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}");
        var made = new List<(string, Parent)>();
        var cgroup = new SandboxCgroup(made);
        try
        {
            foreach (var parent in Parents)
            {
                var dir = Path.Combine(parent.Directory, name);
                Directory.CreateDirectory(dir);
                made.Add((dir, parent));
                if (parent.Memory) WriteMemoryLimit(dir, parent.Version, memoryBytes);
                if (parent.Pids) File.WriteAllText(Path.Combine(dir, "pids.max"), Invariant(maxPids));
            }
            return cgroup;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cgroup.Dispose();
            return null;
        }
    }

    private static void WriteMemoryLimit(string dir, int version, long bytes)
    {
        if (version == 2)
        {
            File.WriteAllText(Path.Combine(dir, "memory.max"), Invariant(bytes));
            TryWrite(Path.Combine(dir, "memory.swap.max"), "0");
        }
        else
        {
            File.WriteAllText(Path.Combine(dir, "memory.limit_in_bytes"), Invariant(bytes));
            TryWrite(Path.Combine(dir, "memory.memsw.limit_in_bytes"), Invariant(bytes)); // no swap on top, where accounted
        }
    }

    /// <summary>How many processes the kernel killed for reaching the memory limit so far.</summary>
    public long OomKills()
    {
        foreach (var (dir, parent) in _dirs)
        {
            if (!parent.Memory) continue;
            var file = Path.Combine(dir, parent.Version == 2 ? "memory.events" : "memory.oom_control");
            return ReadKeyed(file, "oom_kill");
        }
        return 0;
    }

    /// <summary>Most memory the sandbox held at once, kernel memory included (null where the kernel does not say).</summary>
    public long? PeakBytes()
    {
        foreach (var (dir, parent) in _dirs)
        {
            if (!parent.Memory) continue;
            try
            {
                var text = File.ReadAllText(Path.Combine(dir, parent.Version == 2 ? "memory.peak" : "memory.max_usage_in_bytes"));
                return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
        }
        return null;
    }

    /// <summary>Kills what is left (normally nothing: the pid namespace died with bubblewrap) and removes the cgroups.</summary>
    public void Dispose()
    {
        foreach (var (dir, _) in _dirs)
        {
            for (var attempt = 0; attempt < 400; attempt++)
            {
                var left = Pids(dir);
                foreach (var pid in left)
                {
                    try { using var p = Process.GetProcessById(pid); p.Kill(); }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
                }
                try
                {
                    Directory.Delete(dir);
                    break;
                }
                catch (DirectoryNotFoundException) { break; }
                catch (IOException) { Thread.Sleep(5); } // busy until the last processes are reaped, usually a few ms
                catch (UnauthorizedAccessException) { break; }
            }
        }
        _dirs.Clear();
    }

    private static List<int> Pids(string dir)
    {
        try
        {
            return File.ReadAllLines(Path.Combine(dir, "cgroup.procs"))
                .Select(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
                .Where(pid => pid > 0).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>
    /// Finds this process's cgroup in each mounted hierarchy from /proc/self/mountinfo and /proc/self/cgroup, and keeps
    /// those where a child can be created (tried once with a throwaway directory). cgroup v2 is used when its memory
    /// controller is enabled for children; otherwise the v1 memory hierarchy, with the v1 pids one beside it.
    /// </summary>
    private static IReadOnlyList<Parent> Detect()
    {
        try
        {
            var mounts = File.ReadAllLines("/proc/self/mountinfo");
            var membership = File.ReadAllLines("/proc/self/cgroup");

            if (Mount(mounts, "cgroup2", null) is { } v2 && Membership(membership, "") is { } path2)
            {
                var dir = Combine(v2, path2);
                var enabled = ReadText(Path.Combine(dir, "cgroup.subtree_control"));
                if (!enabled.Contains("memory", StringComparison.Ordinal))
                {
                    TryWrite(Path.Combine(dir, "cgroup.subtree_control"), "+memory +pids");
                    enabled = ReadText(Path.Combine(dir, "cgroup.subtree_control"));
                }
                if (enabled.Contains("memory", StringComparison.Ordinal) && CanCreateChild(dir))
                    return [new Parent(dir, 2, Memory: true, Pids: enabled.Contains("pids", StringComparison.Ordinal))];
            }

            var parents = new List<Parent>();
            if (Mount(mounts, "cgroup", "memory") is { } memory && Membership(membership, "memory") is { } memoryPath)
            {
                var dir = Combine(memory, memoryPath);
                if (File.Exists(Path.Combine(dir, "memory.limit_in_bytes")) && CanCreateChild(dir)) parents.Add(new Parent(dir, 1, Memory: true, Pids: false));
            }
            if (parents.Count > 0 && Mount(mounts, "cgroup", "pids") is { } pids && Membership(membership, "pids") is { } pidsPath)
            {
                var dir = Combine(pids, pidsPath);
                if (CanCreateChild(dir)) parents.Add(new Parent(dir, 1, Memory: false, Pids: true));
            }
            return parents;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>(mount point, root within the hierarchy) of the first mount of that type carrying the controller.</summary>
    private static (string Point, string Root)? Mount(string[] mountinfo, string type, string? controller)
    {
        foreach (var line in mountinfo)
        {
            // "id parent major:minor root point options [optional...] - type source superoptions"
            var parts = line.Split(" - ", 2);
            if (parts.Length != 2) continue;
            var before = parts[0].Split(' ');
            var after = parts[1].Split(' ');
            if (before.Length < 5 || after.Length < 3 || after[0] != type) continue;
            if (controller is not null && !after[2].Split(',').Contains(controller)) continue;
            return (Unescape(before[4]), Unescape(before[3]));
        }
        return null;
    }

    /// <summary>This process's path in the hierarchy with that controller ("" for cgroup v2's single one).</summary>
    private static string? Membership(string[] cgroupLines, string controller)
    {
        foreach (var line in cgroupLines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && (controller.Length == 0 ? parts[0] == "0" && parts[1].Length == 0 : parts[1].Split(',').Contains(controller)))
                return parts[2];
        }
        return null;
    }

    private static string Combine((string Point, string Root) mount, string path)
    {
        var relative = mount.Root != "/" && path.StartsWith(mount.Root, StringComparison.Ordinal) ? path[mount.Root.Length..] : path;
        return Path.Join(mount.Point, relative.TrimStart('/'));
    }

    private static bool CanCreateChild(string dir)
    {
        var probe = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"orchestra-probe-{Environment.ProcessId}"));
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private static long ReadKeyed(string file, string key)
    {
        foreach (var line in ReadText(file).Split('\n'))
            if (line.Split(' ') is [var k, var v] && k == key && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        return 0;
    }

    private static string ReadText(string file)
    {
        try { return File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    private static void TryWrite(string file, string text)
    {
        try { File.WriteAllText(file, text); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static string Unescape(string mountinfoField) => mountinfoField.Replace("\\040", " ", StringComparison.Ordinal);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
