using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Db;

/// <summary>
/// The shape of a tau2 data-model value (upstream's pydantic models), used to normalise databases as pydantic's
/// <c>model_dump()</c> would (field order, defaults, int vs float) and to validate tool arguments the way pydantic's lax
/// mode does, with its error text. One shape per upstream model field type.
/// </summary>
public abstract record Shape
{
    public static readonly Shape Str = new Scalar(ScalarKind.Str);
    public static readonly Shape Int = new Scalar(ScalarKind.Int);
    public static readonly Shape Float = new Scalar(ScalarKind.Float);
    public static readonly Shape Bool = new Scalar(ScalarKind.Bool);
    public static readonly Shape Date = new Scalar(ScalarKind.Date);
    public static readonly Shape DateTime = new Scalar(ScalarKind.DateTime);
    /// <summary>An untyped <c>dict</c>/<c>Any</c>: copied as is.</summary>
    public static readonly Shape Any = new Scalar(ScalarKind.Any);

    public static Shape Optional(Shape inner) => new OptionalShape(inner);
    public static Shape ListOf(Shape item) => new ListShape(item);
    public static Shape DictOf(Shape value) => new DictShape(value);
    /// <summary>A <c>Literal[...]</c> (or a str enum when isEnum, which words its error differently).</summary>
    public static Shape Literal(params string[] values) => new LiteralShape(values, IsEnum: false);
    public static Shape Enum(params string[] values) => new LiteralShape(values, IsEnum: true);
}

public enum ScalarKind { Str, Int, Float, Bool, Date, DateTime, Any }

public sealed record Scalar(ScalarKind Kind) : Shape;
public sealed record OptionalShape(Shape Inner) : Shape;
public sealed record ListShape(Shape Item) : Shape;
public sealed record DictShape(Shape Value) : Shape;
public sealed record LiteralShape(IReadOnlyList<string> Values, bool IsEnum) : Shape;

/// <summary>A field of a model: its shape and, when optional, the default <c>model_dump()</c> shows.</summary>
public sealed record Field(string Name, Shape Shape, bool HasDefault = false, Func<JsonNode?>? Default = null)
{
    public static Field Required(string name, Shape shape) => new(name, shape);
    public static Field WithDefault(string name, Shape shape, Func<JsonNode?> value) => new(name, shape, true, value);
    public static Field NullDefault(string name, Shape shape) => new(name, Shape.Optional(shape), true, () => null);
}

/// <summary>A pydantic model: fields in declaration order; <c>extra="forbid"</c> for BaseModelNoExtra models.</summary>
public sealed record Model(string Name, IReadOnlyList<Field> Fields, bool ForbidExtra = false) : Shape
{
    public Field? Find(string name)
    {
        foreach (var f in Fields) if (f.Name == name) return f;
        return null;
    }
}

/// <summary>A union of models told apart by a literal discriminator field (e.g. payment <c>source</c>).</summary>
public sealed record UnionShape(string Discriminator, IReadOnlyDictionary<string, Model> Members) : Shape;

/// <summary>One pydantic error line.</summary>
public sealed record ValidationIssue(string Location, string Message, string Type, JsonNode? Input, bool HasInput = true);

/// <summary>
/// pydantic's ValidationError: raised as the tool error text "N validation error(s) for Model\n…" exactly as pydantic 2.12
/// prints it (the recorded simulations show this format).
/// </summary>
public sealed class ValidationError(string title, IReadOnlyList<ValidationIssue> issues) : ToolError(Format(title, issues))
{
    public IReadOnlyList<ValidationIssue> Issues => issues;

    private static string Format(string title, IReadOnlyList<ValidationIssue> issues)
    {
        var sb = new StringBuilder();
        sb.Append(issues.Count.ToString(CultureInfo.InvariantCulture))
          .Append(issues.Count == 1 ? " validation error for " : " validation errors for ").Append(title);
        foreach (var issue in issues)
        {
            sb.Append('\n').Append(issue.Location).Append("\n  ").Append(issue.Message)
              .Append(" [type=").Append(issue.Type);
            if (issue.HasInput)
                sb.Append(", input_value=").Append(TruncatedRepr(issue.Input)).Append(", input_type=").Append(Py.TypeName(issue.Input));
            sb.Append("]\n    For further information visit https://errors.pydantic.dev/2.12/v/").Append(issue.Type);
        }
        return sb.ToString();
    }

    /// <summary>pydantic-core shortens long input reprs to their first 25 and last 24 characters.</summary>
    private static string TruncatedRepr(JsonNode? input)
    {
        var repr = Py.Repr(input);
        return repr.Length > 50 ? repr[..25] + "..." + repr[^24..] : repr;
    }
}
