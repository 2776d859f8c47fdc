using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet.Serialization;
using ToolOrchestra.Core;

namespace ToolOrchestra.Environments.Qa;

/// <summary>
/// Reads QA task files in the shapes the benchmarks ship in: the reference's JSONL (<c>{id, question, answer}</c> per
/// line; <c>problem</c> is accepted for <c>question</c>, extra fields kept), HLE's released Parquet (text-only questions;
/// rows with an image are counted and skipped, since the QA protocol carries text only) and FRAMES's TSV (<c>Prompt</c>,
/// <c>Answer</c>, the wiki links; quoted fields may hold tabs and newlines). A broken file fails naming the file, the
/// line or row, and the fix.
/// </summary>
public static class QaTaskFiles
{
    public static async Task<QaTaskSet> LoadAsync(string path, CancellationToken ct = default)
    {
        if (!File.Exists(path))
            throw new UserError($"--tasks {path}: file not found; give a JSONL file ({{\"id\", \"question\", \"answer\"}} per line), HLE's .parquet or FRAMES's .tsv.");
        var ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        var set = ext switch
        {
            ".parquet" => await ParquetAsync(path, ct).ConfigureAwait(false),
            ".tsv" => Tsv(path),
            _ => Jsonl(path),
        };
        if (set.Tasks.Count == 0)
            throw new UserError($"{path}: no text questions in the file{(set.SkippedImageQuestions > 0 ? $" ({set.SkippedImageQuestions} need an image and were skipped)" : "")}.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in set.Tasks)
            if (!seen.Add(t.Id))
                throw new UserError($"{path}: task id '{t.Id}' appears twice; ids name the samples of a run and must be unique (fix the file's ids).");
        return set;
    }

    public static QaTaskSet Jsonl(string path)
    {
        var tasks = new List<QaTask>();
        var n = 0;
        foreach (var bytes in Lines(path))
        {
            n++;
            // Checked on the bytes: a text reader would turn a stray byte into U+FFFD and ask a question nobody wrote.
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
                throw new UserError($"{path}:{n}: not UTF-8 text (a byte such as 0xFF that UTF-8 does not allow); save the file as UTF-8.");
            var line = Encoding.UTF8.GetString(bytes);
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject o;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (JsonFields.FirstInvalidText(doc.RootElement) is { } where)
                    throw new UserError($"{path}:{n}: {where} {JsonFields.InvalidTextFix}.");
                o = JsonNode.Parse(line) as JsonObject ?? throw new UserError($"{path}:{n}: not a JSON object; each line must be {{\"id\", \"question\", \"answer\"}}.");
            }
            catch (JsonException e)
            {
                throw new UserError($"{path}:{n}: not JSON ({e.Message}); each line must be one {{\"id\", \"question\", \"answer\"}} object.");
            }
            var question = Text(o, "question") ?? Text(o, "problem")
                ?? throw new UserError($"{path}:{n}: needs a string \"question\" (or \"problem\"), the text to ask.");
            var answer = Text(o, "answer") ?? throw new UserError($"{path}:{n}: needs a string \"answer\", the gold answer.");
            var id = o["id"] switch
            {
                JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
                JsonValue v when v.TryGetValue<long>(out var l) => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
                null => throw new UserError($"{path}:{n}: needs an \"id\" (a string or number naming the task)."),
                _ => throw new UserError($"{path}:{n}: \"id\" must be a non-empty string or a number."),
            };
            // A task's pref_vec is read as preferences files' weights are (the one preferences format).
            var preferences = o["pref_vec"] is { } pv
                ? Preferences.FromPrefVec(new JsonFields($"{path}:{n}", "$.pref_vec", JsonSerializer.SerializeToElement(pv)))
                : Preferences.None;
            tasks.Add(new QaTask(id, question, answer, o) { Preferences = preferences });
        }
        return new QaTaskSet(path, "jsonl", tasks, 0);
    }

    /// <summary>HLE's released Parquet: <c>id</c>, <c>question</c>, <c>answer</c>, <c>image</c> ("" for text-only), and more kept.</summary>
    public static async Task<QaTaskSet> ParquetAsync(string path, CancellationToken ct)
    {
        IList<Dictionary<string, object>> data;
        try
        {
            await using var stream = File.OpenRead(path);
            var result = await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: ct).ConfigureAwait(false);
            data = result.Data;
        }
        catch (Exception e) when (e is not OperationCanceledException and not UserError)
        {
            throw new UserError($"{path}: not a readable Parquet file ({e.Message}); give HLE's released test .parquet, or a JSONL/TSV file.");
        }
        var tasks = new List<QaTask>();
        var images = 0;
        for (var row = 0; row < data.Count; row++)
        {
            var r = data[row];
            string? Get(string name) => r.TryGetValue(name, out var v) ? v?.ToString() : null;
            var question = Get("question") ?? throw new UserError($"{path}: row {row + 1}: no \"question\" column value; HLE's Parquet has id, question, answer, image.");
            var answer = Get("answer") ?? throw new UserError($"{path}: row {row + 1}: no \"answer\" column value.");
            var id = Get("id") is { Length: > 0 } i ? i : (row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (Get("image") is { Length: > 0 }) { images++; continue; }
            var fields = new JsonObject();
            foreach (var (k, v) in r)
                if (v is string or long or int or double or float or bool) fields[k] = JsonValue.Create(v);
            tasks.Add(new QaTask(id, question, answer, fields));
        }
        return new QaTaskSet(path, "parquet", tasks, images);
    }

    /// <summary>FRAMES's TSV: a header naming <c>Prompt</c> and <c>Answer</c>; the first, unnamed column (pandas' index) is the id.</summary>
    public static QaTaskSet Tsv(string path)
    {
        var rows = TsvRows(path).GetEnumerator();
        if (!rows.MoveNext()) throw new UserError($"{path}: empty; FRAMES's TSV starts with a header naming Prompt and Answer.");
        var header = rows.Current.Fields;
        var prompt = Array.IndexOf(header, "Prompt");
        var answer = Array.IndexOf(header, "Answer");
        if (prompt < 0 || answer < 0)
            throw new UserError($"{path}:1: the header must name the columns \"Prompt\" and \"Answer\" (FRAMES's test.tsv), got: {string.Join(", ", header.Select(h => $"'{h}'"))}.");
        var idColumn = Array.IndexOf(header, "id") is var named and >= 0 ? named : header.Length > 0 && header[0].Length == 0 ? 0 : -1;
        var tasks = new List<QaTask>();
        while (rows.MoveNext())
        {
            var (line, fields) = rows.Current;
            if (fields.Length == 1 && fields[0].Length == 0) continue;
            if (fields.Length != header.Length)
                throw new UserError($"{path}:{line}: {fields.Length} fields where the header has {header.Length}; quote fields that hold tabs or newlines (\"…\").");
            var o = new JsonObject();
            var links = new JsonArray();
            for (var c = 0; c < header.Length; c++)
            {
                if (c == idColumn || c == prompt || c == answer) continue;
                if (header[c].StartsWith("wiki", StringComparison.OrdinalIgnoreCase))
                {
                    if (fields[c].Length > 0) links.Add(fields[c]);
                }
                else o[header[c]] = fields[c];
            }
            o["wiki_links"] = links;
            if (fields[prompt].Trim().Length == 0) throw new UserError($"{path}:{line}: empty Prompt.");
            var id = idColumn >= 0 && fields[idColumn].Length > 0 ? fields[idColumn] : (tasks.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            tasks.Add(new QaTask(id, fields[prompt], fields[answer], o));
        }
        return new QaTaskSet(path, "tsv", tasks, 0);
    }

    /// <summary>Tab-separated records with CSV quoting (a quoted field may hold tabs, newlines and doubled quotes); each with its first line number.</summary>
    private static IEnumerable<(int Line, string[] Fields)> TsvRows(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var line = 1;
        while (reader.Peek() >= 0)
        {
            var start = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            var atFieldStart = true;
            while (true)
            {
                var c = reader.Read();
                if (c < 0)
                {
                    if (quoted) throw new UserError($"{path}:{start}: a quoted field is never closed; close it with \".");
                    break;
                }
                var ch = (char)c;
                if (quoted)
                {
                    if (ch == '"')
                    {
                        if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                        else quoted = false;
                    }
                    else
                    {
                        if (ch == '\n') line++;
                        field.Append(ch);
                    }
                    continue;
                }
                if (ch == '"' && atFieldStart) { quoted = true; atFieldStart = false; continue; }
                if (ch == '\t') { fields.Add(field.ToString()); field.Clear(); atFieldStart = true; continue; }
                if (ch == '\r') continue;
                if (ch == '\n') { line++; break; }
                field.Append(ch);
                atFieldStart = false;
            }
            fields.Add(field.ToString());
            yield return (start, fields.ToArray());
        }
    }

    /// <summary>The file's lines as bytes (without the line break), so that each can be checked before it is decoded.</summary>
    private static IEnumerable<byte[]> Lines(string path)
    {
        var all = File.ReadAllBytes(path);
        var start = all.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0; // a byte order mark is not part of the first line
        while (start < all.Length)
        {
            var end = Array.IndexOf(all, (byte)'\n', start);
            if (end < 0) end = all.Length;
            var stop = end > start && all[end - 1] == (byte)'\r' ? end - 1 : end;
            yield return all[start..stop];
            start = end + 1;
        }
    }

    private static string? Text(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
