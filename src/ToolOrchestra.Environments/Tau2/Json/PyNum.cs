using System.Globalization;
using System.Text.Json.Nodes;

namespace ToolOrchestra.Environments.Tau2.Json;

/// <summary>
/// A Python int or float in arithmetic: int op int stays int, anything with a float becomes float. Tools that do
/// arithmetic on raw (unvalidated) arguments use it so results print and hash as upstream's (50 vs 50.0).
/// </summary>
public readonly record struct PyNum(double Value, bool IsFloat)
{
    public static PyNum Int(long v) => new(v, false);
    public static PyNum Float(double v) => new(v, true);

    /// <summary>
    /// The number an argument holds; anything else raises Python's TypeError, worded by <paramref name="typeError"/>
    /// from the argument's type name (e.g. <c>t => $"unsupported operand type(s) for -: '{t}' and 'int'"</c>).
    /// </summary>
    public static PyNum From(JsonNode? n, Func<string, string> typeError) => Py.TypeOf(n) switch
    {
        PyType.Int or PyType.Bool => Int(Py.Long(n)),
        PyType.Float => Float(Py.Num(n)),
        _ => throw new ToolError(typeError(Py.TypeName(n))),
    };

    public string TypeName => IsFloat ? "float" : "int";

    public static PyNum operator +(PyNum a, PyNum b) => new(a.Value + b.Value, a.IsFloat || b.IsFloat);
    public static PyNum operator -(PyNum a, PyNum b) => new(a.Value - b.Value, a.IsFloat || b.IsFloat);
    public static PyNum operator *(PyNum a, PyNum b) => new(a.Value * b.Value, a.IsFloat || b.IsFloat);
    public static PyNum operator -(PyNum a) => new(-a.Value, a.IsFloat);

    /// <summary>Python <c>max(a, b)</c>: the first of equal values wins.</summary>
    public static PyNum Max(PyNum a, PyNum b) => b.Value > a.Value ? b : a;

    public bool IsZero => Value == 0;

    public JsonNode ToNode() => IsFloat ? Py.Float(Value) : Py.Int((long)Value);

    /// <summary>Python <c>str()</c>.</summary>
    public override string ToString() => IsFloat ? PyFloat.Repr(Value) : ((long)Value).ToString(CultureInfo.InvariantCulture);
}
