using ToolOrchestra.Models.Tokenization;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Protocol;

/// <summary>
/// The tokenizer the goldens were generated with: Qwen3's (scripts/golden/qa_prompts.py runs the reference with it),
/// here our own implementation over ../shared/data/qwen3-tokenizer, loaded once for every golden test.
/// </summary>
internal static class GoldenTokenizer
{
    private static readonly Lazy<Qwen3Tokenizer> Loaded = new(() => Qwen3Tokenizer.Load(SharedData.File("qwen3-tokenizer", "tokenizer.json")));

    public static Qwen3Tokenizer Instance => Loaded.Value;
}
