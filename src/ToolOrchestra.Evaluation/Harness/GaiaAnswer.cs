namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// How a GAIA question is asked and its answer read: GAIA's own system prompt (from the paper and the leaderboard) is put
/// before the question, so the model ends with <c>FINAL ANSWER: …</c>; the answer scored and submitted is the first line
/// after the last <c>FINAL ANSWER:</c> (any case), trimmed. Without the template the whole answer, trimmed, is taken (the
/// QA protocol's answer tool has already read it from the expert's answer tags or <c>\boxed{}</c>).
/// </summary>
public static class GaiaAnswer
{
    public const string Marker = "FINAL ANSWER:";

    /// <summary>GAIA's prompt, as published with the benchmark.</summary>
    public const string Prompt =
        "You are a general AI assistant. I will ask you a question. Report your thoughts, and finish your answer with the following template: "
        + "FINAL ANSWER: [YOUR FINAL ANSWER]. YOUR FINAL ANSWER should be a number OR as few words as possible OR a comma separated list of numbers and/or strings. "
        + "If you are asked for a number, don't use comma to write your number neither use units such as $ or percent sign unless specified otherwise. "
        + "If you are asked for a string, don't use articles, neither abbreviations (e.g. for cities), and write the digits in plain text unless specified otherwise. "
        + "If you are asked for a comma separated list, apply the above rules depending of whether the element to be put in the list is a number or a string.";

    /// <summary>The problem the orchestrator (or the model alone) is given.</summary>
    public static string Problem(GaiaTask task, string? attachmentText = null)
    {
        var problem = $"{Prompt}\n\nQuestion: {task.Question}";
        if (task.FileName is { } file)
            problem += attachmentText is null
                ? $"\n\nAttached file: {file} (read it with the read_file tool)."
                : $"\n\nAttached file: {file}\n{attachmentText}";
        return problem;
    }

    /// <summary>The final answer in <paramref name="text"/>, or null when there is none.</summary>
    public static string? Extract(string? text)
    {
        if (text is null) return null;
        var at = text.LastIndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        var answer = at < 0 ? text : text[(at + Marker.Length)..].Split('\n')[0];
        answer = answer.Trim();
        return answer.Length == 0 ? null : answer;
    }
}
