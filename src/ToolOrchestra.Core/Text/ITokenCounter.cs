namespace ToolOrchestra.Core.Text;

/// <summary>
/// Counts tokens and truncates text the way the reference does (keep the LAST n tokens, decode).
/// The exact implementation is the Qwen3 tokenizer (Models/Tokenization); <see cref="EstimatingTokenCounter"/>
/// stands in when no tokenizer file is configured, and says so through <see cref="IsExact"/>.
/// </summary>
public interface ITokenCounter
{
    bool IsExact { get; }
    int Count(string text);
    /// <summary>The suffix of <paramref name="text"/> made of its last <paramref name="maxTokens"/> tokens.</summary>
    string KeepLast(string text, int maxTokens);
}
