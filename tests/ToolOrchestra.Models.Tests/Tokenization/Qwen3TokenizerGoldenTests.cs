using System.Security.Cryptography;
using System.Text;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests.Tokenization;

/// <summary>Every id, decoded text and truncation equals what the JS reference produced on the same corpus.</summary>
public sealed class Qwen3TokenizerGoldenTests
{
    [Fact]
    public void Goldens_were_made_from_the_shared_tokenizer_file()
    {
        var golden = Golden.Load("tokenizer-cases.json").GetProperty("source");
        var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(SharedData.File("qwen3-tokenizer", "tokenizer.json"))));
        actual.Should().Be(golden.GetProperty("tokenizer_json_sha256").GetString(),
            "the goldens must be regenerated (scripts/golden/gen.mjs) when the shared tokenizer changes");
    }

    [Fact]
    public void Encodes_every_corpus_text_to_the_reference_ids()
    {
        var failures = new List<string>();
        var cases = Golden.Load("tokenizer-cases.json").GetProperty("cases");
        foreach (var item in cases.EnumerateArray())
        {
            var text = Golden.Text(item);
            var expected = Golden.Ids(item.GetProperty("ids"));
            var actual = Golden.Tokenizer.Encode(text);
            if (!actual.SequenceEqual(expected))
            {
                var at = Enumerable.Range(0, Math.Min(actual.Length, expected.Length)).FirstOrDefault(i => actual[i] != expected[i], Math.Min(actual.Length, expected.Length));
                failures.Add($"{item.GetProperty("name")}: first difference at token {at}: expected [{string.Join(",", expected.Skip(at).Take(6))}] " +
                             $"got [{string.Join(",", actual.Skip(at).Take(6))}] in {Golden.Show(text)}");
            }
            else if (Golden.Tokenizer.Count(text) != expected.Length)
                failures.Add($"{item.GetProperty("name")}: Count {Golden.Tokenizer.Count(text)} != {expected.Length}");
        }
        cases.GetArrayLength().Should().BeGreaterThan(400);
        failures.Should().BeEmpty();
    }

    [Fact]
    public void Decodes_and_truncates_like_the_reference()
    {
        var failures = new List<string>();
        foreach (var item in Golden.Load("tokenizer-cases.json").GetProperty("cases").EnumerateArray())
        {
            var name = item.GetProperty("name").GetString();
            var text = Golden.Text(item);
            var ids = Golden.Ids(item.GetProperty("ids"));
            var decoded = Golden.Tokenizer.Decode(ids);
            if (decoded != item.GetProperty("decoded").GetString())
                failures.Add($"{name}: decode gave {Golden.Show(decoded)}");
            foreach (var keep in item.GetProperty("keep_last").EnumerateArray())
            {
                var n = keep.GetProperty("n").GetInt32();
                var kept = Golden.Tokenizer.KeepLast(text, n);
                if (kept != keep.GetProperty("text").GetString())
                    failures.Add($"{name}: KeepLast({n}) gave {Golden.Show(kept)}, expected {Golden.Show(keep.GetProperty("text").GetString()!)}");
            }
        }
        failures.Should().BeEmpty();
    }

    [Fact]
    public void Decodes_arbitrary_id_sequences_like_the_reference()
    {
        var failures = new List<string>();
        foreach (var item in Golden.Load("tokenizer-cases.json").GetProperty("decode_cases").EnumerateArray())
        {
            var ids = Golden.Ids(item.GetProperty("ids"));
            var text = Golden.Tokenizer.Decode(ids);
            var skipped = Golden.Tokenizer.Decode(ids, skipSpecialTokens: true);
            if (text != item.GetProperty("text").GetString() || skipped != item.GetProperty("text_skip_special").GetString())
                failures.Add($"[{string.Join(",", ids)}]: got {Golden.Show(text)} / {Golden.Show(skipped)}");
        }
        failures.Should().BeEmpty();
    }

    [Fact]
    public void Normalizes_to_NFC_exactly_as_the_reference_runtime()
    {
        var golden = Golden.Load("nfc-cases.json");
        var failures = new List<string>();
        foreach (var item in golden.GetProperty("cases").EnumerateArray())
        {
            var text = Golden.Text(item);
            if (text.Any(char.IsSurrogate) && !HasOnlyPairedSurrogates(text)) continue; // lone surrogates decode to U+FFFD
            var roundTrip = Golden.Tokenizer.Decode(Golden.Tokenizer.Encode(text));
            if (roundTrip != item.GetProperty("nfc").GetString())
                failures.Add($"{Golden.Show(text)} -> {Golden.Show(roundTrip)}");
        }
        failures.Should().BeEmpty();
    }

    [Fact]
    public void Every_code_point_normalizes_like_the_reference_runtime()
    {
        var changed = Golden.Load("nfc-cases.json").GetProperty("changed_code_points").EnumerateArray()
            .ToDictionary(e => e[0].GetInt32(), e => string.Concat(e[1].EnumerateArray().Select(cp => char.ConvertFromUtf32(cp.GetInt32()))));
        var failures = new List<string>();
        const int chunk = 8192;
        for (var start = 0; start <= 0x10FFFF; start += chunk)
        {
            var input = new StringBuilder();
            var expected = new StringBuilder();
            for (var cp = start; cp < start + chunk && cp <= 0x10FFFF; cp++)
            {
                if (cp is >= 0xD800 and <= 0xDFFF) continue;
                var s = char.ConvertFromUtf32(cp);
                input.Append(s).Append('\n'); // a line feed never composes, so each code point stands alone
                expected.Append(changed.GetValueOrDefault(cp, s)).Append('\n');
            }
            var actual = Golden.Tokenizer.Decode(Golden.Tokenizer.Encode(input.ToString()));
            if (actual != expected.ToString())
            {
                var a = actual.Split('\n');
                var e = expected.ToString().Split('\n');
                var i = Enumerable.Range(0, Math.Min(a.Length, e.Length)).First(k => a[k] != e[k]);
                failures.Add($"block U+{start:X}: {Golden.Show(e[i])} became {Golden.Show(a[i])}");
            }
        }
        failures.Should().BeEmpty();
    }

    private static bool HasOnlyPairedSurrogates(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }
}
