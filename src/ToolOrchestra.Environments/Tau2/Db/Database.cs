using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Db;

/// <summary>
/// One environment's view of a database: reads go to the shared <see cref="DbSnapshot"/>, the first write to a record
/// (or to a non-table field) copies it. Records returned by <see cref="Get"/> are read-only by contract; call
/// <see cref="Edit"/> before changing anything. Dict iteration follows Python's insertion order.
/// </summary>
public sealed class Database
{
    private readonly DbSnapshot _base;
    private readonly Dictionary<string, JsonNode?> _fields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TableOverlay> _tables = new(StringComparer.Ordinal);

    private sealed class TableOverlay
    {
        /// <summary>Edited or added records.</summary>
        public readonly Dictionary<string, JsonObject> Records = new(StringComparer.Ordinal);
        /// <summary>Keys that come after the snapshot's keys: new ones, or removed and added again.</summary>
        public readonly List<string> Added = [];
        /// <summary>Snapshot keys no longer at their snapshot position (removed, or moved to <see cref="Added"/>).</summary>
        public readonly HashSet<string> Hidden = new(StringComparer.Ordinal);
    }

    public Database(DbSnapshot snapshot) => _base = snapshot;

    public DbSnapshot Snapshot => _base;
    public Model Schema => _base.Schema;

    // ---- dict tables (flights, users, reservations, orders, products, tasks, notifications) ----

    public JsonObject? Get(string table, string key)
    {
        if (_tables.TryGetValue(table, out var overlay))
        {
            if (overlay.Records.TryGetValue(key, out var rec)) return rec;
            if (overlay.Hidden.Contains(key)) return null;
        }
        return BaseTable(table)?[key] as JsonObject;
    }

    public bool Contains(string table, string key) => Get(table, key) is not null;

    /// <summary>The record, copied into this environment on first write.</summary>
    public JsonObject Edit(string table, string key)
    {
        var overlay = Overlay(table);
        if (overlay.Records.TryGetValue(key, out var rec)) return rec;
        var original = Get(table, key) ?? throw new KeyNotFoundException($"{table}[{key}]");
        var copy = (JsonObject)Py.Clone(original)!;
        overlay.Records[key] = copy;
        return copy;
    }

    /// <summary>Adds or replaces a record (a new key goes last, as in a Python dict).</summary>
    public void Set(string table, string key, JsonObject record)
    {
        var overlay = Overlay(table);
        var atBasePosition = (BaseTable(table)?.ContainsKey(key) ?? false) && !overlay.Hidden.Contains(key);
        overlay.Records[key] = record;
        if (!atBasePosition && !overlay.Added.Contains(key)) overlay.Added.Add(key);
    }

    public void Remove(string table, string key)
    {
        var overlay = Overlay(table);
        overlay.Records.Remove(key);
        overlay.Added.Remove(key);
        if (BaseTable(table)?.ContainsKey(key) ?? false) overlay.Hidden.Add(key);
    }

    public int Count(string table) => Keys(table).Count();

    /// <summary>Keys in Python dict order.</summary>
    public IEnumerable<string> Keys(string table)
    {
        _tables.TryGetValue(table, out var overlay);
        var baseTable = BaseTable(table);
        if (baseTable is not null)
            foreach (var (key, _) in baseTable)
                if (overlay is null || !overlay.Hidden.Contains(key))
                    yield return key;
        if (overlay is not null)
            foreach (var key in overlay.Added)
                yield return key;
    }

    public IEnumerable<(string Key, JsonObject Record)> Records(string table)
    {
        foreach (var key in Keys(table))
            yield return (key, Get(table, key)!);
    }

    // ---- other top-level fields (telecom lists, user-device models) ----

    public JsonNode? Field(string name) => _fields.TryGetValue(name, out var v) ? v : _base.Root[name];

    /// <summary>The field, copied into this environment on first write.</summary>
    public JsonNode? EditField(string name)
    {
        if (_tables.ContainsKey(name) || _base.Tables.ContainsKey(name))
            throw new InvalidOperationException($"{name} is a table; edit its records");
        if (_fields.TryGetValue(name, out var v)) return v;
        var copy = Py.Clone(_base.Root[name]);
        _fields[name] = copy;
        return copy;
    }

    public void SetField(string name, JsonNode? value)
    {
        if (_base.Tables.ContainsKey(name)) throw new InvalidOperationException($"{name} is a table; set its records");
        _fields[name] = value;
    }

    /// <summary>
    /// upstream's <c>update_db</c>: the update is deep-merged into the current dump (dicts merged key by key, anything
    /// else replaced, addict semantics) and the result validated again with the model.
    /// </summary>
    public void Merge(JsonObject update)
    {
        foreach (var (name, value) in update)
        {
            var field = Schema.Find(name) ?? throw new ValidationError(Schema.Name,
                [new ValidationIssue(name, "Extra inputs are not permitted", "extra_forbidden", value)]);
            if (_base.Tables.TryGetValue(name, out var recordShape) && value is JsonObject records)
            {
                foreach (var (key, recordUpdate) in records)
                {
                    var existing = Get(name, key);
                    JsonNode? merged = existing is not null && recordUpdate is JsonObject ru
                        ? DeepMerge(Py.Clone(existing)!, ru)
                        : Py.Clone(recordUpdate);
                    var normalized = ShapeValidator.Validate(merged, recordShape, Schema.Name) as JsonObject
                        ?? throw new ValidationError(Schema.Name, [new ValidationIssue($"{name}.{key}", "Input should be a valid dictionary", "dict_type", recordUpdate)]);
                    Set(name, key, normalized);
                }
            }
            else
            {
                var current = Field(name);
                var merged = current is JsonObject && value is JsonObject vo ? DeepMerge(Py.Clone(current)!, vo) : Py.Clone(value);
                _fields[name] = ShapeValidator.Validate(merged, field.Shape, Schema.Name);
            }
        }
    }

    private static JsonNode DeepMerge(JsonNode target, JsonObject update)
    {
        var obj = (JsonObject)target;
        foreach (var (key, value) in update)
        {
            if (obj[key] is JsonObject existing && value is JsonObject sub)
                DeepMerge(existing, sub);
            else
                obj[key] = Py.Clone(value);
        }
        return obj;
    }

    // ---- comparison and hashing ----

    /// <summary>
    /// True when both views hold the same state, i.e. upstream's two DB hashes would be equal. Only what either view
    /// changed is compared (the rest is the shared snapshot), each part as sort-keys JSON.
    /// </summary>
    public bool SameState(Database other)
    {
        if (!ReferenceEquals(_base, other._base)) return Hash() == other.Hash();
        foreach (var name in _fields.Keys.Union(other._fields.Keys))
            if (Canonical(Field(name)) != Canonical(other.Field(name))) return false;
        foreach (var table in _tables.Keys.Union(other._tables.Keys))
        {
            var touched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var db in new[] { this, other })
                if (db._tables.TryGetValue(table, out var o))
                {
                    touched.UnionWith(o.Records.Keys);
                    touched.UnionWith(o.Added);
                    touched.UnionWith(o.Hidden);
                }
            foreach (var key in touched)
            {
                var a = Get(table, key);
                var b = other.Get(table, key);
                if (a is null != b is null) return false;
                if (a is not null && Canonical(a) != Canonical(b)) return false;
            }
        }
        return true;
    }

    /// <summary>upstream's <c>get_db_hash</c>: SHA-256 of <c>json.dumps(model_dump(), sort_keys=True)</c>.</summary>
    public string Hash()
    {
        var sb = new StringBuilder(1 << 16);
        WriteCanonical(sb);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>The whole database as sort-keys JSON, written without materialising a merged tree.</summary>
    public void WriteCanonical(StringBuilder sb)
    {
        sb.Append('{');
        var first = true;
        foreach (var field in Schema.Fields.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal))
        {
            if (!first) sb.Append(", ");
            first = false;
            PyJson.WriteString(sb, field);
            sb.Append(": ");
            if (_base.Tables.ContainsKey(field))
            {
                sb.Append('{');
                var firstRecord = true;
                foreach (var key in Keys(field).OrderBy(k => k, StringComparer.Ordinal))
                {
                    if (!firstRecord) sb.Append(", ");
                    firstRecord = false;
                    PyJson.WriteString(sb, key);
                    sb.Append(": ");
                    PyJson.Write(sb, Get(field, key), sortKeys: true);
                }
                sb.Append('}');
            }
            else
            {
                PyJson.Write(sb, Field(field), sortKeys: true);
            }
        }
        sb.Append('}');
    }

    /// <summary>The whole database as a new JSON tree (model_dump order), e.g. for export.</summary>
    public JsonObject ToJson()
    {
        var root = new JsonObject();
        foreach (var field in Schema.Fields)
        {
            if (_base.Tables.ContainsKey(field.Name))
            {
                var table = new JsonObject();
                foreach (var (key, record) in Records(field.Name)) table[key] = Py.Clone(record);
                root[field.Name] = table;
            }
            else root[field.Name] = Py.Clone(Field(field.Name));
        }
        return root;
    }

    private static string Canonical(JsonNode? node) => PyJson.Dumps(node, sortKeys: true);

    private JsonObject? BaseTable(string table) => _base.Root[table] as JsonObject;

    private TableOverlay Overlay(string table)
    {
        if (!_base.Tables.ContainsKey(table)) throw new InvalidOperationException($"{table} is not a table");
        if (!_tables.TryGetValue(table, out var overlay)) _tables[table] = overlay = new TableOverlay();
        return overlay;
    }
}
