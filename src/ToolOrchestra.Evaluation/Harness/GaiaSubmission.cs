using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Evaluation.Store;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// The GAIA leaderboard's submission: JSON lines <c>{"task_id", "model_answer", "reasoning_trace"}</c>, one per task of
/// the file run, in its order. A task without a stored answer (failed, not yet run) gets an empty <c>model_answer</c>, so
/// the file always lists every task; the trace is the orchestrator's tool calls and observations (cut to a few hundred
/// characters each), or the model's whole reply under <c>direct</c>. Written whole to a temporary file, then moved.
/// </summary>
public static class GaiaSubmission
{
    private const int ObservationChars = 600;

    /// <summary>Writes the file and returns how many tasks have an answer in it.</summary>
    public static async Task<int> WriteAsync(EvalStore store, string runId, IReadOnlyList<GaiaTask> tasks, string path, CancellationToken ct = default)
    {
        var samples = (await store.LoadSamplesAsync(runId, withTrajectories: true, ct).ConfigureAwait(false))
            .Where(s => s.Status == SampleStatus.Done).ToDictionary(s => s.SampleId, StringComparer.Ordinal);
        var text = new StringBuilder();
        var answered = 0;
        foreach (var task in tasks)
        {
            var sample = samples.GetValueOrDefault(task.SampleId);
            if (sample?.Answer is not null) answered++;
            text.Append(new JsonObject
            {
                ["task_id"] = task.Id,
                ["model_answer"] = sample?.Answer ?? "",
                ["reasoning_trace"] = Trace(sample?.TrajectoryJson),
            }.ToJsonString()).Append('\n');
        }
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } dir) Directory.CreateDirectory(dir);
        var temp = full + ".tmp";
        await File.WriteAllTextAsync(temp, text.ToString(), new UTF8Encoding(false), ct).ConfigureAwait(false);
        File.Move(temp, full, overwrite: true);
        return answered;
    }

    /// <summary>The steps by which the answer was reached, read from the stored trajectory.</summary>
    public static string Trace(string? trajectoryJson)
    {
        if (trajectoryJson is null) return "";
        var root = JsonNode.Parse(trajectoryJson)?.AsObject();
        if (root is null) return "";
        if (root["raw_output"] is JsonValue raw) return raw.ToString();
        var steps = new StringBuilder();
        foreach (var turn in root["turns"]?.AsArray() ?? [])
        {
            if (turn is null) continue;
            var call = turn["call"];
            steps.Append("Turn ").Append(turn["turn"]).Append(": ");
            steps.Append(call is null ? "(no tool call)" : $"{call["name"]}({call["arguments_json"]})");
            if (turn["observation"]?.ToString() is { Length: > 0 } observation)
                steps.Append(" -> ").Append(observation.Length > ObservationChars ? observation[..ObservationChars] + "…" : observation);
            steps.Append('\n');
        }
        if (root["answer"]?.ToString() is { } answer) steps.Append("Answer: ").Append(answer);
        return steps.ToString().Trim();
    }
}
