namespace ToolOrchestra.Core.Text;

/// <summary>
/// Estimates ~4 characters per token (the usual figure for English BPE vocabularies). Used, and flagged as an
/// estimate, only when neither the endpoint's usage nor an exact tokenizer is available.
/// </summary>
public sealed class EstimatingTokenCounter : ITokenCounter
{
    public const int CharsPerToken = 4;
    public static readonly EstimatingTokenCounter Instance = new();

    public bool IsExact => false;

    public int Count(string text) => (text.Length + CharsPerToken - 1) / CharsPerToken;

    public string KeepLast(string text, int maxTokens)
    {
        var keep = (long)maxTokens * CharsPerToken;
        return text.Length <= keep ? text : text[^(int)keep..];
    }
}
