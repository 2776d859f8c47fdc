using ToolOrchestra.Core;

namespace ToolOrchestra.Cli;

/// <summary>
/// The one error path of every command: a <see cref="UserError"/> becomes one line on stderr and exit code 2;
/// Ctrl+C becomes exit code 130. Anything else is a bug and keeps its stack trace.
/// </summary>
internal static class CliRunner
{
    public const int BadInput = 2;

    public static async Task<int> Guard(Func<CancellationToken, Task<int>> body, CancellationToken ct)
    {
        try
        {
            return await body(ct);
        }
        catch (UserError e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }
}
