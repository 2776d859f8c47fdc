using System.Text.Json;
using ToolOrchestra.Core;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// Which documents a search may return. Per question (the reference's examples.json: <c>{eid: [ids]}</c>, each
/// question searching its own pre-collected documents) or one list for every query. Ids may be strings or numbers.
/// </summary>
public sealed class AllowedDocuments
{
    private readonly IReadOnlyDictionary<string, IReadOnlyCollection<string>>? _perQuestion;
    private readonly IReadOnlyCollection<string>? _everyQuery;

    private AllowedDocuments(string source, IReadOnlyDictionary<string, IReadOnlyCollection<string>>? perQuestion, IReadOnlyCollection<string>? everyQuery)
    {
        Source = source;
        _perQuestion = perQuestion;
        _everyQuery = everyQuery;
    }

    public string Source { get; }

    public bool IsPerQuestion => _perQuestion is not null;

    public static AllowedDocuments PerQuestion(IReadOnlyDictionary<string, IReadOnlyCollection<string>> map, string source = "allowed map") =>
        new(source, map, null);

    public static AllowedDocuments ForEveryQuery(IEnumerable<string> ids, string source = "allowed list") =>
        new(source, null, ids.Distinct(StringComparer.Ordinal).ToArray());

    /// <summary>
    /// The ids allowed for question <paramref name="eid"/>. A per-question map needs a known eid; a null eid means
    /// "no filter" only for a plain list. Returns false with a message when the eid cannot be resolved.
    /// </summary>
    public bool TryFor(string? eid, out IReadOnlyCollection<string> ids, out string? error)
    {
        error = null;
        if (_everyQuery is not null)
        {
            ids = _everyQuery;
            return true;
        }
        if (eid is not null && _perQuestion!.TryGetValue(eid, out var found))
        {
            ids = found;
            return true;
        }
        ids = [];
        error = eid is null
            ? $"{Source} lists allowed documents per question, but the search gave no question id (eid)"
            : $"question id '{eid}' is not in {Source}";
        return false;
    }

    /// <summary>
    /// Reads <c>{eid: [ids]}</c> (per question), a JSON array of ids, or a text file with one id per line.
    /// </summary>
    public static AllowedDocuments Load(string path)
    {
        if (!File.Exists(path))
            throw new UserError($"{path}: allowed-ids file not found. Give a JSON map {{\"question id\": [doc ids]}}, a JSON array of ids, or one id per line.");
        var text = File.ReadAllText(path);
        var trimmed = text.TrimStart();
        if (!trimmed.StartsWith('{') && !trimmed.StartsWith('['))
            return ForEveryQuery(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0), path);

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new UserError($"{path}: not valid JSON (line {e.LineNumber + 1}): expected {{\"question id\": [doc ids]}} or [doc ids].");
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Array) return ForEveryQuery(Ids(root, path, "$"), path);
            var map = new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal);
            foreach (var q in root.EnumerateObject())
            {
                if (q.Value.ValueKind != JsonValueKind.Array)
                    throw new UserError($"{path}: $.{q.Name}: expected an array of document ids, found {q.Value.ValueKind.ToString().ToLowerInvariant()}.");
                map[q.Name] = Ids(q.Value, path, "$." + q.Name).Distinct(StringComparer.Ordinal).ToArray();
            }
            return PerQuestion(map, path);
        }
    }

    private static List<string> Ids(JsonElement array, string path, string where)
    {
        var ids = new List<string>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            ids.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString()!,
                JsonValueKind.Number => item.GetRawText(),
                _ => throw new UserError($"{path}: {where}[{i}]: expected a document id (string or number), found {item.ValueKind.ToString().ToLowerInvariant()}."),
            });
            i++;
        }
        return ids;
    }
}
