using System.Text.Json.Nodes;
using ToolOrchestra.Core;

namespace ToolOrchestra.Environments.Qa;

/// <summary>
/// One question of a QA benchmark: its id, the question, the gold answer, and every other field the file gave
/// (FRAMES's wiki links, HLE's category, a reference <c>eid</c>…), kept so a sample's record says what it was.
/// </summary>
public sealed record QaTask(string Id, string Question, string Answer, JsonObject Fields)
{
    /// <summary>The task's own preferences (the reference data's <c>pref_vec</c>), under which it is orchestrated; none when absent.</summary>
    public Preferences Preferences { get; init; } = Preferences.None;

    /// <summary>The per-question id the retriever filters documents by: the file's <c>eid</c>, else the task id (as the reference passes it).</summary>
    public string Eid => Fields["eid"]?.GetValue<object>()?.ToString() ?? Id;
}

/// <summary>A loaded task file: its questions, and how many it skipped because they need an image (HLE's multimodal ones).</summary>
public sealed record QaTaskSet(string Path, string Format, IReadOnlyList<QaTask> Tasks, int SkippedImageQuestions);
