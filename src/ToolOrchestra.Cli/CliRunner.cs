using ToolOrchestra.Core;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Cli;

/// <summary>
/// The one error path of every command: a <see cref="UserError"/> (or a file-system refusal about a path the user
/// gave) becomes one line on stderr and exit code 2; Ctrl+C becomes exit code 130. Anything else is a bug: one line
/// and exit code 70, with the stack trace only when ORCHESTRA_DEBUG=1, because a user's input must never print one.
/// </summary>
internal static class CliRunner
{
    public const int BadInput = 2;
    public const int InternalError = 70; // EX_SOFTWARE

    private static bool Debug => Environment.GetEnvironmentVariable("ORCHESTRA_DEBUG") == "1";

    /// <summary>Serves until Ctrl+C (the command's token), then prints <paramref name="stopped"/>: every serving command ends this way.</summary>
    public static async Task<int> ServeUntilStoppedAsync(CancellationToken ct, Func<string>? stopped = null)
    {
        Console.WriteLine("Press Ctrl+C to stop.");
        await Console.Out.FlushAsync(ct).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.WriteLine(stopped?.Invoke() ?? "stopped");
        }
        return 0;
    }

    public static async Task<int> Guard(Func<CancellationToken, Task<int>> body, CancellationToken ct)
    {
        try
        {
            return await body(ct);
        }
        catch (UserError e)
        {
            Console.Error.WriteLine($"error: {SecretRedactor.Redact(e.Message)}");
            return BadInput;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !Debug)
        {
            Console.Error.WriteLine($"error: {SecretRedactor.Redact(e.Message).ReplaceLineEndings(" ")} Check the paths given.");
            return BadInput;
        }
        catch (Exception e) when (!Debug)
        {
            Console.Error.WriteLine($"error: internal error, a bug in orchestra ({e.GetType().Name}: {SecretRedactor.Redact(e.Message).ReplaceLineEndings(" ")}); rerun with ORCHESTRA_DEBUG=1 for details and report it.");
            return InternalError;
        }
    }
}
