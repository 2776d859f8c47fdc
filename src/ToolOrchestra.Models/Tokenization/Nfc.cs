namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// Unicode Normalization Form C as JavaScript's <c>String.prototype.normalize("NFC")</c> computes it: canonical
/// decomposition, canonical ordering, canonical composition. Lone surrogates pass through unchanged, as in JS.
/// Most text is already NFC; a quick check returns the same string without allocating.
/// </summary>
internal static class Nfc
{
    [ThreadStatic] private static List<int>? scratch;

    public static string Normalize(string text) => IsQuickNormalized(text) ? text : Compose(text);

    /// <summary>True when <paramref name="text"/> is certainly NFC (the Unicode quick check answered Yes).</summary>
    public static bool IsQuickNormalized(ReadOnlySpan<char> text)
    {
        var lastRank = 0;
        for (var i = 0; i < text.Length; i++)
        {
            int c = text[i];
            if (c < 0x300)
            {
                lastRank = 0; // below U+0300 every character is a starter and NFC-stable
                continue;
            }
            if (char.IsHighSurrogate((char)c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                c = char.ConvertToUtf32((char)c, text[++i]);
            if ((UnicodeData.Of(c) & (UnicodeData.Property.NotNfc | UnicodeData.Property.MaybeNfc)) != 0)
                return false;
            var rank = UnicodeData.CombiningRank(c);
            if (rank != 0 && lastRank > rank) return false;
            lastRank = rank;
        }
        return true;
    }

    private static string Compose(string text)
    {
        var points = scratch ??= new List<int>(256);
        points.Clear();
        for (var i = 0; i < text.Length; i++)
        {
            int c = text[i];
            if (char.IsHighSurrogate((char)c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                c = char.ConvertToUtf32((char)c, text[++i]);
            UnicodeData.Decompose(c, points);
        }

        // Canonical ordering: a stable sort of each run of non-starters by combining class.
        for (var i = 1; i < points.Count; i++)
        {
            var rank = UnicodeData.CombiningRank(points[i]);
            if (rank == 0) continue;
            for (var j = i; j > 0; j--)
            {
                var before = UnicodeData.CombiningRank(points[j - 1]);
                if (before <= rank) break;
                (points[j - 1], points[j]) = (points[j], points[j - 1]);
            }
        }

        // Canonical composition: each character joins the last starter unless something between blocks it.
        var length = 0;
        if (points.Count > 0)
        {
            var starter = points[0];
            var lastRank = UnicodeData.CombiningRank(starter);
            var starterAt = lastRank == 0 ? 0 : -1; // text may begin with non-starters, which never compose
            length = 1;
            for (var i = 1; i < points.Count; i++)
            {
                var c = points[i];
                var rank = UnicodeData.CombiningRank(c);
                var composite = starterAt >= 0 && (lastRank < rank || lastRank == 0)
                    ? UnicodeData.Compose(starter, c) : -1;
                if (composite >= 0)
                {
                    points[starterAt] = composite;
                    starter = composite;
                    continue;
                }
                if (rank == 0)
                {
                    starterAt = length;
                    starter = c;
                }
                lastRank = rank;
                points[length++] = c;
            }
        }

        var builder = new System.Text.StringBuilder(text.Length + 8);
        for (var i = 0; i < length; i++)
        {
            var c = points[i];
            if (c >= 0x10000) builder.Append(char.ConvertFromUtf32(c));
            else builder.Append((char)c);
        }
        return builder.ToString();
    }
}
