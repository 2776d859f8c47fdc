using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// A value inside the chat-template renderer, with the semantics of @huggingface/jinja (the reference renderer):
/// JavaScript numbers, objects whose integer-like keys come first, truthiness, string concatenation, <c>in</c>,
/// loose <c>==</c>, output and <c>tojson</c> spelled exactly as that runtime spells them. Only the operations the
/// Qwen3 template uses are implemented; where the reference throws, these throw <see cref="UserError"/>.
/// </summary>
internal sealed class TemplateValue
{
    public enum Type : byte { Undefined, Null, Boolean, Integer, Float, String, Array, Object }

    public static readonly TemplateValue Undefined = new(Type.Undefined);
    public static readonly TemplateValue Null = new(Type.Null);
    public static readonly TemplateValue True = new(Type.Boolean) { Bool = true };
    public static readonly TemplateValue False = new(Type.Boolean);
    public static readonly TemplateValue EmptyString = new(Type.String) { Str = "" };

    private TemplateValue(Type kind) => Kind = kind;

    public Type Kind { get; }
    public string? Str { get; private init; }
    public double Number { get; private init; }
    public bool Bool { get; private init; }
    public List<TemplateValue>? Items { get; private init; }
    public List<KeyValuePair<string, TemplateValue>>? Entries { get; private init; }
    private Dictionary<string, TemplateValue>? byKey;

    public static TemplateValue String(string s) => s.Length == 0 ? EmptyString : new(Type.String) { Str = s };
    public static TemplateValue Boolean(bool b) => b ? True : False;

    /// <summary>A JavaScript number: an Integer when <c>Number.isInteger</c> holds, else a Float.</summary>
    public static TemplateValue FromNumber(double n) =>
        new(double.IsFinite(n) && Math.Floor(n) == n ? Type.Integer : Type.Float) { Number = n };

    public static TemplateValue Array(List<TemplateValue> items) => new(Type.Array) { Items = items };

    /// <summary>
    /// An object built like <c>JSON.parse</c> builds one: a repeated key keeps its first position and its last value,
    /// and integer-like keys ("0", "17") come before the others in ascending order.
    /// </summary>
    public static TemplateValue Object(IEnumerable<KeyValuePair<string, TemplateValue>> properties)
    {
        var byKey = new Dictionary<string, TemplateValue>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (key, value) in properties)
        {
            if (!byKey.ContainsKey(key)) order.Add(key);
            byKey[key] = value;
        }
        var indices = order.Where(IsArrayIndex).OrderBy(k => uint.Parse(k, CultureInfo.InvariantCulture));
        var entries = indices.Concat(order.Where(k => !IsArrayIndex(k))).Select(k => KeyValuePair.Create(k, byKey[k])).ToList();
        return new(Type.Object) { Entries = entries, byKey = byKey };
    }

    private static bool IsArrayIndex(string key) =>
        key.Length is > 0 and <= 10 && (key == "0" || key[0] != '0') && key.All(char.IsAsciiDigit)
        && ulong.Parse(key, CultureInfo.InvariantCulture) < uint.MaxValue;

    // ---- conversions from JSON ----

    /// <summary>Parses JSON text as <c>JSON.parse</c> would for the template.</summary>
    public static TemplateValue ParseJson(string json, string what)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return FromJson(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new UserError($"{what}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        catch (InvalidOperationException)
        {
            throw new UserError($"{what}: holds a string with an unpaired surrogate escape (\\ud800-\\udfff); remove it.");
        }
    }

    public static TemplateValue FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => Null,
        JsonValueKind.True => True,
        JsonValueKind.False => False,
        JsonValueKind.String => String(e.GetString()!),
        JsonValueKind.Number => FromNumber(double.Parse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)),
        JsonValueKind.Array => Array(e.EnumerateArray().Select(FromJson).ToList()),
        _ => Object(e.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, FromJson(p.Value)))),
    };

    public static TemplateValue FromJson(JsonNode? node) => node switch
    {
        null => Null,
        JsonObject o => Object(o.Select(p => KeyValuePair.Create(p.Key, FromJson(p.Value)))),
        JsonArray a => Array(a.Select(FromJson).ToList()),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => String(v.GetValue<string>()),
            JsonValueKind.True => True,
            JsonValueKind.False => False,
            JsonValueKind.Number => FromNumber(double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)),
            JsonValueKind.Object or JsonValueKind.Array => ParseJson(v.ToJsonString(), "tool call arguments"),
            _ => Null,
        },
        _ => Null,
    };

    // ---- jinja semantics ----

    public bool IsDefined => Kind != Type.Undefined;
    public bool IsNone => Kind == Type.Null;
    public bool IsString => Kind == Type.String;
    public bool IsFalse => Kind == Type.Boolean && !Bool;

    public bool Truthy => Kind switch
    {
        Type.Boolean => Bool,
        Type.Integer or Type.Float => Number != 0 && !double.IsNaN(Number),
        Type.String => Str!.Length > 0,
        Type.Array => Items!.Count > 0,
        Type.Object => Entries!.Count > 0,
        _ => false,
    };

    /// <summary><c>value.name</c> for a data attribute (missing ones and builtins the template never reads are undefined).</summary>
    public TemplateValue Member(string name) =>
        Kind == Type.Object && byKey!.TryGetValue(name, out var value) ? value : Undefined;

    /// <summary><c>value[i]</c> on an array; negative indices count from the end, as <c>Array.prototype.at</c>.</summary>
    public TemplateValue At(int index)
    {
        if (Kind != Type.Array) return Undefined;
        var i = index < 0 ? Items!.Count + index : index;
        return (uint)i < (uint)Items!.Count ? Items[i] : Undefined;
    }

    /// <summary>The values a <c>for</c> loop visits: array items, or an object's keys.</summary>
    public IReadOnlyList<TemplateValue> Iterate(string where) => Kind switch
    {
        Type.Array => Items!,
        Type.Object => Entries!.Select(e => String(e.Key)).ToList(),
        _ => throw new UserError($"{where}: expected a list to loop over, found {Describe()}."),
    };

    /// <summary>Loose <c>==</c> against a string literal, as JavaScript compares the underlying values.</summary>
    public bool LooseEquals(string literal) => Kind switch
    {
        Type.String => Str == literal,
        Type.Array => JoinForJs() == literal,
        Type.Integer or Type.Float or Type.Boolean =>
            double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n == (Kind == Type.Boolean ? (Bool ? 1 : 0) : Number),
        _ => false,
    };

    /// <summary><c>needle in this</c>.</summary>
    public bool Contains(string needle, string where) => Kind switch
    {
        Type.Undefined => false,
        Type.Null => throw new UserError($"{where} is null; the template needs text here (use \"\" for none)."),
        Type.Array => Items!.Any(i => i.Kind == Type.String && i.Str == needle),
        Type.String => Str!.Contains(needle, StringComparison.Ordinal),
        Type.Object => byKey!.ContainsKey(needle),
        _ => throw new UserError($"{where}: the template cannot look for text inside {Describe()}."),
    };

    /// <summary><c>this + other</c> where one side is text: string concatenation of the JavaScript values.</summary>
    public static string Concat(TemplateValue left, TemplateValue right, string where)
    {
        foreach (var side in (ReadOnlySpan<TemplateValue>)[left, right])
        {
            if (side.Kind == Type.Undefined) throw new UserError($"{where} is missing; the template needs text here.");
            if (side.Kind == Type.Null) throw new UserError($"{where} is null; the template needs text here (use \"\" for none).");
        }
        return left.ToJsString() + right.ToJsString();
    }

    /// <summary>What <c>{{ value }}</c> writes: nothing for null and undefined.</summary>
    public string Output() => Kind switch
    {
        Type.Undefined or Type.Null => "",
        Type.Array or Type.Object => ToJson(convertUndefinedToNull: false),
        _ => ToJsString(),
    };

    /// <summary>The receiver of a string method (<c>.strip()</c>, <c>.split()</c>...): only text has them.</summary>
    public string Text(string where) => Kind == Type.String
        ? Str!
        : throw new UserError($"{where}: expected text, found {Describe()}.");

    /// <summary>JavaScript's <c>String(value)</c> of the underlying value, as concatenation uses it.</summary>
    private string ToJsString() => Kind switch
    {
        Type.String => Str!,
        Type.Integer or Type.Float => JsNumber(Number),
        Type.Boolean => Bool ? "true" : "false",
        Type.Array => JoinForJs(),
        Type.Object => "[object Map]",
        Type.Null => "null",
        _ => "undefined",
    };

    /// <summary><c>Array.prototype.toString</c> over runtime values: each item's own toString, joined by commas.</summary>
    private string JoinForJs() => string.Join(",", Items!.Select(i => i.Kind switch
    {
        Type.Array or Type.Object => i.ToJson(convertUndefinedToNull: false),
        _ => i.ToJsString(),
    }));

    /// <summary>The <c>tojson</c> filter: Python-style separators (", " and ": "), non-ASCII kept, JS number spelling.</summary>
    public string ToJson(bool convertUndefinedToNull = true)
    {
        var sb = new StringBuilder();
        WriteJson(sb, convertUndefinedToNull);
        return sb.ToString();
    }

    private void WriteJson(StringBuilder sb, bool convertUndefinedToNull)
    {
        switch (Kind)
        {
            case Type.Undefined: sb.Append(convertUndefinedToNull ? "null" : "undefined"); break;
            case Type.Null: sb.Append("null"); break;
            case Type.Boolean: sb.Append(Bool ? "true" : "false"); break;
            case Type.Integer or Type.Float: sb.Append(double.IsFinite(Number) ? JsNumber(Number) : "null"); break;
            case Type.String: JsonQuote(sb, Str!); break;
            case Type.Array:
                sb.Append('[');
                for (var i = 0; i < Items!.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Items[i].WriteJson(sb, convertUndefinedToNull);
                }
                sb.Append(']');
                break;
            case Type.Object:
                sb.Append('{');
                for (var i = 0; i < Entries!.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    JsonQuote(sb, Entries[i].Key);
                    sb.Append(": ");
                    Entries[i].Value.WriteJson(sb, convertUndefinedToNull);
                }
                sb.Append('}');
                break;
        }
    }

    /// <summary><c>JSON.stringify</c> of a string.</summary>
    private static void JsonQuote(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) sb.Append(c).Append(s[++i]);
                    else if (char.IsSurrogate(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>JavaScript's <c>Number.prototype.toString()</c>: shortest round-trip digits, JS exponent rules.</summary>
    public static string JsNumber(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "Infinity";
        if (double.IsNegativeInfinity(value)) return "-Infinity";
        if (value == 0) return "0";

        // "R" gives the shortest digits that round-trip; take them and the decimal exponent apart.
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = r.IndexOf('E');
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.');
        var intPart = dot >= 0 ? r[..dot] : r;
        var fraction = dot >= 0 ? r[(dot + 1)..] : "";
        var digits = (intPart + fraction).TrimStart('0');
        var leadingZeros = (intPart + fraction).Length - digits.Length;
        digits = digits.TrimEnd('0');
        var k = digits.Length;
        var n = intPart.Length - leadingZeros + exponent; // value = 0.digits × 10^n

        var sb = new StringBuilder();
        if (value < 0) sb.Append('-');
        if (k <= n && n <= 21) sb.Append(digits).Append('0', n - k);
        else if (0 < n && n <= 21) sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        else if (-6 < n && n <= 0) sb.Append("0.").Append('0', -n).Append(digits);
        else
        {
            sb.Append(digits[0]);
            if (k > 1) sb.Append('.').Append(digits, 1, k - 1);
            sb.Append('e').Append(n - 1 >= 0 ? "+" : "-").Append(Math.Abs(n - 1).ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    public string Describe() => Kind switch
    {
        Type.Undefined => "nothing",
        Type.Null => "null",
        Type.Boolean => "a boolean",
        Type.Integer or Type.Float => "a number",
        Type.String => "text",
        Type.Array => "a list",
        _ => "an object",
    };
}
