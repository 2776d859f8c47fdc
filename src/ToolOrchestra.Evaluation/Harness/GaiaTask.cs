using System.Text.Json;
using ToolOrchestra.Core;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// One GAIA question as <c>metadata.jsonl</c> gives it: <c>task_id</c>, <c>Question</c>, <c>Level</c> (1–3), the
/// <c>Final answer</c> (null on the test split, whose answers are private: "?" or absent there) and the attached file
/// (<c>file_name</c>, empty when none), resolved against the attachments folder.
/// </summary>
public sealed record GaiaTask(string Id, string Question, int Level, string? Answer, string? FileName, string? FilePath)
{
    /// <summary>The sample id in the store: the level first, so reports and resumes keep the level with the sample.</summary>
    public string SampleId => $"L{Level}/{Id}";

    /// <summary>The level a GAIA sample id carries (<c>L2/…</c>), or null for another benchmark's id.</summary>
    public static int? LevelOf(string sampleId) =>
        sampleId.Length > 3 && sampleId[0] == 'L' && sampleId[2] == '/' && sampleId[1] is >= '1' and <= '9' ? sampleId[1] - '0' : null;
}

/// <summary>Reads GAIA's <c>metadata.jsonl</c>; a malformed line or a missing attachment is a <see cref="UserError"/> naming it.</summary>
public static class GaiaTaskFile
{
    /// <param name="attachments">The folder holding the attached files (GAIA keeps them beside metadata.jsonl, the default).</param>
    /// <param name="level">Only this level's questions, when given.</param>
    public static IReadOnlyList<GaiaTask> Load(string path, string? attachments = null, int? level = null)
    {
        if (!File.Exists(path)) throw new UserError($"--tasks {path} does not exist; give GAIA's metadata.jsonl (e.g. 2023/validation/metadata.jsonl).");
        if (level is not null and not (1 or 2 or 3)) throw new UserError($"--level must be 1, 2 or 3, not {level}.");
        var folder = attachments ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (attachments is not null && !Directory.Exists(attachments)) throw new UserError($"--attachments {attachments} is not a folder; give the folder holding GAIA's attached files.");
        var tasks = new List<GaiaTask>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var where = $"{path}:{number}";
            JsonElement row;
            try
            {
                row = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException e)
            {
                throw new UserError($"{where}: not a JSON object ({e.Message}); GAIA's metadata.jsonl has one task per line.");
            }
            if (row.ValueKind != JsonValueKind.Object) throw new UserError($"{where}: not a JSON object; GAIA's metadata.jsonl has one task per line.");
            var id = Text(row, "task_id") ?? throw new UserError($"{where}: no string \"task_id\".");
            var question = Text(row, "Question") ?? throw new UserError($"{where}: task '{id}' has no string \"Question\".");
            var taskLevel = LevelOf(row, where, id);
            if (!ids.Add(id)) throw new UserError($"{where}: task_id '{id}' appears twice.");
            if (level is { } only && taskLevel != only) continue;
            var answer = Text(row, "Final answer") is { } a && a != "?" ? a : null;
            string? fileName = Text(row, "file_name") is { Length: > 0 } f ? f : null, filePath = null;
            if (fileName is not null)
            {
                if (Path.GetFileName(fileName) != fileName || fileName is "." or "..")
                    throw new UserError($"{where}: task '{id}' file_name '{fileName}' must be a plain file name.");
                filePath = Path.Combine(folder, fileName);
                if (!File.Exists(filePath))
                    throw new UserError($"{where}: task '{id}' attaches '{fileName}', which is not in {folder}; give --attachments DIR (the folder holding GAIA's files).");
            }
            tasks.Add(new GaiaTask(id, question, taskLevel, answer, fileName, filePath));
        }
        if (tasks.Count == 0) throw new UserError($"{path}: no tasks{(level is { } l ? $" at level {l}" : "")}.");
        return tasks;
    }

    private static string? Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int LevelOf(JsonElement row, string where, string id)
    {
        if (row.TryGetProperty("Level", out var v))
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n is >= 1 and <= 3) return n;
            if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), out var s) && s is >= 1 and <= 3) return s;
        }
        throw new UserError($"{where}: task '{id}' needs \"Level\" 1, 2 or 3.");
    }
}
