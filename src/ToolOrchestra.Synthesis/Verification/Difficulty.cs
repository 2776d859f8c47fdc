using System.Text.Json.Nodes;

namespace ToolOrchestra.Synthesis.Verification;

/// <summary>How hard a verified task is: gold actions, distinct tools, reads before the first write.</summary>
public sealed record Difficulty(int Actions, int DistinctTools, int ReadsBeforeFirstWrite, int Writes)
{
    public JsonObject ToJson() => new()
    {
        ["actions"] = Actions,
        ["distinct_tools"] = DistinctTools,
        ["reads_before_first_write"] = ReadsBeforeFirstWrite,
        ["writes"] = Writes,
    };
}
