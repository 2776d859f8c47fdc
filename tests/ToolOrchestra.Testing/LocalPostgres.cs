using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ToolOrchestra.Testing;

/// <summary>
/// A throwaway PostgreSQL server on 127.0.0.1 from Debian's binaries (/usr/lib/postgresql/*/bin), in a temp directory,
/// trust auth, fsync off. As root it runs as the <c>postgres</c> user (the server refuses root). Disposing stops it and
/// deletes its files. <see cref="StartAsync"/> fails with a message naming the missing package when none is installed.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly Process _server;
    private readonly string _dir;

    private LocalPostgres(Process server, string dir, int port)
    {
        _server = server;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A <c>postgres://</c> URL for <paramref name="database"/> (what users pass to <c>--store</c>).</summary>
    public string Url(string database = "postgres") => $"postgres://postgres@127.0.0.1:{Port}/{database}";

    /// <summary>An Npgsql connection string for <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false";

    public static string? BinDirectory =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending(StringComparer.Ordinal).FirstOrDefault()
            : null;

    public static async Task<LocalPostgres> StartAsync()
    {
        var bin = BinDirectory ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install the 'postgresql' package (run-tests does).");
        var dir = Path.Combine(Path.GetTempPath(), "orchestra-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var asRoot = Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || geteuid() == 0;
        if (asRoot) Run("chown", ["postgres:postgres", dir]);
        var data = Path.Combine(dir, "data");
        Run(asRoot ? "setpriv" : Path.Combine(bin, "initdb"),
            [.. Prefix(asRoot, Path.Combine(bin, "initdb")), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
        var port = FreePort();
        var psi = new ProcessStartInfo(asRoot ? "setpriv" : Path.Combine(bin, "postgres"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in Prefix(asRoot, Path.Combine(bin, "postgres"))) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "-D", data, "-p", port.ToString(), "-k", dir, "-c", "listen_addresses=127.0.0.1",
                     "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
                     "-c", "shared_buffers=32MB" })
            psi.ArgumentList.Add(a);
        var server = Process.Start(psi)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var pg = new LocalPostgres(server, dir, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (server.HasExited) { await pg.DisposeAsync(); throw new InvalidOperationException($"postgres exited with {server.ExitCode} before accepting connections."); }
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                await Task.Delay(200); // the postmaster accepts TCP a moment before it accepts logins
                return pg;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline) { await Task.Delay(100); }
        }
    }

    /// <summary>Creates an empty database and returns its name.</summary>
    public string CreateDatabase(string name)
    {
        var bin = BinDirectory!;
        Run(Path.Combine(bin, "createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres", name]);
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_server.HasExited)
            {
                Process.Start("kill", ["-INT", _server.Id.ToString()])?.WaitForExit(5000); // fast shutdown
                if (!_server.WaitForExit(10_000)) _server.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException) { }
        _server.Dispose();
        await Task.Yield();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string[] Prefix(bool asRoot, string program) =>
        asRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", program] : [program];

    private static void Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var outp = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err.Result}{outp}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
