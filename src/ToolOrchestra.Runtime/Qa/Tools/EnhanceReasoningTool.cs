using System.Globalization;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Qa.Tools;

/// <summary>
/// <c>enhance_reasoning</c>: the alias's expert writes Python, the code runner (bubblewrap sandbox) executes it, and
/// code with non-empty stdout joins the context (the reference keeps stdout only).
/// </summary>
internal sealed class EnhanceReasoningTool(ICodeRunner? codeRunner) : QaExpertTool(QaTool.EnhanceReasoning)
{
    protected override string Description =>
        "tool to enhance answer model reasoning. analyze the problem, write code, execute it and return intermidiate results that will help solve the problem";
    protected override string ModelParameterLead => "The model used to reason.";

    public override async Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct)
    {
        if (codeRunner is null)
            return new ToolOutput("Tool not configured: enhance_reasoning needs the code sandbox (python3 under bubblewrap).");
        var state = invocation.Context.Feature<QaEpisodeState>();
        var reply = await AskExpertAsync(invocation, null, ExpertPrompts.Code(ExpertContext(invocation), state.Problem, state.Variant), ct).ConfigureAwait(false);
        if (ExpertPrompts.ExtractCode(reply, state.Variant) is not { } code) return new ToolOutput("The expert wrote no ```python block; nothing was run.");
        using var hold = await invocation.Context.Ledger.HoldAsync(codeRunner.WorstCaseUsd(invocation.Context.Catalog.ToolPrices), ct).ConfigureAwait(false);
        var result = await codeRunner.RunAsync(code, ct).ConfigureAwait(false);
        invocation.Context.Ledger.Record(ToolLedger.Code(invocation.Context.Turn, result, invocation.Context.Catalog.ToolPrices, alias: invocation.Alias));
        if (result.Stdout.Trim().Length > 0) state.Context.AddCode(code, result.Stdout);
        return new ToolOutput($"Exit code {result.ExitCode}{(result.TimedOut ? " (timed out)" : "")} after {result.Seconds.ToString("0.###", CultureInfo.InvariantCulture)} s.\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}");
    }
}
