using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;

namespace ToolOrchestra.Environments.Tau2.Data;

/// <summary>
/// A TOML reader for the subset tau2's telecom databases use: [tables], [[arrays of tables]] with dotted names,
/// key = value with strings, integers, floats, booleans, arrays and inline tables, and comments. (No TOML package
/// restores here.) Errors name the file and line.
/// </summary>
public static class TomlReader
{
    public static JsonObject ReadFile(string file)
    {
        if (!File.Exists(file)) throw new UserError($"{file}: file not found. Check --data-dir.");
        return Parse(File.ReadAllText(file), file);
    }

    public static JsonObject Parse(string text, string file = "<toml>")
    {
        var root = new JsonObject();
        var current = root;
        var p = new Cursor(text, file);
        while (!p.AtEnd)
        {
            p.SkipWhitespaceAndComments();
            if (p.AtEnd) break;
            if (p.Peek == '[')
            {
                var isArray = p.PeekAt(1) == '[';
                p.Advance(isArray ? 2 : 1);
                var path = p.ReadKeyPath(']');
                p.Expect(']');
                if (isArray) p.Expect(']');
                current = isArray ? AppendTable(root, path, p) : OpenTable(root, path, p);
                p.EndOfLine();
                continue;
            }
            var keys = p.ReadKeyPath('=');
            p.Expect('=');
            var value = p.ReadValue();
            var target = current;
            for (var i = 0; i < keys.Count - 1; i++) target = Child(target, keys[i], p);
            if (target.ContainsKey(keys[^1])) throw p.Error($"duplicate key '{keys[^1]}'");
            target[keys[^1]] = value;
            p.EndOfLine();
        }
        return root;
    }

    private static JsonObject Child(JsonObject parent, string key, Cursor p)
    {
        switch (parent[key])
        {
            case null:
                var created = new JsonObject();
                parent[key] = created;
                return created;
            case JsonObject o:
                return o;
            case JsonArray a when a.Count > 0 && a[^1] is JsonObject last:
                return last;
            default:
                throw p.Error($"'{key}' is not a table");
        }
    }

    private static JsonObject OpenTable(JsonObject root, List<string> path, Cursor p)
    {
        var t = root;
        foreach (var key in path) t = Child(t, key, p);
        return t;
    }

    private static JsonObject AppendTable(JsonObject root, List<string> path, Cursor p)
    {
        var parent = root;
        for (var i = 0; i < path.Count - 1; i++) parent = Child(parent, path[i], p);
        if (parent[path[^1]] is not JsonArray array)
        {
            if (parent.ContainsKey(path[^1])) throw p.Error($"'{path[^1]}' is not an array of tables");
            array = [];
            parent[path[^1]] = array;
        }
        var table = new JsonObject();
        array.Add(table);
        return table;
    }

    private sealed class Cursor(string text, string file)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;
        public char Peek => _pos < text.Length ? text[_pos] : '\0';
        public char PeekAt(int offset) => _pos + offset < text.Length ? text[_pos + offset] : '\0';
        public void Advance(int n = 1) => _pos += n;

        public UserError Error(string what)
        {
            var line = 1 + text.AsSpan(0, Math.Min(_pos, text.Length)).Count('\n');
            return new UserError($"{file}: line {line}: not valid TOML here: {what}.");
        }

        public void SkipSpaces()
        {
            while (!AtEnd && (Peek == ' ' || Peek == '\t')) _pos++;
        }

        public void SkipWhitespaceAndComments()
        {
            while (!AtEnd)
            {
                if (char.IsWhiteSpace(Peek)) _pos++;
                else if (Peek == '#') { while (!AtEnd && Peek != '\n') _pos++; }
                else break;
            }
        }

        public void Expect(char c)
        {
            SkipSpaces();
            if (Peek != c) throw Error($"expected '{c}'");
            _pos++;
        }

        public void EndOfLine()
        {
            SkipSpaces();
            if (Peek == '#') while (!AtEnd && Peek != '\n') _pos++;
            if (!AtEnd && Peek != '\n' && Peek != '\r') throw Error("expected the end of the line");
        }

        public List<string> ReadKeyPath(char terminator)
        {
            var keys = new List<string>();
            while (true)
            {
                SkipSpaces();
                if (Peek is '"' or '\'') keys.Add(ReadString());
                else
                {
                    var start = _pos;
                    while (!AtEnd && (char.IsAsciiLetterOrDigit(Peek) || Peek is '_' or '-')) _pos++;
                    if (start == _pos) throw Error("expected a key");
                    keys.Add(text[start.._pos]);
                }
                SkipSpaces();
                if (Peek == '.') { _pos++; continue; }
                if (Peek != terminator) throw Error($"expected '{terminator}'");
                return keys;
            }
        }

        public JsonNode? ReadValue()
        {
            SkipSpaces();
            switch (Peek)
            {
                case '"' or '\'':
                    return JsonValue.Create(ReadString());
                case '[':
                {
                    _pos++;
                    var array = new JsonArray();
                    while (true)
                    {
                        SkipWhitespaceAndComments();
                        if (Peek == ']') { _pos++; return array; }
                        array.Add(ReadValue());
                        SkipWhitespaceAndComments();
                        if (Peek == ',') { _pos++; continue; }
                        if (Peek == ']') { _pos++; return array; }
                        throw Error("expected ',' or ']'");
                    }
                }
                case '{':
                {
                    _pos++;
                    var table = new JsonObject();
                    SkipSpaces();
                    if (Peek == '}') { _pos++; return table; }
                    while (true)
                    {
                        var keys = ReadKeyPath('=');
                        Expect('=');
                        var t = table;
                        for (var i = 0; i < keys.Count - 1; i++) t = Child(t, keys[i], this);
                        t[keys[^1]] = ReadValue();
                        SkipSpaces();
                        if (Peek == ',') { _pos++; continue; }
                        if (Peek == '}') { _pos++; return table; }
                        throw Error("expected ',' or '}'");
                    }
                }
            }
            var start = _pos;
            while (!AtEnd && !char.IsWhiteSpace(Peek) && Peek is not (',' or ']' or '}' or '#')) _pos++;
            var token = text[start.._pos];
            switch (token)
            {
                case "true": return JsonValue.Create(true);
                case "false": return JsonValue.Create(false);
                case "inf" or "+inf": return JsonValue.Create(double.PositiveInfinity);
                case "-inf": return JsonValue.Create(double.NegativeInfinity);
                case "nan" or "+nan" or "-nan": return JsonValue.Create(double.NaN);
            }
            var clean = token.Replace("_", "");
            if (long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
            if (double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
            if (token.Length > 0) return JsonValue.Create(token); // dates and times: kept as text
            throw Error("expected a value");
        }

        private string ReadString()
        {
            var quote = Peek;
            var multi = PeekAt(1) == quote && PeekAt(2) == quote;
            _pos += multi ? 3 : 1;
            if (multi && Peek == '\n') _pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd) throw Error("unterminated string");
                var c = Peek;
                if (c == quote && (!multi || (PeekAt(1) == quote && PeekAt(2) == quote)))
                {
                    _pos += multi ? 3 : 1;
                    return sb.ToString();
                }
                if (!multi && c == '\n') throw Error("newline in string");
                if (c == '\\' && quote == '"')
                {
                    _pos++;
                    var e = Peek;
                    _pos++;
                    switch (e)
                    {
                        case 'n': sb.Append('\n'); break;
                        case 't': sb.Append('\t'); break;
                        case 'r': sb.Append('\r'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case 'u' or 'U':
                        {
                            var len = e == 'u' ? 4 : 8;
                            var code = int.Parse(text.AsSpan(_pos, len), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                            sb.Append(char.ConvertFromUtf32(code));
                            _pos += len;
                            break;
                        }
                        case '\n':
                            while (!AtEnd && char.IsWhiteSpace(Peek)) _pos++;
                            break;
                        default: throw Error($"unknown escape \\{e}");
                    }
                    continue;
                }
                sb.Append(c);
                _pos++;
            }
        }
    }
}
