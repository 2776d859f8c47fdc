using System.Runtime.CompilerServices;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// The Qwen2/Qwen3 pre-tokenizer: splits text into the pieces matched by
/// <see cref="Pattern"/> exactly as the reference's JavaScript regex (flags <c>gu</c>) does, written by hand
/// because it runs once per piece of every text. Alternatives are tried in order at each position:
/// contractions, an optional non-letter then letters, one number, an optional space then punctuation and
/// trailing line breaks, whitespace ending in a line break, whitespace not followed by a non-space, whitespace.
/// </summary>
internal static class Qwen2PreTokenizer
{
    /// <summary>The split regex of every Qwen2/Qwen2.5/Qwen3 <c>tokenizer.json</c>.</summary>
    public const string Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private enum Kind : byte { Other, Letter, Number, Space }

    /// <summary>The end (exclusive) of the piece that starts at <paramref name="start"/>.</summary>
    public static int PieceEnd(ReadOnlySpan<char> text, int start)
    {
        var n = text.Length;
        var c = text[start];

        if (c == '\'' && start + 1 < n)
        {
            switch (text[start + 1])
            {
                case 's' or 'S' or 't' or 'T' or 'm' or 'M' or 'd' or 'D':
                    return start + 2;
                case 'r' or 'R' when start + 2 < n && text[start + 2] is 'e' or 'E':
                case 'v' or 'V' when start + 2 < n && text[start + 2] is 'e' or 'E':
                case 'l' or 'L' when start + 2 < n && text[start + 2] is 'l' or 'L':
                    return start + 3;
            }
        }

        var kind = KindAt(text, start, out var width);
        switch (kind)
        {
            case Kind.Letter:
                return SkipLetters(text, start + width);
            case Kind.Number:
                return start + width;
        }

        // An optional non-letter, non-number, non-line-break character glued to the letters after it.
        if (c != '\r' && c != '\n' && start + width < n && KindAt(text, start + width, out _) == Kind.Letter)
            return SkipLetters(text, start + width);

        if (kind == Kind.Other)
            return SkipLineBreaks(text, SkipOthers(text, start));
        if (c == ' ' && start + 1 < n && KindAt(text, start + 1, out _) == Kind.Other)
            return SkipLineBreaks(text, SkipOthers(text, start + 1));

        // Whitespace (always one UTF-16 unit): up to its last line break, else all of it but the last
        // character when something follows, else all of it.
        var end = start;
        var lastBreak = -1;
        while (end < n && IsSpace(text[end]))
        {
            if (text[end] is '\r' or '\n') lastBreak = end;
            end++;
        }
        if (lastBreak >= 0) return lastBreak + 1;
        if (end == n || end - start == 1) return end;
        return end - 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Kind KindAt(ReadOnlySpan<char> text, int i, out int width)
    {
        int c = text[i];
        width = 1;
        if (char.IsHighSurrogate((char)c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            c = char.ConvertToUtf32((char)c, text[i + 1]);
            width = 2;
        }
        var p = UnicodeData.Of(c);
        if ((p & UnicodeData.Property.Letter) != 0) return Kind.Letter;
        if ((p & UnicodeData.Property.Number) != 0) return Kind.Number;
        return (p & UnicodeData.Property.WhiteSpace) != 0 ? Kind.Space : Kind.Other;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSpace(char c) => (UnicodeData.Of(c) & UnicodeData.Property.WhiteSpace) != 0;

    private static int SkipLetters(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length)
        {
            var c = text[i];
            if (c < 0x80)
            {
                if ((uint)((c | 0x20) - 'a') > 'z' - 'a') break;
                i++;
                continue;
            }
            if (KindAt(text, i, out var width) != Kind.Letter) break;
            i += width;
        }
        return i;
    }

    private static int SkipOthers(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && KindAt(text, i, out var width) == Kind.Other) i += width;
        return i;
    }

    private static int SkipLineBreaks(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && text[i] is '\r' or '\n') i++;
        return i;
    }
}
