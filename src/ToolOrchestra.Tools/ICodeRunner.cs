using ToolOrchestra.Core.Catalog;
namespace ToolOrchestra.Tools;

/// <summary>
/// Runs model-written Python and reports what happened. The real implementation is the bubblewrap sandbox
/// (Tools/CodeSandbox); the QA protocol's <c>enhance_reasoning</c> uses it through this seam.
/// </summary>
public interface ICodeRunner
{
    Task<CodeResult> RunAsync(string code, CancellationToken ct);

    /// <summary>The most one run can cost at <paramref name="prices"/>: held against the episode's budget before it starts.</summary>
    decimal WorstCaseUsd(ToolPrices prices) => 0m;
}

/// <summary>Outcome of one execution. <see cref="Seconds"/> is wall-clock; dollars come from the catalog's code price.</summary>
public sealed record CodeResult(string Stdout, string Stderr, int ExitCode, bool TimedOut, double Seconds, bool OutputTruncated = false);
