using System.ComponentModel;
using System.Diagnostics;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>What a bounded run produced: at most the cap of each stream, the exit code and why it stopped.</summary>
internal sealed record BoundedRun(byte[] Stdout, byte[] Stderr, int ExitCode, bool TimedOut, bool OutputTruncated, double Seconds, string? KilledBecause = null);

/// <summary>
/// Runs one process with its input given up front, a wall-clock limit and a cap on captured output.
/// Exceeding either kills the process: a runaway print loop must not fill the caller's memory, and a hung
/// program must not hold the caller past its timeout.
/// </summary>
internal static class BoundedProcess
{
    /// <summary>How long to wait for the pipes to close after the process is gone (grandchildren may hold them).</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    /// <param name="stderrExtraBytes">Room for a launcher's own preamble on stderr beyond the caller's cap.</param>
    /// <param name="started">Runs once the process exists (or failed to), e.g. to close a descriptor only the child needed.</param>
    public static async Task<BoundedRun> RunAsync(
        ProcessStartInfo start, byte[] input, int maxOutputBytes, TimeSpan timeout, bool killTree,
        TimeProvider time, CancellationToken ct, Func<int, CancellationToken, Task<string?>>? watchdog = null,
        int stderrExtraBytes = 0, Action? started = null)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;

        using var process = new Process { StartInfo = start };
        var began = time.GetTimestamp();
        try
        {
            await LauncherThread.StartAsync(process).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw new ToolOrchestra.Core.UserError($"cannot start '{start.FileName}': {e.Message}. Install it or fix the path.", e);
        }
        finally
        {
            started?.Invoke();
        }

        var truncated = 0;
        void Kill()
        {
            try { process.Kill(entireProcessTree: killTree); }
            catch (InvalidOperationException) { } // already exited
            catch (Win32Exception) { }           // raced with exit
        }
        void OnOverflow() { Interlocked.Exchange(ref truncated, 1); Kill(); }

        var stdout = ReadCappedAsync(process.StandardOutput.BaseStream, maxOutputBytes, OnOverflow);
        var stderr = ReadCappedAsync(process.StandardError.BaseStream, maxOutputBytes + stderrExtraBytes, OnOverflow);
        var feed = FeedAsync(process.StandardInput.BaseStream, input);
        using var stopWatching = new CancellationTokenSource();
        string? killedBecause = null;
        var watching = watchdog is null ? Task.CompletedTask : Task.Run(async () =>
        {
            if (await watchdog(process.Id, stopWatching.Token).ConfigureAwait(false) is { } reason)
            {
                killedBecause = reason;
                Kill();
            }
        });

        try
        {
            var timedOut = false;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                deadline.CancelAfter(timeout);
                try
                {
                    await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Kill();
                    if (ct.IsCancellationRequested)
                    {
                        await WaitGoneAsync(process).ConfigureAwait(false);
                        ct.ThrowIfCancellationRequested();
                    }
                    timedOut = true;
                    await WaitGoneAsync(process).ConfigureAwait(false);
                }
            }
            var seconds = time.GetElapsedTime(began).TotalSeconds;
            await StopAsync(stopWatching, watching).ConfigureAwait(false);

            // The pipes close when the last holder dies; inside the sandbox that is the namespace going away.
            try { await Task.WhenAll(stdout, stderr, feed).WaitAsync(DrainGrace, CancellationToken.None).ConfigureAwait(false); }
            catch (TimeoutException) { Kill(); }

            return new BoundedRun(
                stdout.IsCompletedSuccessfully ? stdout.Result : [],
                stderr.IsCompletedSuccessfully ? stderr.Result : [],
                process.HasExited ? process.ExitCode : -1,
                timedOut,
                truncated == 1,
                seconds,
                killedBecause);
        }
        finally
        {
            // A cancelled run too: the watchdog would otherwise poll /proc until this process exits.
            await StopAsync(stopWatching, watching).ConfigureAwait(false);
            // Process.Dispose leaves pipes the caller has read to the finalizer: two descriptors per run pile up under load.
            process.StandardOutput.Dispose();
            process.StandardError.Dispose();
        }
    }

    private static async Task StopAsync(CancellationTokenSource stopWatching, Task watching)
    {
        await stopWatching.CancelAsync().ConfigureAwait(false);
        await watching.ConfigureAwait(false);
    }

    private static async Task WaitGoneAsync(Process process)
    {
        using var grace = new CancellationTokenSource(DrainGrace);
        try { await process.WaitForExitAsync(grace.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    private static async Task FeedAsync(Stream stdin, byte[] input)
    {
        try
        {
            await stdin.WriteAsync(input).ConfigureAwait(false);
        }
        catch (IOException) { } // the process exited before reading everything (e.g. the sandbox failed to start)
        finally
        {
            try { stdin.Dispose(); } catch (IOException) { }
        }
    }

    /// <summary>Keeps the first <paramref name="cap"/> bytes; on more, calls <paramref name="overflow"/> once and discards the rest until EOF.</summary>
    private static async Task<byte[]> ReadCappedAsync(Stream stream, int cap, Action overflow)
    {
        var kept = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var overflowed = false;
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                var room = cap - (int)kept.Length;
                if (room > 0) kept.Write(buffer, 0, Math.Min(room, n));
                if (n > room && !overflowed)
                {
                    overflowed = true;
                    overflow();
                }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }       // closed under a read whose holders outlived the drain grace
        catch (OperationCanceledException) { }
        return kept.ToArray();
    }
}
