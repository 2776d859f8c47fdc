using System.Globalization;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Db;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Declarative;

/// <summary>A declared precondition that does not hold (tau2 tool error "reservation is not pending").</summary>
public sealed class PreconditionFailed(string message) : ToolError(message);

/// <summary>
/// Runs a declarative tool's steps against one environment's database. Every failure is a <see cref="ToolError"/>,
/// which the environment turns into tau2's <c>"Error: …"</c> tool message. Steps run in order and a failing step stops
/// the tool; since preconditions are checked before the step that writes, a failed precondition changes nothing.
/// </summary>
public sealed class OperationInterpreter(DomainSpec spec, Database db)
{
    private readonly Dictionary<string, EntitySpec> _entities = spec.Entities.ToDictionary(e => e.Collection, StringComparer.Ordinal);

    public object? Run(ToolSpec tool, JsonObject args)
    {
        var results = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        JsonNode? last = null;
        foreach (var step in tool.Steps)
        {
            last = RunStep(step, args, results);
            if (step.As is { } alias) results[alias] = last;
        }
        var result = tool.Returns is { } r ? results[r] : last;
        // a string result (an id) is returned as a Python str, which tau2 sends unquoted
        // (object): JsonNode converts implicitly from string, which would quote it again
        return Py.Str(result) is { } text ? (object)text : Py.Clone(result);
    }

    private JsonNode? RunStep(OperationStep step, JsonObject args, Dictionary<string, JsonNode?> results)
    {
        var entity = _entities[step.Collection];
        JsonNode? Eval(ValueExpr v) => Evaluate(v, args, results);
        switch (step.Op)
        {
            case StepOp.Get:
            {
                var key = KeyText(Eval(step.Key!), entity);
                var record = db.Get(step.Collection, key) ?? throw NotFound(entity, key);
                Check(step.Require, record, entity, key, Eval);
                return record;
            }
            case StepOp.Find:
            {
                var matches = db.Records(step.Collection).Where(r => (step.Where ?? []).All(p => Holds(p, r.Record, Eval))).ToList();
                if (step.Select is FindSelect.First or FindSelect.FirstKey)
                {
                    if (matches.Count == 0) throw new ToolError($"No {entity.Title} matches the given {Describe(step.Where)}");
                    Check(step.Require, matches[0].Record, entity, matches[0].Key, Eval);
                    return step.Select == FindSelect.First ? matches[0].Record : Py.String(matches[0].Key);
                }
                return step.Select == FindSelect.Keys
                    ? new JsonArray(matches.Select(m => (JsonNode?)Py.String(m.Key)).ToArray())
                    : new JsonArray(matches.Select(m => Py.Clone(m.Record)).ToArray());
            }
            case StepOp.Create:
            {
                string key;
                if (step.Key is not null)
                {
                    key = KeyText(Eval(step.Key), entity);
                    if (db.Contains(step.Collection, key)) throw new ToolError($"{Title(entity)} {key} already exists");
                }
                else key = NextKey(step.Collection, step.KeyPrefix!);
                var values = new JsonObject { [entity.Key] = key };
                foreach (var (f, v) in step.Set ?? new Dictionary<string, ValueExpr>()) values[f] = Py.Clone(Eval(v));
                var record = ShapeValidator.Construct(entity.RecordModel, values);
                CheckRelations(entity, record);
                db.Set(step.Collection, key, record);
                return record;
            }
            case StepOp.Update:
            {
                var key = KeyText(Eval(step.Key!), entity);
                var current = db.Get(step.Collection, key) ?? throw NotFound(entity, key);
                Check(step.Require, current, entity, key, Eval);
                var updated = (JsonObject)Py.Clone(current)!;
                foreach (var (f, v) in step.Set ?? new Dictionary<string, ValueExpr>()) updated[f] = Py.Clone(Eval(v));
                foreach (var (f, v) in step.Increment ?? new Dictionary<string, ValueExpr>())
                    updated[f] = Arithmetic("add", updated[f], Eval(v), $"{step.Collection}.{f}");
                var record = ShapeValidator.Construct(entity.RecordModel, updated);
                CheckRelations(entity, record);
                db.Set(step.Collection, key, record);
                return record;
            }
            case StepOp.Delete:
            {
                var key = KeyText(Eval(step.Key!), entity);
                var record = db.Get(step.Collection, key) ?? throw NotFound(entity, key);
                Check(step.Require, record, entity, key, Eval);
                foreach (var other in spec.Entities)
                    foreach (var rel in other.Relations.Where(r => r.Collection == step.Collection))
                        if (db.Records(other.Collection).Any(r => References(r.Record[rel.Field], key)))
                            throw new PreconditionFailed($"{Title(entity)} {key} is still referenced by {other.Collection}");
                db.Remove(step.Collection, key);
                return record;
            }
            default:
            {
                var matches = db.Records(step.Collection).Where(r => (step.Where ?? []).All(p => Holds(p, r.Record, Eval))).Select(r => r.Record).ToList();
                if (step.Function == AggregateFunction.Count) return Py.Int(matches.Count);
                var numbers = matches.Select(m => m[step.Field!]).Where(Py.IsNumber).Select(Py.Num).ToList();
                if (numbers.Count == 0) throw new ToolError($"No {entity.Title} with a {step.Field} matches the given {Describe(step.Where)}");
                var value = step.Function switch
                {
                    AggregateFunction.Sum => numbers.Sum(),
                    AggregateFunction.Min => numbers.Min(),
                    AggregateFunction.Max => numbers.Max(),
                    _ => numbers.Average(),
                };
                return Py.Float(Math.Round(value, 2));
            }
        }
    }

    private JsonNode? Evaluate(ValueExpr v, JsonObject args, Dictionary<string, JsonNode?> results) => v switch
    {
        ValueExpr.Param p => args[p.Name],
        ValueExpr.Literal l => l.Value,
        ValueExpr.Ref r => r.Field is null ? results[r.Step] : (results[r.Step] as JsonObject)?[r.Field],
        ValueExpr.Arith a => Arithmetic(a.Op, Evaluate(a.Left, args, results), Evaluate(a.Right, args, results), a.Op),
        _ => throw new InvalidOperationException(v.ToString()),
    };

    /// <summary>Numbers stay ints when both sides are ints; money-like floats are rounded to cents, as tau2's tools round.</summary>
    private static JsonNode Arithmetic(string op, JsonNode? a, JsonNode? b, string where)
    {
        if (!Py.IsNumber(a) || !Py.IsNumber(b))
            throw new ToolError($"{where}: cannot {op} {Py.TypeName(a)} and {Py.TypeName(b)}");
        var x = Py.Num(a);
        var y = Py.Num(b);
        var r = op switch { "add" => x + y, "sub" => x - y, _ => x * y };
        return Py.TypeOf(a) == PyType.Int && Py.TypeOf(b) == PyType.Int ? Py.Int((long)r) : Py.Float(Math.Round(r, 2));
    }

    private void Check(IReadOnlyList<Predicate>? require, JsonObject record, EntitySpec entity, string key, Func<ValueExpr, JsonNode?> eval)
    {
        foreach (var p in require ?? [])
            if (!Holds(p, record, eval))
                throw new PreconditionFailed(p.Message ?? $"{Title(entity)} {key}: {p.Field ?? "value"} must be {p.Op.ToString().ToLowerInvariant()} {Py.ToStr(eval(p.Right))}");
    }

    private static bool Holds(Predicate p, JsonObject? record, Func<ValueExpr, JsonNode?> eval)
    {
        var left = p.Field is not null ? record?[p.Field] : eval(p.Left!);
        var right = eval(p.Right);
        switch (p.Op)
        {
            case CompareOp.Eq: return Py.Equal(left, right);
            case CompareOp.Ne: return !Py.Equal(left, right);
            case CompareOp.Contains:
                if (left is JsonArray list) return list.Any(i => Py.Equal(i, right));
                return Py.Str(left) is { } s && Py.Str(right) is { } t && s.Contains(t, StringComparison.OrdinalIgnoreCase);
        }
        int cmp;
        if (Py.IsNumber(left) && Py.IsNumber(right)) cmp = Py.Num(left).CompareTo(Py.Num(right));
        else if (Py.Str(left) is { } ls && Py.Str(right) is { } rs) cmp = string.CompareOrdinal(ls, rs);
        else return false;
        return p.Op switch { CompareOp.Lt => cmp < 0, CompareOp.Le => cmp <= 0, CompareOp.Gt => cmp > 0, _ => cmp >= 0 };
    }

    private void CheckRelations(EntitySpec entity, JsonObject record)
    {
        foreach (var rel in entity.Relations)
        {
            var value = record[rel.Field];
            foreach (var v in value is JsonArray list ? list.ToList() : [value])
                if (v is not null && (Py.Str(v) is not { } k || !db.Contains(rel.Collection, k)))
                    throw NotFound(_entities[rel.Collection], Py.ToStr(v));
        }
    }

    private static bool References(JsonNode? value, string key) =>
        value is JsonArray list ? list.Any(v => Py.Str(v) == key) : Py.Str(value) == key;

    private string NextKey(string collection, string prefix)
    {
        var n = db.Count(collection) + 1;
        while (db.Contains(collection, prefix + n.ToString("D4", CultureInfo.InvariantCulture))) n++;
        return prefix + n.ToString("D4", CultureInfo.InvariantCulture);
    }

    private static string KeyText(JsonNode? key, EntitySpec entity) =>
        Py.Str(key) ?? throw new ToolError($"{entity.Key} must be a string, got {Py.Repr(key)}");

    private static ToolError NotFound(EntitySpec entity, string key) => new($"{Title(entity)} {key} not found");

    private static string Title(EntitySpec e) => char.ToUpperInvariant(e.Title[0]) + e.Title[1..];

    private static string Describe(IReadOnlyList<Predicate>? where) =>
        where is { Count: > 0 } ? string.Join(" and ", where.Select(p => p.Field ?? "value")) : "criteria";
}
