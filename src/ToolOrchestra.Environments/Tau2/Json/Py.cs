using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ToolOrchestra.Environments.Tau2.Json;

/// <summary>The Python type a JSON value has after <c>json.loads</c>: what tau2's tools and evaluator see.</summary>
public enum PyType { None, Bool, Int, Float, Str, List, Dict }

/// <summary>
/// Python value semantics over <see cref="JsonNode"/>: type (int vs float is kept: <c>2</c> and <c>2.0</c> dump
/// differently and so hash differently), equality (<c>1 == 1.0 == True</c>), <c>str()</c> and <c>repr()</c>.
/// Database values are stored as long/double/string/bool primitives; agent arguments may be element-backed.
/// </summary>
public static class Py
{
    public static PyType TypeOf(JsonNode? node)
    {
        switch (node)
        {
            case null: return PyType.None;
            case JsonObject: return PyType.Dict;
            case JsonArray: return PyType.List;
        }
        var value = node.AsValue();
        if (value.TryGetValue<JsonElement>(out var element))
        {
            return element.ValueKind switch
            {
                JsonValueKind.String => PyType.Str,
                JsonValueKind.True or JsonValueKind.False => PyType.Bool,
                JsonValueKind.Null or JsonValueKind.Undefined => PyType.None,
                JsonValueKind.Number => IsIntegerText(element.GetRawText()) ? PyType.Int : PyType.Float,
                JsonValueKind.Object => PyType.Dict,
                _ => PyType.List,
            };
        }
        if (value.TryGetValue<string>(out _)) return PyType.Str;
        if (value.TryGetValue<bool>(out _)) return PyType.Bool;
        if (value.TryGetValue<double>(out _) || value.TryGetValue<float>(out _) || value.TryGetValue<decimal>(out _)) return PyType.Float;
        return PyType.Int;
    }

    private static bool IsIntegerText(string raw) => raw.IndexOfAny(['.', 'e', 'E']) < 0;

    public static bool IsStr(JsonNode? n) => TypeOf(n) == PyType.Str;
    public static bool IsNumber(JsonNode? n) => TypeOf(n) is PyType.Int or PyType.Float;

    /// <summary>Numeric value of an int, float or bool (Python bool is an int).</summary>
    public static double Num(JsonNode? n) => TypeOf(n) switch
    {
        PyType.Bool => n!.GetValue<bool>() ? 1 : 0,
        PyType.Int => IntValue(n!.AsValue()),
        PyType.Float => n!.GetValue<double>(),
        _ => throw new InvalidOperationException($"not a number: {Repr(n)}"),
    };

    public static long Long(JsonNode? n) => TypeOf(n) switch
    {
        PyType.Bool => n!.GetValue<bool>() ? 1 : 0,
        PyType.Int => IntValue(n!.AsValue()),
        _ => throw new InvalidOperationException($"not an int: {Repr(n)}"),
    };

    private static long IntValue(JsonValue v)
    {
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<JsonElement>(out var e)) return e.TryGetInt64(out l) ? l : (long)e.GetDouble();
        return System.Convert.ToInt64(v.GetValue<object>(), CultureInfo.InvariantCulture);
    }

    public static string? Str(JsonNode? n) => TypeOf(n) == PyType.Str ? n!.GetValue<string>() : null;

    public static JsonValue Int(long v) => JsonValue.Create(v);
    public static JsonValue Float(double v) => JsonValue.Create(v);
    public static JsonValue String(string v) => JsonValue.Create(v);
    public static JsonValue Bool(bool v) => JsonValue.Create(v);

    /// <summary>A number node keeping its Python type: int stays int, float stays float.</summary>
    public static JsonNode Number(double value, bool isFloat) => isFloat ? Float(value) : Int((long)value);

    /// <summary>Python <c>==</c> between two JSON values.</summary>
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        var ta = TypeOf(a);
        var tb = TypeOf(b);
        var numA = ta is PyType.Bool or PyType.Int or PyType.Float;
        var numB = tb is PyType.Bool or PyType.Int or PyType.Float;
        if (numA && numB)
        {
            if (ta != PyType.Float && tb != PyType.Float) return Long(a) == Long(b);
            return Num(a) == Num(b);
        }
        if (ta != tb) return false;
        switch (ta)
        {
            case PyType.None: return true;
            case PyType.Str: return string.Equals(a!.GetValue<string>(), b!.GetValue<string>(), StringComparison.Ordinal);
            case PyType.List:
            {
                var la = (JsonArray)a!;
                var lb = (JsonArray)b!;
                if (la.Count != lb.Count) return false;
                for (var i = 0; i < la.Count; i++)
                    if (!Equal(la[i], lb[i])) return false;
                return true;
            }
            default:
            {
                var da = (JsonObject)a!;
                var db = (JsonObject)b!;
                if (da.Count != db.Count) return false;
                foreach (var (key, va) in da)
                    if (!db.TryGetPropertyValue(key, out var vb) || !Equal(va, vb)) return false;
                return true;
            }
        }
    }

    /// <summary>Python <c>str(value)</c> (what an f-string prints).</summary>
    public static string ToStr(JsonNode? n) => TypeOf(n) switch
    {
        PyType.Str => n!.GetValue<string>(),
        _ => Repr(n),
    };

    /// <summary>Python <c>repr(value)</c> of the json.loads result.</summary>
    public static string Repr(JsonNode? n)
    {
        var sb = new StringBuilder();
        WriteRepr(sb, n);
        return sb.ToString();
    }

    private static void WriteRepr(StringBuilder sb, JsonNode? n)
    {
        switch (TypeOf(n))
        {
            case PyType.None: sb.Append("None"); break;
            case PyType.Bool: sb.Append(n!.GetValue<bool>() ? "True" : "False"); break;
            case PyType.Int:
                sb.Append(n!.AsValue().TryGetValue<JsonElement>(out var e) && !e.TryGetInt64(out _)
                    ? e.GetRawText()
                    : IntValue(n.AsValue()).ToString(CultureInfo.InvariantCulture));
                break;
            case PyType.Float: sb.Append(PyFloat.Repr(Num(n))); break;
            case PyType.Str: AppendStrRepr(sb, n!.GetValue<string>()); break;
            case PyType.List:
            {
                sb.Append('[');
                var first = true;
                foreach (var item in (JsonArray)n!)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    WriteRepr(sb, item);
                }
                sb.Append(']');
                break;
            }
            default:
            {
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in (JsonObject)n!)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendStrRepr(sb, key);
                    sb.Append(": ");
                    WriteRepr(sb, value);
                }
                sb.Append('}');
                break;
            }
        }
    }

    /// <summary>Python string repr: single quotes unless the text has a ' and no ".</summary>
    public static void AppendStrRepr(StringBuilder sb, string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append(quote);
    }

    public static string StrRepr(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        AppendStrRepr(sb, s);
        return sb.ToString();
    }

    /// <summary>Python type name as error messages print it.</summary>
    public static string TypeName(JsonNode? n) => TypeOf(n) switch
    {
        PyType.None => "NoneType",
        PyType.Bool => "bool",
        PyType.Int => "int",
        PyType.Float => "float",
        PyType.Str => "str",
        PyType.List => "list",
        _ => "dict",
    };

    /// <summary>Deep copy that keeps Python types (element-backed numbers become long/double primitives).</summary>
    public static JsonNode? Clone(JsonNode? n)
    {
        switch (TypeOf(n))
        {
            case PyType.None: return null;
            case PyType.Bool: return Bool(n!.GetValue<bool>());
            case PyType.Str: return String(n!.GetValue<string>());
            case PyType.Int:
                return n!.AsValue().TryGetValue<JsonElement>(out var e) && !e.TryGetInt64(out _)
                    ? JsonNode.Parse(e.GetRawText())
                    : Int(IntValue(n.AsValue()));
            case PyType.Float: return Float(Num(n));
            case PyType.List:
            {
                var src = (JsonArray)n!;
                var arr = new JsonArray();
                foreach (var item in src) arr.Add(Clone(item));
                return arr;
            }
            default:
            {
                var src = (JsonObject)n!;
                var obj = new JsonObject();
                foreach (var (key, value) in src) obj[key] = Clone(value);
                return obj;
            }
        }
    }
}
