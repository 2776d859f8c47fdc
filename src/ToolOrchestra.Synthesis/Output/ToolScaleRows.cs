using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Parquet.Serialization;
using ToolOrchestra.Core;

namespace ToolOrchestra.Synthesis.Output;

/// <summary>
/// One task as a row of the released ToolScale dataset (<c>nvidia/ToolScale</c>): its fields id, description,
/// user_scenario, initial_state and evaluation_criteria. In Parquet the nested fields are JSON text columns.
/// </summary>
public sealed class ToolScaleRow
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("user_scenario")] public string UserScenario { get; set; } = "";
    [JsonPropertyName("initial_state")] public string? InitialState { get; set; }
    [JsonPropertyName("evaluation_criteria")] public string EvaluationCriteria { get; set; } = "";

    public static ToolScaleRow From(JsonObject task) => new()
    {
        Id = task["id"]!.GetValue<string>(),
        Description = task["description"]?.ToJsonString() ?? "null",
        UserScenario = task["user_scenario"]!.ToJsonString(),
        InitialState = task["initial_state"]?.ToJsonString(),
        EvaluationCriteria = task["evaluation_criteria"]!.ToJsonString(),
    };
}

/// <summary>Collects the kept tasks of every domain folder and writes them as ToolScale JSONL and Parquet.</summary>
public static class ToolScaleRows
{
    public static IReadOnlyList<JsonObject> FromDomains(string domainsFolder, IEnumerable<string> domains) =>
        domains.SelectMany(d => JsonNode.Parse(File.ReadAllText(Path.Combine(domainsFolder, d, "tasks.json")))!.AsArray().Select(t => (JsonObject)t!)).ToList();

    /// <summary>One task per line with exactly the dataset's five fields, nested as JSON.</summary>
    public static async Task WriteJsonlAsync(IReadOnlyList<JsonObject> tasks, string path, CancellationToken ct)
    {
        var sb = new StringBuilder();
        foreach (var t in tasks)
        {
            var row = new JsonObject();
            foreach (var field in new[] { "id", "description", "user_scenario", "initial_state", "evaluation_criteria" })
                row[field] = t[field]?.DeepClone();
            sb.Append(row.ToJsonString(OrchestraJson.Compact)).Append('\n');
        }
        await AtomicFile.WriteAsync(path, sb.ToString(), ct).ConfigureAwait(false);
    }

    public static async Task WriteParquetAsync(IReadOnlyList<JsonObject> tasks, string path, CancellationToken ct)
    {
        var tmp = path + ".tmp";
        await using (var stream = File.Create(tmp))
            await ParquetSerializer.SerializeAsync(tasks.Select(ToolScaleRow.From).ToList(), stream, cancellationToken: ct).ConfigureAwait(false);
        File.Move(tmp, path, overwrite: true);
    }
}
