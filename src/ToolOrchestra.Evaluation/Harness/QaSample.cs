using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Evaluation.Store;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// How a question-answering benchmark (qa, gaia) records one sample, whatever scores it: the answer, its calls and
/// dollars, the trajectory (the engine's, or the direct setup's prompt and reply), and — when infrastructure rather
/// than the orchestrator's judgement ended the run — a failure that a rerun retries.
/// </summary>
internal static class QaSample
{
    /// <summary>The direct setup's record: the model alone, its prompt and reply.</summary>
    public static string DirectTrajectory(ModelEntry model, string problem, DirectReply reply) => new JsonObject
    {
        ["setup"] = "direct", ["model"] = model.Id, ["problem"] = problem,
        ["prompt"] = JsonSerializer.SerializeToNode(reply.Prompt, OrchestraJson.Compact), ["raw_output"] = reply.Raw, ["answer"] = reply.Answer,
    }.ToJsonString(OrchestraJson.Compact);

    /// <summary>The sample before scoring; <paramref name="failed"/> when it stopped on an endpoint error, an error or a cancellation.</summary>
    public static EvalSample Record(string runId, string sampleId, string taskId, string? answer, string? gold, IReadOnlyList<LedgerEntry> calls,
        int turns, StopReason stop, string? detail, string trajectory, out bool failed)
    {
        var sample = new EvalSample(runId, sampleId)
        {
            TaskId = taskId,
            Answer = answer,
            Gold = gold,
            CostUsd = calls.Sum(c => c.CostUsd),
            ToolSeconds = calls.Sum(c => c.ToolSeconds),
            Turns = turns,
            StopReason = JsonNamingPolicy.SnakeCaseLower.ConvertName(stop.ToString()),
            CallsJson = SampleCall.ToJson(calls),
            TrajectoryJson = trajectory,
        };
        // Infrastructure, not the orchestrator's judgement, ended it: failed, retried on a rerun.
        failed = stop is StopReason.EndpointError or StopReason.Error or StopReason.Cancelled;
        return failed ? sample with { Status = SampleStatus.Failed, Error = detail ?? stop.ToString() } : sample;
    }
}
