using System.Text.Json;
using ToolOrchestra.Models.Tokenization;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests.Tokenization;

/// <summary>
/// The reference outputs written by scripts/golden/gen.mjs, and the one shared tokenizer they were made with.
/// </summary>
internal static class Golden
{
    private static readonly Lazy<Qwen3Tokenizer> SharedTokenizer = new(() => Qwen3Tokenizer.Load(TokenizerFolder));

    public static string TokenizerFolder => SharedData.File("qwen3-tokenizer");

    public static Qwen3Tokenizer Tokenizer => SharedTokenizer.Value;

    public static JsonElement Load(string name)
    {
        var path = Path.Combine(SharedData.RepoRoot, "tests", "ToolOrchestra.Models.Tests", "Tokenization", "Golden", name);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.Clone();
    }

    /// <summary>A golden text: plain, or as UTF-16 code units when it holds lone surrogates JSON cannot carry.</summary>
    public static string Text(JsonElement item, string field = "text") =>
        item.TryGetProperty(field, out var text)
            ? text.GetString()!
            : new string(item.GetProperty(field + "_utf16").EnumerateArray().Select(u => (char)u.GetInt32()).ToArray());

    public static int[] Ids(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static string Show(string s) => JsonSerializer.Serialize(s.Length > 120 ? s[..120] + "…" : s);
}
