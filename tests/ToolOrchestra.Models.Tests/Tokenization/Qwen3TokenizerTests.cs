using ToolOrchestra.Core;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models.Tokenization;

namespace ToolOrchestra.Models.Tests.Tokenization;

/// <summary>What a caller notices: loading, special tokens, truncation, round trips and clear errors.</summary>
public sealed class Qwen3TokenizerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("qwen3-tokenizer-test-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Loads_from_the_folder_or_the_file_and_is_an_exact_token_counter()
    {
        var fromFile = Qwen3Tokenizer.Load(Path.Combine(Golden.TokenizerFolder, "tokenizer.json"));
        ITokenCounter counter = fromFile;
        counter.IsExact.Should().BeTrue();
        counter.Count("Hello world").Should().Be(2);
        Golden.Tokenizer.Encode("Hello world").Should().Equal(fromFile.Encode("Hello world"));
        fromFile.VocabularySize.Should().Be(151669);
    }

    [Fact]
    public void Special_tokens_in_text_become_single_ids()
    {
        var t = Golden.Tokenizer;
        t.TryGetId("<|im_start|>", out var imStart).Should().BeTrue();
        t.TryGetId("<|im_end|>", out var imEnd).Should().BeTrue();
        t.TryGetId("<think>", out var think).Should().BeTrue();
        var ids = t.Encode("<|im_start|>user\nhi<|im_end|><think>");
        ids[0].Should().Be(imStart);
        ids.Should().Contain(imEnd).And.EndWith(think);
        t.AddedTokens.Should().Contain(a => a.Content == "<tool_call>" && !a.Special);
        t.Decode(ids, skipSpecialTokens: true).Should().Be("user\nhi<think>");
    }

    [Theory]
    [InlineData("plain English text, with punctuation!")]
    [InlineData("中文和English混合 😀 \t\n  spaces   ")]
    [InlineData("<|im_start|>assistant\n<tool_call>\n{\"name\": \"x\"}\n</tool_call><|im_end|>")]
    public void Decoding_the_ids_gives_back_the_text(string text) =>
        Golden.Tokenizer.Decode(Golden.Tokenizer.Encode(text)).Should().Be(text);

    [Fact]
    public void KeepLast_returns_text_that_fits_unchanged_and_cuts_from_the_front_otherwise()
    {
        var t = Golden.Tokenizer;
        const string text = "one two three four five six";
        t.KeepLast(text, 100).Should().BeSameAs(text);
        t.KeepLast(text, t.Count(text)).Should().BeSameAs(text);
        t.KeepLast(text, 2).Should().Be(" five six");
        t.KeepLast(text, 0).Should().BeEmpty();
        t.Count(t.KeepLast(text, 3)).Should().Be(3);
        FluentActions.Invoking(() => t.KeepLast(text, -1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void KeepLast_cutting_inside_a_character_leaves_a_replacement_character_as_the_reference_does()
    {
        var t = Golden.Tokenizer;
        var ids = t.Encode("x 🫠");
        ids.Length.Should().BeGreaterThan(2, "a rare emoji is several byte tokens");
        var kept = t.KeepLast("x 🫠", 1);
        kept.Should().StartWith("\uFFFD");
    }

    [Fact]
    public void KeepLast_normalizes_text_that_fits_as_decode_of_encode_does()
    {
        Golden.Tokenizer.KeepLast("Cafe\u0301", 10).Should().Be("Caf\u00e9");
    }

    [Fact]
    public void Decoding_an_unknown_id_names_it()
    {
        FluentActions.Invoking(() => Golden.Tokenizer.Decode([1, 999_999]))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*999999*");
    }

    [Fact]
    public void Encoding_is_the_same_from_many_threads()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"Thread text {i}: 数据{i * 7} 'll 😀 {new string('z', i % 90)}").ToArray();
        var expected = texts.Select(Golden.Tokenizer.Encode).ToArray();
        var fresh = Qwen3Tokenizer.Load(Golden.TokenizerFolder);
        var actual = new int[texts.Length][];
        Parallel.For(0, texts.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i % texts.Length] = fresh.Encode(texts[i % texts.Length]));
        for (var i = 0; i < texts.Length; i++) actual[i].Should().Equal(expected[i]);
    }

    [Fact]
    public void A_missing_path_or_a_folder_without_tokenizer_json_is_a_user_error()
    {
        FluentActions.Invoking(() => Qwen3Tokenizer.Load(Path.Combine(dir, "nope")))
            .Should().Throw<UserError>().WithMessage("*nope*no such file or folder*");
        FluentActions.Invoking(() => Qwen3Tokenizer.Load(dir))
            .Should().Throw<UserError>().WithMessage("*has no tokenizer.json*");
    }

    [Fact]
    public void Malformed_json_names_the_file_and_line()
    {
        var file = Write("{\n  \"model\": {,\n}");
        FluentActions.Invoking(() => Qwen3Tokenizer.Load(file))
            .Should().Throw<UserError>().WithMessage($"{file}: not valid JSON (line 2*");
    }

    [Fact]
    public void A_tokenizer_outside_the_Qwen_family_is_refused_with_the_json_path()
    {
        var wordPiece = Write(MinimalTokenizer().Replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\""));
        FluentActions.Invoking(() => Qwen3Tokenizer.Load(wordPiece))
            .Should().Throw<UserError>().WithMessage("*$.model.type*WordPiece*not supported*");

        var otherRegex = Write(MinimalTokenizer().Replace("\\\\p{N}|", "\\\\p{N}{1,3}|"));
        FluentActions.Invoking(() => Qwen3Tokenizer.Load(otherRegex))
            .Should().Throw<UserError>().WithMessage("*$.pre_tokenizer*unsupported pre-tokenizer*");

        var nfkc = Write(MinimalTokenizer().Replace("\"NFC\"", "\"NFKC\""));
        FluentActions.Invoking(() => Qwen3Tokenizer.Load(nfkc))
            .Should().Throw<UserError>().WithMessage("*$.normalizer*NFKC*");
    }

    [Fact]
    public void An_inconsistent_vocabulary_is_refused()
    {
        var missingByte = Write(MinimalTokenizer().Replace("\"\\u0100\": 256,", ""));
        FluentActions.Invoking(() => Qwen3Tokenizer.Load(missingByte))
            .Should().Throw<UserError>().WithMessage("*no token for byte 0x00*");

        var badMerge = Write(MinimalTokenizer().Replace("[\"a\", \"b\"]", "[\"a\", \"b\"], [\"zz\", \"b\"]"));
        FluentActions.Invoking(() => Qwen3Tokenizer.Load(badMerge))
            .Should().Throw<UserError>().WithMessage("*$.model.merges[1]*missing from $.model.vocab*");
    }

    [Fact]
    public void A_minimal_byte_level_file_tokenizes_with_its_own_merges()
    {
        var t = Qwen3Tokenizer.Load(Write(MinimalTokenizer()));
        t.TryGetId("ab", out var ab).Should().BeTrue();
        t.Encode("ab").Should().Equal(ab);
        t.Encode("ba").Should().HaveCount(2);
        t.Encode("x<|end|>ab").Should().Equal(t.Encode("x")[0], 325, ab);
    }

    private string Write(string json)
    {
        var path = Path.Combine(dir, $"tokenizer-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>A complete Qwen-shaped tokenizer.json with the 256 byte tokens, one merge and one added token.</summary>
    private static string MinimalTokenizer()
    {
        var vocab = new List<string>();
        var next = 0x100;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            var c = printable ? (char)b : (char)next++;
            vocab.Add($"{System.Text.Json.JsonSerializer.Serialize(c.ToString())}: {(printable ? b : 256 + (c - 0x100))}");
        }
        // Ids: printable bytes keep their value, the others take 256.. in order; "\u0100" (byte 0) is 256.
        vocab.Add("\"ab\": 324");
        var pattern = System.Text.Json.JsonSerializer.Serialize(
            @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+");
        return $$"""
        {
          "version": "1.0",
          "added_tokens": [{"id": 325, "content": "<|end|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
          "normalizer": {"type": "NFC"},
          "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": {{pattern}}}, "behavior": "Isolated", "invert": false},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
          "post_processor": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
          "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
          "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": "", "end_of_word_suffix": "",
            "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
            "vocab": {{{string.Join(", ", vocab)}}},
            "merges": [["a", "b"]]}
        }
        """;
    }
}
