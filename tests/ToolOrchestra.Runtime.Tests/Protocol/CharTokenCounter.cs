using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Runtime.Tests.Protocol;

/// <summary>One token per character: makes the hand-read truncation cases of <c>TrainVariantTests</c> easy to count.</summary>
internal sealed class CharTokenCounter : ITokenCounter
{
    public static readonly CharTokenCounter Instance = new();
    public bool IsExact => true;
    public int Count(string text) => text.Length;
    public string KeepLast(string text, int maxTokens) => text.Length <= maxTokens ? text : text[^maxTokens..];
}
