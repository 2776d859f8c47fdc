using System.Text.Json;
using ToolOrchestra.Core;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// The report as JSON with stable snake_case names: <c>{"runs":[{"run_id","benchmark","setup","orchestrator","samples",
/// "errors","accuracy","dollars_per_task","seconds_per_task","wall_seconds_per_task","turns_per_task","calls_per_alias",…}],
/// "turn_limits":[…],"call_shares":[…],"cost_accuracy":[…],"preferences":[…],"comparisons":[…],"training":[…]}</c>.
/// </summary>
public static class JsonReport
{
    public static string Write(EvalReport report, bool indented = true) =>
        JsonSerializer.Serialize(report, indented ? OrchestraJson.Options : OrchestraJson.Compact);
}
