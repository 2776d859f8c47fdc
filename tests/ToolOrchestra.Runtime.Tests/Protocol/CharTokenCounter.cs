using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Runtime.Tests.Protocol;

/// <summary>One token per character: the tokenizer the goldens were generated with (scripts/golden/qa_prompts.py).</summary>
internal sealed class CharTokenCounter : ITokenCounter
{
    public static readonly CharTokenCounter Instance = new();
    public bool IsExact => true;
    public int Count(string text) => text.Length;
    public string KeepLast(string text, int maxTokens) => text.Length <= maxTokens ? text : text[^maxTokens..];
}
