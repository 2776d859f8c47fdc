using System.Text.Json;
using ToolOrchestra.Core;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> and checks it is a byte-level BPE of the Qwen2/Qwen3 family:
/// NFC (or no) normalizer, the Qwen2 split regex followed by ByteLevel, a BPE model without byte fallback, and a
/// ByteLevel decoder. Anything else is refused with the JSON path at fault rather than tokenized differently
/// from the reference.
/// </summary>
internal sealed class TokenizerFile
{
    public required string Path { get; init; }
    public required Dictionary<string, int> TokenToId { get; init; }
    public required string?[] IdToToken { get; init; }
    public required List<(string Left, string Right)> Merges { get; init; }
    public required List<AddedToken> AddedTokens { get; init; }
    public required bool NormalizeNfc { get; init; }
    public required bool IgnoreMerges { get; init; }

    /// <summary>The <c>tokenizer.json</c> at <paramref name="path"/>, or inside it when it is a folder.</summary>
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
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new UserError($"{file}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}). " +
                "Pass a Hugging Face tokenizer.json.");
        }
        using (doc)
        try
        {
            var root = new JsonFields(file, "$", doc.RootElement).Object();
            var normalizeNfc = ReadNormalizer(root);
            CheckPreTokenizer(root);
            CheckByteLevel(root, "post_processor", optional: true);
            CheckByteLevel(root, "decoder", optional: false);

            var model = root.Field("model").Object();
            var type = model.OptionalField("type");
            if (type is { } t && t.Element.GetString() != "BPE")
                throw t.Error($"model type '{t.Element}' is not supported; only byte-level BPE (Qwen2/Qwen3 family) is.");
            RequireFalse(model, "byte_fallback");
            RequireEmpty(model, "continuing_subword_prefix");
            RequireEmpty(model, "end_of_word_suffix");
            if (model.OptionalField("dropout") is { } dropout && dropout.Element.ValueKind == JsonValueKind.Number && dropout.Element.GetDouble() > 0)
                throw dropout.Error("BPE dropout is not supported (it makes tokenization random); remove it.");
            var ignoreMerges = model.OptionalField("ignore_merges") is { } im && im.Element.ValueKind == JsonValueKind.True;

            var tokenToId = new Dictionary<string, int>(160_000, StringComparer.Ordinal);
            var vocabEntries = new List<(string Token, int Id)>(160_000);
            var maxId = -1;
            var vocab = model.Field("vocab").Object();
            foreach (var entry in vocab.Element.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                    throw new UserError($"{file}: $.model.vocab[\"{entry.Name}\"]: expected a non-negative integer id, found {entry.Value.GetRawText()}.");
                tokenToId[entry.Name] = id;
                vocabEntries.Add((entry.Name, id));
                maxId = Math.Max(maxId, id);
            }

            var added = new List<AddedToken>();
            if (root.OptionalField("added_tokens") is { } addedField)
            {
                foreach (var item in addedField.Items())
                {
                    var id = item.Field("id").Element;
                    if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var tokenId) || tokenId < 0)
                        throw item.Error("'id' must be a non-negative integer.");
                    var content = item.Field("content").Element;
                    if (content.ValueKind != JsonValueKind.String || content.GetString() is not { Length: > 0 } text)
                        throw item.Error("'content' must be a non-empty string.");
                    added.Add(new AddedToken(tokenId, text, Flag(item, "special"), Flag(item, "lstrip"), Flag(item, "rstrip")));
                    maxId = Math.Max(maxId, tokenId);
                }
            }
            foreach (var token in added) tokenToId[token.Content] = token.Id;

            // As the reference: ids map to vocabulary strings first, then added tokens take their own ids (and
            // their strings, should the vocabulary also hold them).
            var idToToken = new string?[maxId + 1];
            foreach (var (token, id) in vocabEntries) idToToken[id] = token;
            foreach (var token in added) idToToken[token.Id] = token.Content;

            var merges = new List<(string, string)>(160_000);
            foreach (var merge in model.Field("merges").Items())
            {
                var e = merge.Element;
                if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2
                    && e[0].ValueKind == JsonValueKind.String && e[1].ValueKind == JsonValueKind.String)
                    merges.Add((e[0].GetString()!, e[1].GetString()!));
                else if (e.ValueKind == JsonValueKind.String && e.GetString()!.Split(' ') is { Length: >= 2 } parts)
                    merges.Add((parts[0], parts[1]));
                else
                    throw merge.Error("expected a merge as [\"left\", \"right\"] or \"left right\".");
            }

            return new TokenizerFile
            {
                Path = file,
                TokenToId = tokenToId,
                IdToToken = idToToken,
                Merges = merges,
                AddedTokens = added,
                NormalizeNfc = normalizeNfc,
                IgnoreMerges = ignoreMerges,
            };
        }
        catch (InvalidOperationException e)
        {
            throw new UserError($"{file}: unexpected JSON shape ({e.Message}). Pass a Hugging Face tokenizer.json.");
        }
    }

    private static bool ReadNormalizer(JsonFields root)
    {
        if (root.OptionalField("normalizer") is not { } normalizer) return false;
        var type = TypeOf(normalizer);
        return type == "NFC"
            ? true
            : throw normalizer.Error($"normalizer '{type}' is not supported; the Qwen2/Qwen3 family uses NFC or none.");
    }

    private static void CheckPreTokenizer(JsonFields root)
    {
        const string expected = "the Qwen2/Qwen3 pre-tokenizer (Sequence of Split with the Qwen2 regex, behavior Isolated, " +
                                "then ByteLevel without prefix space or regex)";
        var pre = root.Field("pre_tokenizer").Object();
        var ok = TypeOf(pre) == "Sequence";
        var steps = ok ? pre.Field("pretokenizers").Items().ToList() : [];
        ok = ok && steps.Count == 2
             && TypeOf(steps[0]) == "Split"
             && steps[0].Field("pattern").OptionalField("Regex")?.Element.GetString() == Qwen2PreTokenizer.Pattern
             && steps[0].OptionalField("behavior")?.Element.GetString() == "Isolated"
             && !Flag(steps[0], "invert")
             && TypeOf(steps[1]) == "ByteLevel"
             && !Flag(steps[1], "add_prefix_space")
             && steps[1].OptionalField("use_regex")?.Element.ValueKind == JsonValueKind.False;
        if (!ok) throw pre.Error($"unsupported pre-tokenizer; expected {expected}.");
    }

    private static void CheckByteLevel(JsonFields root, string name, bool optional)
    {
        var field = root.OptionalField(name);
        if (field is null)
        {
            if (optional) return;
            throw root.Error($"missing '{name}'; the Qwen2/Qwen3 family uses a ByteLevel {name}.");
        }
        if (TypeOf(field.Value) != "ByteLevel")
            throw field.Value.Error($"{name} '{TypeOf(field.Value)}' is not supported; the Qwen2/Qwen3 family uses ByteLevel.");
    }

    private static string? TypeOf(JsonFields item) =>
        item.Object().OptionalField("type") is { Element.ValueKind: JsonValueKind.String } t ? t.Element.GetString() : null;

    private static bool Flag(JsonFields item, string name) =>
        item.OptionalField(name) is { } f && f.Element.ValueKind == JsonValueKind.True;

    private static void RequireFalse(JsonFields model, string name)
    {
        if (Flag(model, name)) throw model.Field(name).Error($"'{name}: true' is not supported by a byte-level BPE.");
    }

    private static void RequireEmpty(JsonFields model, string name)
    {
        if (model.OptionalField(name) is { } f && f.Element.ValueKind == JsonValueKind.String && f.Element.GetString() != "")
            throw f.Error($"'{name}' must be empty for a byte-level BPE.");
    }
}
