using ToolOrchestra.Environments.Qa;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Evaluation.Store;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// One step of a sample's transcript: who acted (<c>role</c>: orchestrator, assistant, user, model), what it said
/// (<c>text</c>, tau2's conversation and direct answers), the tool it called with alias, model and arguments, and what
/// came back (<c>observation</c>, or <c>error</c>).
/// </summary>
public sealed record TranscriptTurn(
    [property: JsonPropertyName("turn")] int Turn,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("tool")] string? Tool,
    [property: JsonPropertyName("alias")] string? Alias,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("arguments")] string? Arguments,
    [property: JsonPropertyName("observation")] string? Observation,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>
/// One evaluation sample as a person reads it (<c>orchestra eval show</c>, the HTML report's transcripts): question,
/// gold, answer, verdict and where it came from, the judge's reasoning, the turns, the calls and the cost. Built from
/// the store's own readers: the sample row, its trajectory (the engine's, a direct answer's or tau2's messages) and
/// the judge's cached reply. Every key is written, null when absent.
/// </summary>
public sealed record SampleTranscript(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("task_id")] string? TaskId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("question")] string? Question,
    [property: JsonPropertyName("gold")] string? Gold,
    [property: JsonPropertyName("answer")] string? Answer,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("correct")] bool? Correct,
    [property: JsonPropertyName("reward")] double? Reward,
    [property: JsonPropertyName("verdict_source")] string? VerdictSource,
    [property: JsonPropertyName("judge_model")] string? JudgeModel,
    [property: JsonPropertyName("judge_reasoning")] string? JudgeReasoning,
    [property: JsonPropertyName("stop_reason")] string? StopReason,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("turns")] IReadOnlyList<TranscriptTurn> Turns,
    [property: JsonPropertyName("calls")] IReadOnlyList<SampleCall> Calls,
    [property: JsonPropertyName("cost_usd")] decimal CostUsd,
    [property: JsonPropertyName("judge_cost_usd")] decimal JudgeCostUsd,
    [property: JsonPropertyName("latency_s")] double LatencySeconds,
    [property: JsonPropertyName("wall_s")] double WallSeconds,
    [property: JsonPropertyName("simulated")] bool Simulated)
{
    private static readonly JsonSerializerOptions Json = new(OrchestraJson.Compact) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>The sample as one line of JSON, every key present.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// The chosen samples of a run (named by sample id or task id; all when none is named, at most <paramref name="limit"/>),
    /// in sample-id order. An unknown run or sample is a <see cref="UserError"/> naming those that exist.
    /// </summary>
    public static async Task<IReadOnlyList<SampleTranscript>> LoadAsync(EvalStore store, string runId, IReadOnlyCollection<string> names,
        int? limit = null, CancellationToken ct = default)
    {
        var known = await store.LoadRunsAsync(ct).ConfigureAwait(false);
        var run = known.FirstOrDefault(r => r.RunId == runId)
                  ?? throw new UserError($"run '{runId}' is not in {store.Location}{EvalReport.KnownRuns(known, store)}");
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        var ids = new List<string>();
        var chosen = new List<EvalSample>();
        // One streaming pass: trajectories are the bulk of the store, so only the chosen ones are kept.
        await foreach (var s in store.StreamSamplesAsync(runId, withTrajectories: true, ct).ConfigureAwait(false))
        {
            if (wanted.Count == 0 && chosen.Count == limit) break; // the report's first N: the rest of a 100k-sample run stays unread
            ids.Add(s.SampleId);
            if (wanted.Count == 0 || wanted.Contains(s.SampleId) || s.TaskId is { } t && wanted.Contains(t))
            {
                chosen.Add(s);
                found.Add(s.SampleId);
                if (s.TaskId is not null) found.Add(s.TaskId);
            }
        }
        if (wanted.FirstOrDefault(n => !found.Contains(n)) is { } missing)
            throw new UserError($"sample '{missing}' is not in run '{runId}' of {store.Location}; " +
                                (ids.Count == 0 ? "the run has no samples yet." : $"it holds {Listed(ids)}."));
        var judgeModel = JudgeModelOf(run);
        var transcripts = new List<SampleTranscript>();
        foreach (var s in chosen) transcripts.Add(await OfAsync(store, s, judgeModel, run.Benchmark == "offline", ct).ConfigureAwait(false));
        return transcripts;
    }

    /// <summary>correct, wrong, not evaluated (no verdict could be reached) or failed (an error before scoring).</summary>
    public static string VerdictOf(EvalSample s) =>
        s.Status == SampleStatus.Failed ? "failed" : s.IsNotEvaluated || s.Correct is null ? "not evaluated" : s.Correct.Value ? "correct" : "wrong";

    /// <summary>Where the verdict came from, in words: exact match, judge, judge (cached verdict), tau2 evaluator….</summary>
    [JsonIgnore]
    public string VerdictSourceText => VerdictSource switch
    {
        null => "not scored",
        "exact" => "exact match",
        "judge" => "judge",
        "judge_cached" => "judge (cached verdict)",
        "tau2" => "tau2 evaluator",
        EvalSample.NotEvaluated => "NL assertions need a judge and none was given",
        var other => other,
    };

    /// <summary>At most <paramref name="max"/> characters, with how many were left out, for screens and the HTML page.</summary>
    public static string? Cut(string? text, int max = 400) =>
        text is null || text.Length <= max ? text : $"{text[..max]}… [{text.Length - max} more chars]";

    /// <param name="simulatedRun">The run's experts are the offline world's simulated ones (as the reports label it).</param>
    private static async Task<SampleTranscript> OfAsync(EvalStore store, EvalSample s, string? judgeModel, bool simulatedRun, CancellationToken ct)
    {
        var (question, turns, tau2Reasoning) = ReadTrajectory(s);
        string? reasoning = tau2Reasoning;
        // QA's judge reply is cached under what it saw; the key is rebuilt from the sample rather than stored twice.
        if (s.VerdictSource is "judge" or "judge_cached" && judgeModel is not null && question is not null && s.Gold is not null && s.Answer is not null)
            reasoning = (await store.FindVerdictAsync(AnswerJudge.CacheKey(judgeModel, question, s.Gold, s.Answer), ct).ConfigureAwait(false))?.Raw;
        return new SampleTranscript(s.RunId, s.SampleId, s.TaskId, s.Status, question, s.Gold, s.Answer, VerdictOf(s), s.Correct, s.Reward,
            s.VerdictSource, s.VerdictSource is "judge" or "judge_cached" || tau2Reasoning is not null ? judgeModel : null, reasoning,
            s.StopReason, s.Error, turns, SampleCall.Parse(s.CallsJson, $"run '{s.RunId}' sample '{s.SampleId}'"),
            s.CostUsd, s.JudgeCostUsd, s.ToolSeconds, s.WallSeconds, simulatedRun || s.VerdictSource == "simulated");
    }

    private static string? JudgeModelOf(EvalRunInfo run)
    {
        try { return JsonNode.Parse(run.SettingsJson)?["judge_model"]?.GetValue<string>(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return null; }
    }

    /// <summary>The three shapes a stored trajectory has: the engine's <see cref="Trajectory"/>, a direct answer, tau2's messages.</summary>
    private static (string? Question, IReadOnlyList<TranscriptTurn> Turns, string? JudgeReasoning) ReadTrajectory(EvalSample s)
    {
        if (s.TrajectoryJson is null) return (null, [], null);
        JsonNode? node;
        try { node = JsonNode.Parse(s.TrajectoryJson); }
        catch (JsonException e)
        {
            throw new UserError($"run '{s.RunId}' sample '{s.SampleId}': its trajectory is not JSON ({e.Message}); the store was written by another tool or damaged.");
        }
        if (node is not JsonObject o) return (null, [], null);
        if (o["messages"] is JsonArray messages) return Tau2(messages, o["reward_info"]);
        if (Str(o["setup"]) == "direct")
            return (Str(o["problem"]), [new TranscriptTurn(1, "model", Str(o["raw_output"]), null, null, Str(o["model"]), null, null, null)], null);
        var t = o.Deserialize<Trajectory>(OrchestraJson.Options)!;
        return (t.Problem, t.Turns.Select(u => new TranscriptTurn(u.Turn, "orchestrator", null, u.Call?.Name, u.Call?.Alias, u.Call?.Model,
            u.Call?.ArgumentsJson, u.Observation, u.Error)).ToList(), null);
    }

    /// <summary>tau2: the user's first words stand for the question; each message is a turn, a tool call's result its observation.</summary>
    private static (string?, IReadOnlyList<TranscriptTurn>, string?) Tau2(JsonArray messages, JsonNode? rewardInfo)
    {
        var results = messages.OfType<JsonObject>().Where(m => Str(m["role"]) == "tool" && Str(m["id"]) is not null)
            .GroupBy(m => Str(m["id"])!).ToDictionary(g => g.Key, g => g.First());
        var turns = new List<TranscriptTurn>();
        var n = 0;
        foreach (var m in messages.OfType<JsonObject>())
        {
            var role = Str(m["role"]) ?? "?";
            if (role is "tool" or "system") continue;
            n++;
            var calls = m["tool_calls"] as JsonArray;
            if (calls is null || calls.Count == 0) { turns.Add(new TranscriptTurn(n, role, Str(m["content"]), null, null, null, null, null, null)); continue; }
            foreach (var c in calls.OfType<JsonObject>())
            {
                var result = Str(c["id"]) is { } id && results.TryGetValue(id, out var r) ? r : null;
                var failed = result?["error"] is JsonValue v && v.TryGetValue<bool>(out var err) && err;
                turns.Add(new TranscriptTurn(n, role, Str(m["content"]), Str(c["name"]), Str(c["arguments"]?["expert"]), null,
                    c["arguments"]?.ToJsonString(OrchestraJson.Compact), failed ? null : Str(result?["content"]), failed ? Str(result?["content"]) : null));
            }
        }
        var question = messages.OfType<JsonObject>().Where(m => Str(m["role"]) == "user").Select(m => Str(m["content"])).FirstOrDefault(c => !string.IsNullOrWhiteSpace(c));
        var nl = (rewardInfo?["nl_assertions"] as JsonArray)?.OfType<JsonObject>()
            .Select(a => $"{Str(a["nl_assertion"])}: {(a["met"] is JsonValue met && met.TryGetValue<bool>(out var ok) && ok ? "met" : "not met")}" +
                         (Str(a["justification"]) is { } why ? $" — {why}" : "")).ToList();
        return (question, turns, nl is { Count: > 0 } ? string.Join("\n", nl) : null);
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Listed(IReadOnlyList<string> ids) =>
        ids.Count <= 20 ? string.Join(", ", ids) : $"{string.Join(", ", ids.Take(20))} … ({ids.Count - 20} more)";
}
