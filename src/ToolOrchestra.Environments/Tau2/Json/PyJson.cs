using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ToolOrchestra.Environments.Tau2.Json;

/// <summary>
/// Python's <c>json.dumps</c> with its defaults (", " and ": " separators, ASCII escaping, float repr), optionally with
/// <c>sort_keys=True</c>. Tool results and database hashes are this text, so it must match upstream byte for byte.
/// </summary>
public static class PyJson
{
    public static string Dumps(JsonNode? node, bool sortKeys = false)
    {
        var sb = new StringBuilder(256);
        Write(sb, node, sortKeys);
        return sb.ToString();
    }

    public static void Write(StringBuilder sb, JsonNode? node, bool sortKeys)
    {
        switch (Py.TypeOf(node))
        {
            case PyType.None: sb.Append("null"); break;
            case PyType.Bool: sb.Append(node!.GetValue<bool>() ? "true" : "false"); break;
            case PyType.Int:
                if (node!.AsValue().TryGetValue<JsonElement>(out var e) && !e.TryGetInt64(out _)) sb.Append(e.GetRawText());
                else sb.Append(Py.Long(node).ToString(CultureInfo.InvariantCulture));
                break;
            case PyType.Float:
            {
                var d = Py.Num(node);
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyFloat.Repr(d));
                break;
            }
            case PyType.Str: WriteString(sb, node!.GetValue<string>()); break;
            case PyType.List:
            {
                sb.Append('[');
                var first = true;
                foreach (var item in (JsonArray)node!)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    Write(sb, item, sortKeys);
                }
                sb.Append(']');
                break;
            }
            default:
            {
                var obj = (JsonObject)node!;
                sb.Append('{');
                var first = true;
                IEnumerable<KeyValuePair<string, JsonNode?>> props = obj;
                if (sortKeys) props = obj.OrderBy(p => p.Key, StringComparer.Ordinal);
                foreach (var (key, value) in props)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    WriteString(sb, key);
                    sb.Append(": ");
                    Write(sb, value, sortKeys);
                }
                sb.Append('}');
                break;
            }
        }
    }

    /// <summary>A JSON string literal with <c>ensure_ascii=True</c>: everything outside 0x20..0x7E is escaped.</summary>
    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>Python <c>json.loads</c> of tool output: JSON when it parses, otherwise the text itself.</summary>
    public static JsonNode? LoadsOrText(string? text)
    {
        if (text is null) return null;
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
