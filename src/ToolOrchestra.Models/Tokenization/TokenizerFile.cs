using System.Buffers;
using System.Text;
using System.Text.Json;
using ToolOrchestra.Core;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> and checks it is a byte-level BPE of the Qwen2/Qwen3 family:
/// NFC (or no) normalizer, the Qwen2 split regex followed by ByteLevel, a BPE model without byte fallback, and a
/// ByteLevel decoder. Anything else is refused with the JSON path at fault rather than tokenized differently
/// from the reference. The vocabulary and merges (most of the 11 MB) are streamed straight into byte tables.
/// </summary>
internal sealed class TokenizerFile
{
    public required string Path { get; init; }
    public required Vocabulary Vocabulary { get; init; }
    public required MergeTable Merges { get; init; }
    public required List<AddedToken> AddedTokens { get; init; }
    public required bool NormalizeNfc { get; init; }
    public required bool IgnoreMerges { get; init; }

    /// <summary>The file <paramref name="fileName"/> at <paramref name="path"/>, or inside it when it is a folder.</summary>
    public static string Resolve(string path, string fileName)
    {
        if (Directory.Exists(path))
        {
            var inside = System.IO.Path.Combine(path, fileName);
            return File.Exists(inside)
                ? inside
                : throw new UserError($"{path}: folder has no {fileName}. Pass the folder that holds {fileName} or the file itself.");
        }
        return File.Exists(path)
            ? path
            : throw new UserError($"{path}: no such file or folder. Pass a folder holding {fileName} or the file itself.");
    }

    public static TokenizerFile Read(string path)
    {
        var file = Resolve(path, "tokenizer.json");
        var json = File.ReadAllBytes(file);
        var parts = new Dictionary<string, JsonElement>();
        var model = new Dictionary<string, JsonElement>();
        var vocabulary = new Vocabulary();
        var merges = new MergeBytes();
        var sawVocab = false;
        var sawMerges = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            Expect(ref reader, JsonTokenType.StartObject, file, "$");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"))
                {
                    reader.Read();
                    Expect(ref reader, JsonTokenType.StartObject, file, "$.model", read: false);
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("vocab"))
                        {
                            ReadVocabulary(ref reader, vocabulary, file);
                            sawVocab = true;
                        }
                        else if (reader.ValueTextEquals("merges"))
                        {
                            ReadMerges(ref reader, merges, file);
                            sawMerges = true;
                        }
                        else
                        {
                            var name = reader.GetString()!;
                            reader.Read();
                            using var value = JsonDocument.ParseValue(ref reader);
                            model[name] = value.RootElement.Clone();
                        }
                    }
                }
                else
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    using var value = JsonDocument.ParseValue(ref reader);
                    parts[name] = value.RootElement.Clone();
                }
            }
        }
        catch (JsonException e)
        {
            throw new UserError($"{file}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}). " +
                "Pass a Hugging Face tokenizer.json.");
        }

        try
        {
            JsonFields? Part(string name) =>
                parts.TryGetValue(name, out var e) && e.ValueKind != JsonValueKind.Null ? new JsonFields(file, $"$.{name}", e) : null;
            JsonFields? ModelField(string name) =>
                model.TryGetValue(name, out var e) && e.ValueKind != JsonValueKind.Null ? new JsonFields(file, $"$.model.{name}", e) : null;

            var normalizeNfc = ReadNormalizer(Part("normalizer"));
            CheckPreTokenizer(Part("pre_tokenizer") ?? throw new UserError($"{file}: $: missing 'pre_tokenizer'; expected the Qwen2/Qwen3 pre-tokenizer."));
            CheckByteLevel(Part("post_processor"), file, "post_processor", optional: true);
            CheckByteLevel(Part("decoder"), file, "decoder", optional: false);

            if (!sawVocab || !sawMerges)
                throw new UserError($"{file}: $.model needs 'vocab' and 'merges'; only byte-level BPE (Qwen2/Qwen3 family) is supported.");
            if (ModelField("type") is { } type && TypeString(type) != "BPE")
                throw type.Error($"model type '{type.Element}' is not supported; only byte-level BPE (Qwen2/Qwen3 family) is.");
            if (Flag(ModelField("byte_fallback")))
                throw ModelField("byte_fallback")!.Value.Error("'byte_fallback: true' is not supported by a byte-level BPE.");
            foreach (var name in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
                if (ModelField(name) is { Element.ValueKind: JsonValueKind.String } f && f.Element.GetString() != "")
                    throw f.Error($"'{name}' must be empty for a byte-level BPE.");
            if (ModelField("dropout") is { Element.ValueKind: JsonValueKind.Number } dropout && dropout.Element.GetDouble() > 0)
                throw dropout.Error("BPE dropout is not supported (it makes tokenization random); remove it.");

            var added = ReadAddedTokens(Part("added_tokens"));
            // As the reference: an added token's text maps to the added id, also when BPE produces that text.
            var alphabetBytes = new List<byte>();
            foreach (var token in added)
            {
                alphabetBytes.Clear();
                if (ByteLevel.TryAppendBytes(token.Content, alphabetBytes)) vocabulary.Add(alphabetBytes.ToArray(), token.Id);
            }

            return new TokenizerFile
            {
                Path = file,
                Vocabulary = vocabulary,
                Merges = merges.Resolve(vocabulary, file),
                AddedTokens = added,
                NormalizeNfc = normalizeNfc,
                IgnoreMerges = Flag(ModelField("ignore_merges")),
            };
        }
        catch (InvalidOperationException e)
        {
            throw new UserError($"{file}: unexpected JSON shape ({e.Message}). Pass a Hugging Face tokenizer.json.");
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string file, string path, bool read = true)
    {
        if (read) reader.Read();
        if (reader.TokenType != type)
            throw new UserError($"{file}: {path}: expected {(type == JsonTokenType.StartObject ? "an object" : "an array")}, found {reader.TokenType}.");
    }

    /// <summary><c>"token": id</c> pairs, each token turned into the bytes it stands for.</summary>
    private static void ReadVocabulary(ref Utf8JsonReader reader, Vocabulary vocabulary, string file)
    {
        Expect(ref reader, JsonTokenType.StartObject, file, "$.model.vocab");
        var chars = new char[256];
        var bytes = new byte[256];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (bytes.Length < reader.ValueSpan.Length) bytes = new byte[reader.ValueSpan.Length * 2];
            if (!TokenBytes(ref reader, ref chars, bytes, out var length))
                throw new UserError($"{file}: $.model.vocab token \"{reader.GetString()}\" has a character outside the byte-level alphabet; " +
                    "this is not a byte-level BPE vocabulary.");
            reader.Read();
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var id) || id < 0)
                throw new UserError($"{file}: $.model.vocab[\"{ByteLevel.ToAlphabet(bytes.AsSpan(0, length))}\"]: expected a non-negative integer id.");
            vocabulary.Add(bytes.AsSpan(0, length), id);
        }
    }

    /// <summary>The bytes a vocabulary string (the reader's current value) stands for.</summary>
    private static bool TokenBytes(ref Utf8JsonReader reader, ref char[] chars, Span<byte> into, out int length)
    {
        if (!reader.ValueIsEscaped) return ByteLevel.TryGetBytesFromUtf8(reader.ValueSpan, into, out length);
        length = Unescape(ref reader, ref chars);
        return ByteLevel.TryGetBytes(chars.AsSpan(0, length), into);
    }

    /// <summary>Merges as <c>["left", "right"]</c> pairs (tokenizers ≥ 0.20) or <c>"left right"</c> strings.</summary>
    private static void ReadMerges(ref Utf8JsonReader reader, MergeBytes merges, string file)
    {
        Expect(ref reader, JsonTokenType.StartArray, file, "$.model.merges");
        var chars = new char[256];
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var path = $"$.model.merges[{index}]";
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) throw Malformed(file, path);
                var leftOk = merges.AddPart(ref reader, ref chars);
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) throw Malformed(file, path);
                var rightOk = merges.AddPart(ref reader, ref chars);
                reader.Read();
                if (reader.TokenType != JsonTokenType.EndArray) throw Malformed(file, path);
                if (!leftOk || !rightOk) throw OutsideAlphabet(file, path);
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                // As the reference's split(" ", 2): the text up to the first space, then up to the next one.
                var length = Unescape(ref reader, ref chars);
                var text = chars.AsSpan(0, length);
                var space = text.IndexOf(' ');
                if (space < 0) throw Malformed(file, path);
                var rest = text[(space + 1)..];
                var next = rest.IndexOf(' ');
                if (!merges.AddPart(text[..space]) || !merges.AddPart(next < 0 ? rest : rest[..next])) throw OutsideAlphabet(file, path);
            }
            else throw Malformed(file, path);
            index++;
        }
    }

    private static UserError Malformed(string file, string path) =>
        new($"{file}: {path}: expected a merge as [\"left\", \"right\"] or \"left right\".");

    private static UserError OutsideAlphabet(string file, string path) =>
        new($"{file}: {path}: has a character outside the byte-level alphabet; this is not a byte-level BPE.");

    private static int Unescape(ref Utf8JsonReader reader, ref char[] chars)
    {
        if (chars.Length < reader.ValueSpan.Length) chars = new char[reader.ValueSpan.Length * 2];
        return reader.CopyString(chars);
    }

    private static List<AddedToken> ReadAddedTokens(JsonFields? field)
    {
        var added = new List<AddedToken>();
        if (field is null) return added;
        foreach (var item in field.Value.Items())
        {
            var id = item.Field("id").Element;
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var tokenId) || tokenId < 0)
                throw item.Error("'id' must be a non-negative integer.");
            var content = item.Field("content").Element;
            if (content.ValueKind != JsonValueKind.String || content.GetString() is not { Length: > 0 } text)
                throw item.Error("'content' must be a non-empty string.");
            added.Add(new AddedToken(tokenId, text, Flag(item.OptionalField("special")), Flag(item.OptionalField("lstrip")),
                Flag(item.OptionalField("rstrip"))));
        }
        return added;
    }

    private static bool ReadNormalizer(JsonFields? normalizer)
    {
        if (normalizer is not { } n) return false;
        var type = TypeString(n);
        return type == "NFC"
            ? true
            : throw n.Error($"normalizer '{type}' is not supported; the Qwen2/Qwen3 family uses NFC or none.");
    }

    private static void CheckPreTokenizer(JsonFields pre)
    {
        const string expected = "the Qwen2/Qwen3 pre-tokenizer (Sequence of Split with the Qwen2 regex, behavior Isolated, " +
                                "then ByteLevel without prefix space or regex)";
        var ok = TypeString(pre) == "Sequence";
        var steps = ok ? pre.Field("pretokenizers").Items().ToList() : [];
        ok = ok && steps.Count == 2
             && TypeString(steps[0]) == "Split"
             && steps[0].Field("pattern").OptionalField("Regex") is { Element.ValueKind: JsonValueKind.String } regex
             && regex.Element.GetString() == Qwen2PreTokenizer.Pattern
             && steps[0].OptionalField("behavior")?.Element.GetString() == "Isolated"
             && !Flag(steps[0].OptionalField("invert"))
             && TypeString(steps[1]) == "ByteLevel"
             && !Flag(steps[1].OptionalField("add_prefix_space"))
             && steps[1].OptionalField("use_regex")?.Element.ValueKind == JsonValueKind.False;
        if (!ok) throw pre.Error($"unsupported pre-tokenizer; expected {expected}.");
    }

    private static void CheckByteLevel(JsonFields? field, string file, string name, bool optional)
    {
        if (field is not { } f)
        {
            if (optional) return;
            throw new UserError($"{file}: $: missing '{name}'; the Qwen2/Qwen3 family uses a ByteLevel {name}.");
        }
        if (TypeString(f) != "ByteLevel")
            throw f.Error($"{name} '{TypeString(f)}' is not supported; the Qwen2/Qwen3 family uses ByteLevel.");
    }

    private static string? TypeString(JsonFields item) =>
        item.Element.ValueKind == JsonValueKind.String ? item.Element.GetString()
        : item.Object().OptionalField("type") is { Element.ValueKind: JsonValueKind.String } t ? t.Element.GetString() : null;

    private static bool Flag(JsonFields? item) => item is { Element.ValueKind: JsonValueKind.True };

    /// <summary>Merge texts as bytes, kept until the whole file (vocabulary and added tokens) has been read.</summary>
    private sealed class MergeBytes
    {
        private byte[] bytes = new byte[1 << 21];
        private int used;
        private readonly List<int> ends = new(320_000); // end offset of each part; parts alternate left, right

        public bool AddPart(ref Utf8JsonReader reader, ref char[] chars)
        {
            var room = reader.ValueSpan.Length;
            if (used + room > bytes.Length) Array.Resize(ref bytes, Math.Max(bytes.Length * 2, used + room));
            if (!TokenBytes(ref reader, ref chars, bytes.AsSpan(used), out var length)) return false;
            used += length;
            ends.Add(used);
            return true;
        }

        public bool AddPart(ReadOnlySpan<char> token)
        {
            if (used + token.Length > bytes.Length) Array.Resize(ref bytes, Math.Max(bytes.Length * 2, used + token.Length));
            if (!ByteLevel.TryGetBytes(token, bytes.AsSpan(used))) return false;
            used += token.Length;
            ends.Add(used);
            return true;
        }

        public MergeTable Resolve(Vocabulary vocabulary, string file)
        {
            var count = ends.Count / 2;
            var table = new MergeTable(count);
            var joined = new byte[256];
            for (var rank = 0; rank < count; rank++)
            {
                var leftStart = rank == 0 ? 0 : ends[2 * rank - 1];
                var left = bytes.AsSpan(leftStart, ends[2 * rank] - leftStart);
                var right = bytes.AsSpan(ends[2 * rank], ends[2 * rank + 1] - ends[2 * rank]);
                if (joined.Length < left.Length + right.Length) joined = new byte[(left.Length + right.Length) * 2];
                left.CopyTo(joined);
                right.CopyTo(joined.AsSpan(left.Length));
                if (!vocabulary.TryGetId(left, out var leftId) || !vocabulary.TryGetId(right, out var rightId)
                    || !vocabulary.TryGetId(joined.AsSpan(0, left.Length + right.Length), out var mergedId))
                    throw new UserError($"{file}: $.model.merges[{rank}] (\"{ByteLevel.ToAlphabet(left)}\", \"{ByteLevel.ToAlphabet(right)}\") " +
                        "uses or makes a token missing from $.model.vocab; the file is inconsistent.");
                table.Add(leftId, rightId, mergedId, rank);
            }
            return table;
        }
    }
}
