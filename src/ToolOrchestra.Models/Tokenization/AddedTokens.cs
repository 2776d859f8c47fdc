using System.Buffers;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>One entry of <c>added_tokens</c> in <c>tokenizer.json</c> (e.g. <c>&lt;|im_start|&gt;</c>, <c>&lt;think&gt;</c>).</summary>
public sealed record AddedToken(int Id, string Content, bool Special, bool LeftStrip = false, bool RightStrip = false);

/// <summary>
/// Finds added tokens in raw text before normalization, as the reference does: scanning left to right, at each
/// position the longest added token that starts there wins. <c>single_word</c> and <c>normalized</c> are ignored,
/// as in the reference.
/// </summary>
internal sealed class AddedTokens
{
    private readonly Dictionary<char, AddedToken[]> byFirstChar;
    private readonly SearchValues<char> firstChars;
    private readonly Dictionary<string, AddedToken> byContent;

    public AddedTokens(IReadOnlyList<AddedToken> tokens)
    {
        All = tokens;
        byContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (var t in tokens) byContent[t.Content] = t;
        byFirstChar = byContent.Values
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        firstChars = SearchValues.Create(byFirstChar.Keys.ToArray());
        HasStripping = tokens.Any(t => t.LeftStrip || t.RightStrip);
    }

    public IReadOnlyList<AddedToken> All { get; }

    /// <summary>True when some token strips whitespace beside it (none does in Qwen's files).</summary>
    public bool HasStripping { get; }

    public bool TryGet(string content, out AddedToken token) => byContent.TryGetValue(content, out token!);

    /// <summary>The first added token at or after <paramref name="from"/>; its start is returned in <paramref name="at"/>.</summary>
    public AddedToken? FindNext(ReadOnlySpan<char> text, int from, out int at)
    {
        var i = from;
        while (i < text.Length)
        {
            var found = text[i..].IndexOfAny(firstChars);
            if (found < 0) break;
            i += found;
            foreach (var candidate in byFirstChar[text[i]])
            {
                if (text[i..].StartsWith(candidate.Content, StringComparison.Ordinal))
                {
                    at = i;
                    return candidate;
                }
            }
            i++;
        }
        at = text.Length;
        return null;
    }
}
