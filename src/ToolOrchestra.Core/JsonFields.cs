using System.Globalization;
using System.Text.Json;

namespace ToolOrchestra.Core;

/// <summary>
/// Reads fields of a user-written JSON file with errors that name the file, the JSON path and the fix.
/// Used by loaders of our own formats (catalog, preferences) where a user needs to know exactly what is wrong.
/// </summary>
public readonly struct JsonFields(string file, string path, JsonElement element)
{
    public string File => file;
    public string Path => path;
    public JsonElement Element => element;

    public static JsonFields Load(string file)
    {
        if (!System.IO.File.Exists(file))
            throw new UserError($"{file}: file not found. Check the path.");
        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(file),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            RejectDuplicateKeys(file, "$", doc.RootElement);
            return new JsonFields(file, "$", doc.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw new UserError($"{file}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }
    }

    /// <summary>
    /// JSON readers keep the last of two equal keys without a word; in a hand-edited file the duplicate is a mistake
    /// (a price or limit set twice), so it is refused naming the file, the object's path and the key.
    /// </summary>
    public static void RejectDuplicateKeys(string file, string path, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in element.EnumerateObject())
                {
                    if (!seen.Add(p.Name)) throw new UserError($"{file}: {path}: key '{p.Name}' appears twice; keep one of them.");
                    RejectDuplicateKeys(file, $"{path}.{p.Name}", p.Value);
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) RejectDuplicateKeys(file, $"{path}[{i++}]", item);
                break;
        }
    }

    /// <summary>
    /// The JSON path of the first string or key that is not valid Unicode, or null when all are. JSON parsers accept a
    /// lone surrogate escape (<c>"\ud800"</c>) and stray bytes (<c>0xFF</c>) inside a string, and only fail later, when
    /// the text is read, with an <see cref="InvalidOperationException"/>; checking once after parsing turns that into a
    /// user's error naming the place.
    /// </summary>
    public static string? FirstInvalidText(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsText(element) ? null : path;
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    string name;
                    try { name = p.Name; }
                    catch (InvalidOperationException) { return $"{path} (a key)"; }
                    if (FirstInvalidText(p.Value, $"{path}.{name}") is { } bad) return bad;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    if (FirstInvalidText(item, $"{path}[{i++}]") is { } bad) return bad;
                return null;
            default:
                return null;
        }
    }

    /// <summary>What to say about a string that is not valid Unicode.</summary>
    public const string InvalidTextFix = "is not valid Unicode text (a lone surrogate escape such as \\ud800, or bytes that are not UTF-8); send UTF-8 text";

    private static bool IsText(JsonElement s)
    {
        try
        {
            _ = s.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public UserError Error(string what) => new($"{file}: {path}: {what}");

    public JsonFields Object()
    {
        if (element.ValueKind != JsonValueKind.Object) throw Error($"expected an object, found {Kind(element)}.");
        return this;
    }

    public bool Has(string name) => element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>Rejects fields outside <paramref name="allowed"/>: a typo must not be silently ignored.</summary>
    public JsonFields OnlyFields(params string[] allowed)
    {
        foreach (var p in Object().Element.EnumerateObject())
            if (!allowed.Contains(p.Name) && p.Name != "$schema")
                throw new JsonFields(file, $"{path}.{p.Name}", p.Value).Error($"unknown field; expected one of: {string.Join(", ", allowed)}.");
        return this;
    }

    public JsonFields Field(string name) =>
        Object().Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? new JsonFields(file, $"{path}.{name}", v)
            : throw Error($"missing required field '{name}'.");

    public JsonFields? OptionalField(string name) =>
        Object().Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? new JsonFields(file, $"{path}.{name}", v) : null;

    public IEnumerable<(string Name, JsonFields Value)> Properties()
    {
        Object();
        foreach (var p in element.EnumerateObject())
            yield return (p.Name, new JsonFields(file, $"{path}.{p.Name}", p.Value));
    }

    public IEnumerable<JsonFields> Items()
    {
        if (element.ValueKind != JsonValueKind.Array) throw Error($"expected an array, found {Kind(element)}.");
        var i = 0;
        foreach (var item in element.EnumerateArray())
            yield return new JsonFields(file, $"{path}[{i++}]", item);
    }

    public string String()
    {
        if (element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString()))
            throw Error($"expected a non-empty string, found {Kind(element)}.");
        return element.GetString()!;
    }

    public decimal Decimal(decimal min = 0)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDecimal(out var d))
            throw Error($"expected a number, found {Kind(element)}.");
        if (d < min) throw Error($"must be at least {min.ToString(CultureInfo.InvariantCulture)}, found {d.ToString(CultureInfo.InvariantCulture)}.");
        return d;
    }

    public double Double(double min = 0, double max = double.MaxValue)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var d) || !double.IsFinite(d))
            throw Error($"expected a number, found {Kind(element)}.");
        if (d < min || d > max)
            throw Error(max == double.MaxValue
                ? $"must be at least {min.ToString(CultureInfo.InvariantCulture)}, found {d.ToString(CultureInfo.InvariantCulture)}."
                : $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, found {d.ToString(CultureInfo.InvariantCulture)}.");
        return d;
    }

    public int Int(int min = 0)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var i))
            throw Error($"expected an integer, found {Kind(element)}.");
        if (i < min) throw Error($"must be at least {min}, found {i}.");
        return i;
    }

    public IReadOnlyList<string> Strings() => Items().Select(i => i.String()).ToList();

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {e.GetRawText()}",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
