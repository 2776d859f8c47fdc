using System.Text.Json;
using ToolOrchestra.Core;

namespace ToolOrchestra.Training.Rollouts;

/// <summary>
/// A question for <c>orchestra rollout</c>: the reference's task fields (<c>id</c>, <c>problem</c> or <c>question</c>,
/// <c>answer</c>, optional <c>accepted_answers</c> and <c>pref_vec</c>). Judged by case-insensitive exact match
/// against the accepted spellings, as the offline world's tasks are.
/// </summary>
public sealed record RolloutTask(string Id, string Question, IReadOnlyList<string> AcceptedAnswers, Preferences Preferences)
{
    /// <summary>When a task gives no <c>pref_vec</c>: accuracy only (a solved rollout is all that counts).</summary>
    public static readonly IReadOnlyDictionary<string, double> DefaultPreference = new Dictionary<string, double> { [Preferences.Accuracy] = 1 };

    public bool IsCorrect(string? prediction)
    {
        if (string.IsNullOrWhiteSpace(prediction)) return false;
        var p = prediction.Trim().TrimEnd('.').Trim();
        return AcceptedAnswers.Any(a => string.Equals(a, p, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Reads a JSONL tasks file (blank lines skipped); a bad line fails naming the file, line and field.</summary>
    public static IReadOnlyList<RolloutTask> LoadJsonl(string path)
    {
        if (!File.Exists(path)) throw new UserError($"{path}: tasks file not found; give a JSONL file with one {{\"id\", \"problem\", \"answer\"}} object per line (e.g. the world's tasks.jsonl from './orchestra sim serve').");
        var tasks = new List<RolloutTask>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement root;
            try
            {
                using var doc = JsonDocument.Parse(line);
                root = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new UserError($"{path}: line {n}: not JSON ({e.Message}).");
            }
            JsonFields.RejectDuplicateKeys($"{path} line {n}", "$", root);
            var f = new JsonFields($"{path} line {n}", "$", root).Object();
            var id = f.Field("id").String();
            if (!ids.Add(id)) throw f.Error($"task id '{id}' appears twice; ids name the GRPO groups and must be unique.");
            var question = (f.OptionalField("problem") ?? f.OptionalField("question") ?? throw f.Error("needs \"problem\" (or \"question\"), the text to ask.")).String();
            var answers = new List<string> { f.Field("answer").String() };
            if (f.OptionalField("accepted_answers") is { } more) answers.AddRange(more.Strings());
            // The one preferences format: a task's pref_vec is read as the preferences files' weights are.
            var preferences = f.OptionalField("pref_vec") is { } pv
                ? Preferences.FromPrefVec(pv)
                : new Preferences(new Dictionary<string, double>(DefaultPreference), [], []);
            tasks.Add(new RolloutTask(id, question, answers.Distinct(StringComparer.Ordinal).ToList(), preferences));
        }
        if (tasks.Count == 0) throw new UserError($"{path}: no tasks in the file.");
        return tasks;
    }
}
