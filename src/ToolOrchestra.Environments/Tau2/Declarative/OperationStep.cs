using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tau2.Declarative;

/// <summary>The operations of the language: the whole of what a declarative tool can do to its database.</summary>
public enum StepOp { Get, Find, Create, Update, Delete, Aggregate }

/// <summary>What a find step returns.</summary>
public enum FindSelect { Records, Keys, First, FirstKey }

public enum AggregateFunction { Count, Sum, Min, Max, Avg }

public enum CompareOp { Eq, Ne, Lt, Le, Gt, Ge, Contains }

/// <summary>
/// A value in an operation: a tool argument (<c>{"param": "amount"}</c>), a constant (<c>{"literal": "pending"}</c>),
/// an earlier step's result or one of its fields (<c>{"ref": "item.price"}</c>), or add/sub/mul of two values.
/// </summary>
public abstract record ValueExpr
{
    public sealed record Param(string Name) : ValueExpr;
    public sealed record Literal(JsonNode? Value) : ValueExpr;
    public sealed record Ref(string Step, string? Field) : ValueExpr;
    public sealed record Arith(string Op, ValueExpr Left, ValueExpr Right) : ValueExpr;

    public static ValueExpr Read(JsonReader r, StepScope scope)
    {
        var o = r.Object();
        if (o.Count != 1) throw r.Error("a value is one of {\"param\": name}, {\"literal\": value}, {\"ref\": \"step.field\"}, {\"add\"|\"sub\"|\"mul\": [a, b]}.");
        var (kind, _) = o.First();
        switch (kind)
        {
            case "param":
                var name = r.Required("param").String();
                return scope.Parameters.Contains(name) ? new Param(name) : throw r.Required("param").Error($"'{name}' is not a parameter of the tool.");
            case "literal":
                return new Literal(o["literal"]?.DeepClone());
            case "ref":
                var text = r.Required("ref").String();
                var dot = text.IndexOf('.');
                var step = dot < 0 ? text : text[..dot];
                if (!scope.Steps.TryGetValue(step, out var s)) throw r.Required("ref").Error($"no earlier step is named '{step}' (\"as\").");
                var field = dot < 0 ? null : text[(dot + 1)..];
                if (field is not null && !scope.Entities[s.Collection].FieldNames.Contains(field))
                    throw r.Required("ref").Error($"'{field}' is not a field of {s.Collection}.");
                return new Ref(step, field);
            case "add" or "sub" or "mul":
                var items = r.Required(kind).Items().ToList();
                if (items.Count != 2) throw r.Required(kind).Error("expected two values.");
                return new Arith(kind, Read(items[0], scope), Read(items[1], scope));
            default:
                throw r.Error($"unknown value kind '{kind}'; use param, literal, ref, add, sub or mul.");
        }
    }
}

/// <summary>
/// A condition: a record's field (or any value) compared with a value. As a <c>where</c> it filters records; as a
/// <c>require</c> it is a precondition whose failure is a tau2 tool error with <see cref="Message"/>.
/// </summary>
public sealed record Predicate(string? Field, ValueExpr? Left, CompareOp Op, ValueExpr Right, string? Message)
{
    public static Predicate Read(JsonReader r, StepScope scope, EntitySpec? entity)
    {
        string? field = null;
        ValueExpr? left = null;
        if (r.Optional("field") is { } f)
        {
            field = f.String();
            if (entity is null) throw f.Error("'field' needs a record; use 'left' with a value here.");
            if (!entity.FieldNames.Contains(field)) throw f.Error($"'{field}' is not a field of {entity.Collection}.");
        }
        else left = ValueExpr.Read(r.Optional("left") ?? throw r.Error("a condition needs 'field' (a record field) or 'left' (a value)."), scope);
        var opName = r.Required("op").String();
        var op = opName switch
        {
            "eq" => CompareOp.Eq, "ne" => CompareOp.Ne, "lt" => CompareOp.Lt, "le" => CompareOp.Le,
            "gt" => CompareOp.Gt, "ge" => CompareOp.Ge, "contains" => CompareOp.Contains,
            _ => throw r.Required("op").Error("expected one of eq, ne, lt, le, gt, ge, contains."),
        };
        return new Predicate(field, left, op, ValueExpr.Read(r.Required("value"), scope), r.OptionalString("message"));
    }
}

/// <summary>One step of a tool's operation; <see cref="As"/> names its result for later steps.</summary>
public sealed record OperationStep(
    StepOp Op,
    string Collection,
    ValueExpr? Key = null,
    string? KeyPrefix = null,
    IReadOnlyList<Predicate>? Where = null,
    FindSelect Select = FindSelect.Records,
    IReadOnlyList<Predicate>? Require = null,
    IReadOnlyDictionary<string, ValueExpr>? Set = null,
    IReadOnlyDictionary<string, ValueExpr>? Increment = null,
    AggregateFunction Function = AggregateFunction.Count,
    string? Field = null,
    string? As = null)
{
    public bool Writes => Op is StepOp.Create or StepOp.Update or StepOp.Delete;

    public static OperationStep Read(JsonReader r, StepScope scope)
    {
        var opName = r.Required("op").String();
        var op = opName switch
        {
            "get" => StepOp.Get, "find" => StepOp.Find, "create" => StepOp.Create,
            "update" => StepOp.Update, "delete" => StepOp.Delete, "aggregate" => StepOp.Aggregate,
            _ => throw r.Required("op").Error("expected one of get, find, create, update, delete, aggregate."),
        };
        var collection = r.Required("collection").String();
        if (!scope.Entities.TryGetValue(collection, out var entity))
            throw r.Required("collection").Error($"'{collection}' is not an entity of the domain.");
        var allowed = op switch
        {
            StepOp.Get => new[] { "key", "require" },
            StepOp.Find => ["where", "select", "require"],
            StepOp.Create => ["key", "key_prefix", "values"],
            StepOp.Update => ["key", "require", "set", "increment"],
            StepOp.Delete => ["key", "require"],
            _ => ["where", "function", "field"],
        };
        foreach (var (k, _) in r.Object())
            if (k is not ("op" or "collection" or "as") && !allowed.Contains(k))
                throw r.Required(k).Error($"'{k}' does not apply to a {opName} step; it takes {string.Join(", ", allowed)}.");

        ValueExpr? key = r.Optional("key") is { } kr ? ValueExpr.Read(kr, scope) : null;
        if (op is StepOp.Get or StepOp.Update or StepOp.Delete && key is null) throw r.Error($"a {opName} step needs 'key'.");
        var prefix = r.OptionalString("key_prefix");
        if (op == StepOp.Create && (key is null) == (prefix is null)) throw r.Error("a create step needs exactly one of 'key' and 'key_prefix'.");

        var where = r.Optional("where")?.Items().Select(p => Predicate.Read(p, scope, entity)).ToList();
        var require = r.Optional("require")?.Items().Select(p => Predicate.Read(p, scope, entity)).ToList();
        var select = r.OptionalString("select") switch
        {
            null or "records" => FindSelect.Records,
            "keys" => FindSelect.Keys,
            "first" => FindSelect.First,
            "first_key" => FindSelect.FirstKey,
            _ => throw r.Required("select").Error("expected records, keys, first or first_key."),
        };
        if (op == StepOp.Find && require is not null && select is not (FindSelect.First or FindSelect.FirstKey))
            throw r.Required("require").Error("'require' on a find step needs select first or first_key (one record to check).");

        Dictionary<string, ValueExpr>? Fields(string name)
        {
            if (r.Optional(name) is not { } fr) return null;
            var d = new Dictionary<string, ValueExpr>(StringComparer.Ordinal);
            foreach (var (f, _) in fr.Object())
            {
                if (!entity.FieldNames.Contains(f)) throw fr.Required(f).Error($"'{f}' is not a field of {collection}.");
                if (f == entity.Key && op == StepOp.Update) throw fr.Required(f).Error("the key field cannot be changed.");
                d[f] = ValueExpr.Read(fr.Required(f), scope);
            }
            return d;
        }
        var set = Fields(op == StepOp.Create ? "values" : "set");
        var increment = Fields("increment");
        if (op == StepOp.Update && set is null && increment is null) throw r.Error("an update step needs 'set' or 'increment'.");

        var function = AggregateFunction.Count;
        string? field = null;
        if (op == StepOp.Aggregate)
        {
            function = r.OptionalString("function") switch
            {
                null or "count" => AggregateFunction.Count, "sum" => AggregateFunction.Sum, "min" => AggregateFunction.Min,
                "max" => AggregateFunction.Max, "avg" => AggregateFunction.Avg,
                _ => throw r.Required("function").Error("expected count, sum, min, max or avg."),
            };
            field = r.OptionalString("field");
            if (function != AggregateFunction.Count && field is null) throw r.Error($"a {function.ToString().ToLowerInvariant()} needs 'field'.");
            if (field is not null && !entity.FieldNames.Contains(field)) throw r.Required("field").Error($"'{field}' is not a field of {collection}.");
        }
        var alias = r.OptionalString("as");
        if (alias is not null && scope.Steps.ContainsKey(alias)) throw r.Required("as").Error($"a step is already named '{alias}'.");
        return new OperationStep(op, collection, key, prefix, where, select, require, set, increment, function, field, alias);
    }
}
