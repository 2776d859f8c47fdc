using System.Text.Json.Nodes;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Serialization;
using ToolOrchestra.Core;

namespace ToolOrchestra.Environments.Tau2.Data;

/// <summary>
/// Reads a TOML file (tau2's telecom databases) with Tomlyn into the JSON tree the database snapshots take.
/// A syntax error names the file, line and column of the first problem Tomlyn reports.
/// </summary>
public static class TomlFile
{
    public static JsonObject Read(string file)
    {
        if (!File.Exists(file)) throw new UserError($"{file}: file not found. Check --data-dir.");
        return Parse(File.ReadAllText(file), file);
    }

    public static JsonObject Parse(string text, string file = "<toml>")
    {
        try
        {
            // Not SyntaxParser.ParseStrict: in Tomlyn 2.11.1 its validator rejects valid nested arrays of tables
            // ([[customers.payment_methods]] under a second [[customers]]), which tau2's db.toml uses.
            return ToJson(TomlSerializer.Deserialize(text, TomlModelContext.Default.TomlTable)!);
        }
        catch (TomlException outer)
        {
            // The converter wraps the parser's error; the innermost one carries the real span and message.
            var e = outer;
            while (e.InnerException is TomlException inner) e = inner;
            var first = e.Diagnostics?.FirstOrDefault(d => d.Kind == Tomlyn.Syntax.DiagnosticMessageKind.Error);
            var what = (first?.Message ?? e.Message).TrimEnd('.', '\n');
            throw new UserError($"{file}: line {e.Line}, column {e.Column}: not valid TOML here: {what}. Fix the TOML at that place.", outer);
        }
    }

    private static JsonObject ToJson(TomlTable table)
    {
        var o = new JsonObject();
        foreach (var (key, value) in table) o[key] = ToJson(value);
        return o;
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        TomlTable t => ToJson(t),
        TomlTableArray a => new JsonArray([.. a.Select(t => (JsonNode)ToJson(t))]),
        TomlArray a => new JsonArray([.. a.Select(ToJson)]),
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        // Dates and times stay as their TOML text, as upstream's pydantic models read them from strings.
        _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
    };
}

/// <summary>Source-generated Tomlyn metadata, so reading TOML needs no reflection (trim- and AOT-safe).</summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class TomlModelContext : TomlSerializerContext;
