using System.Globalization;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Db;

/// <summary>
/// Validates a JSON value against a <see cref="Shape"/> in pydantic's lax mode and returns the value
/// <c>model_dump()</c> would give: fields in model order, defaults filled, ints/floats coerced, dates as Python prints them.
/// </summary>
public static class ShapeValidator
{
    /// <summary>Validates <paramref name="input"/>; throws <see cref="ValidationError"/> titled with the model name.</summary>
    public static JsonNode? Validate(JsonNode? input, Shape shape, string? title = null)
    {
        var issues = new List<ValidationIssue>();
        var result = Convert(input, shape, "", issues);
        if (issues.Count > 0) throw new ValidationError(title ?? (shape as Model)?.Name ?? "value", issues);
        return result;
    }

    /// <summary>Builds a model from keyword arguments as <c>Model(**kwargs)</c> does.</summary>
    public static JsonObject Construct(Model model, JsonObject kwargs) => (JsonObject)Validate(kwargs, model, model.Name)!;

    private static JsonNode? Convert(JsonNode? input, Shape shape, string loc, List<ValidationIssue> issues)
    {
        switch (shape)
        {
            case OptionalShape opt:
                return input is null ? null : Convert(input, opt.Inner, loc, issues);
            case Scalar s:
                return ConvertScalar(input, s.Kind, loc, issues);
            case LiteralShape lit:
            {
                var text = Py.Str(input);
                if (text is not null && lit.Values.Contains(text)) return Py.String(text);
                issues.Add(new(loc, "Input should be " + Expected(lit.Values), lit.IsEnum ? "enum" : "literal_error", input));
                return null;
            }
            case ListShape list:
            {
                if (input is not JsonArray array)
                {
                    issues.Add(new(loc, "Input should be a valid list", "list_type", input));
                    return null;
                }
                var result = new JsonArray();
                for (var i = 0; i < array.Count; i++)
                    result.Add(Convert(array[i], list.Item, Join(loc, i.ToString(CultureInfo.InvariantCulture)), issues));
                return result;
            }
            case DictShape dict:
            {
                if (input is not JsonObject obj)
                {
                    issues.Add(new(loc, "Input should be a valid dictionary", "dict_type", input));
                    return null;
                }
                var result = new JsonObject();
                foreach (var (key, value) in obj) result[key] = Convert(value, dict.Value, Join(loc, key), issues);
                return result;
            }
            case Model model:
                return ConvertModel(input, model, loc, issues);
            case UnionShape union:
            {
                if (input is JsonObject obj && Py.Str(obj[union.Discriminator]) is { } tag && union.Members.TryGetValue(tag, out var member))
                    return ConvertModel(input, member, loc, issues);
                issues.Add(new(loc, $"Input tag does not match any of the expected tags: {Expected(union.Members.Keys.ToList())}", "union_tag_invalid", input));
                return null;
            }
            default:
                throw new InvalidOperationException($"unknown shape {shape}");
        }
    }

    private static JsonNode? ConvertModel(JsonNode? input, Model model, string loc, List<ValidationIssue> issues)
    {
        if (input is not JsonObject obj)
        {
            issues.Add(new(loc, $"Input should be a valid dictionary or instance of {model.Name}", "model_type", input));
            return null;
        }
        var result = new JsonObject();
        foreach (var field in model.Fields)
        {
            if (obj.TryGetPropertyValue(field.Name, out var value))
                result[field.Name] = Convert(value, field.Shape, Join(loc, field.Name), issues);
            else if (field.HasDefault)
                result[field.Name] = field.Default?.Invoke();
            else
                issues.Add(new(Join(loc, field.Name), "Field required", "missing", obj));
        }
        if (model.ForbidExtra)
        {
            foreach (var (key, value) in obj)
                if (model.Find(key) is null)
                    issues.Add(new(Join(loc, key), "Extra inputs are not permitted", "extra_forbidden", value));
        }
        return result;
    }

    private static JsonNode? ConvertScalar(JsonNode? input, ScalarKind kind, string loc, List<ValidationIssue> issues)
    {
        var type = Py.TypeOf(input);
        switch (kind)
        {
            case ScalarKind.Any:
                return Py.Clone(input);
            case ScalarKind.Str:
                if (type == PyType.Str) return Py.String(input!.GetValue<string>());
                issues.Add(new(loc, "Input should be a valid string", "string_type", input));
                return null;
            case ScalarKind.Int:
                switch (type)
                {
                    case PyType.Int:
                    case PyType.Bool:
                        return Py.Int(Py.Long(input));
                    case PyType.Float:
                    {
                        var d = Py.Num(input);
                        if (double.IsFinite(d) && Math.Floor(d) == d) return Py.Int((long)d);
                        issues.Add(new(loc, "Input should be a valid integer, got a number with a fractional part", "int_from_float", input));
                        return null;
                    }
                    case PyType.Str:
                        if (long.TryParse(input!.GetValue<string>().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                            return Py.Int(l);
                        issues.Add(new(loc, "Input should be a valid integer, unable to parse string as an integer", "int_parsing", input));
                        return null;
                    default:
                        issues.Add(new(loc, "Input should be a valid integer", "int_type", input));
                        return null;
                }
            case ScalarKind.Float:
                switch (type)
                {
                    case PyType.Int:
                    case PyType.Float:
                    case PyType.Bool:
                        return Py.Float(Py.Num(input));
                    case PyType.Str:
                        if (double.TryParse(input!.GetValue<string>().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                            return Py.Float(d);
                        issues.Add(new(loc, "Input should be a valid number, unable to parse string as a number", "float_parsing", input));
                        return null;
                    default:
                        issues.Add(new(loc, "Input should be a valid number", "float_type", input));
                        return null;
                }
            case ScalarKind.Bool:
                switch (type)
                {
                    case PyType.Bool:
                        return Py.Bool(input!.GetValue<bool>());
                    case PyType.Int when Py.Long(input) is 0 or 1:
                        return Py.Bool(Py.Long(input) == 1);
                    case PyType.Str:
                        switch (input!.GetValue<string>().Trim().ToLowerInvariant())
                        {
                            case "true" or "yes" or "on" or "1" or "t" or "y": return Py.Bool(true);
                            case "false" or "no" or "off" or "0" or "f" or "n": return Py.Bool(false);
                        }
                        break;
                }
                issues.Add(new(loc, "Input should be a valid boolean, unable to interpret input", "bool_parsing", input));
                return null;
            case ScalarKind.Date:
                if (type == PyType.Str && DateOnly.TryParseExact(input!.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    return Py.String(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                issues.Add(new(loc, "Input should be a valid date", "date_type", input));
                return null;
            case ScalarKind.DateTime:
                if (type == PyType.Str && System.DateTime.TryParse(input!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
                    return Py.String(PythonDateTime(dt));
                issues.Add(new(loc, "Input should be a valid datetime", "datetime_type", input));
                return null;
            default:
                throw new InvalidOperationException(kind.ToString());
        }
    }

    /// <summary>Python's <c>str(datetime)</c>: "YYYY-MM-DD HH:MM:SS" (what json.dumps(default=str) writes).</summary>
    public static string PythonDateTime(DateTime dt) =>
        dt.ToString(dt.Millisecond == 0 && dt.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>pydantic's list of expected literals: 'a', 'b' or 'c'.</summary>
    private static string Expected(IReadOnlyList<string> values)
    {
        var quoted = values.Select(Py.StrRepr).ToList();
        return quoted.Count == 1 ? quoted[0] : string.Join(", ", quoted.Take(quoted.Count - 1)) + " or " + quoted[^1];
    }

    private static string Join(string loc, string part) => loc.Length == 0 ? part : loc + "." + part;
}
