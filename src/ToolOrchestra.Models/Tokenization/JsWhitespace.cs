namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// JavaScript's whitespace (what <c>\s</c>, <c>trim</c>, <c>trimStart</c> and <c>trimEnd</c> remove): tab, line
/// feed, vertical tab, form feed, carriage return, space separators (Zs), U+2028, U+2029 and U+FEFF. Both reference
/// implementations (transformers.js and @huggingface/jinja) trim with it.
/// </summary>
internal static class JsWhitespace
{
    public static bool Is(char c) => (UnicodeData.Of(c) & UnicodeData.Property.WhiteSpace) != 0;

    public static string Trim(string s) => TrimEnd(TrimStart(s));

    public static string TrimStart(string s)
    {
        var i = 0;
        while (i < s.Length && Is(s[i])) i++;
        return i == 0 ? s : s[i..];
    }

    public static string TrimEnd(string s)
    {
        var i = s.Length;
        while (i > 0 && Is(s[i - 1])) i--;
        return i == s.Length ? s : s[..i];
    }
}
