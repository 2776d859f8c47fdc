using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// GAIA's leaderboard verdict (the <c>question_scorer</c> of the gaia-benchmark/leaderboard space), rebuilt from its
/// rules so a local score is the leaderboard's: a gold that reads as a number is compared as a number once the answer
/// loses <c>$</c>, <c>%</c> and <c>,</c> (an answer that is still no number reads as +∞, as there); a gold holding
/// <c>,</c> or <c>;</c> is a list, split on both, of the same length, each element a number or a string compared without
/// whitespace and case (punctuation kept); any other gold is a string compared without whitespace, ASCII punctuation and
/// case. "Reads as a number" is Python's <c>float()</c> (surrounding whitespace, <c>_</c> between digits, inf, nan,
/// Unicode digits), and whitespace is Python's. A missing answer is the text "None", as there. Agreement is checked
/// against the original on generated pairs (scripts/gaia-scorer-golden.py). Lower-casing is .NET's invariant one, which
/// differs from Python's only in context-sensitive cases (a Greek final sigma, U+0130).
/// </summary>
public static partial class GaiaScorer
{
    /// <summary>Python's <c>string.punctuation</c>.</summary>
    private const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static bool Score(string? answer, string gold)
    {
        answer ??= "None";
        if (PythonFloat.TryParse(gold, out var goldNumber)) return NumberOf(answer) == goldNumber;
        if (gold.Contains(',') || gold.Contains(';'))
        {
            var goldItems = gold.Split([',', ';']);
            var answerItems = answer.Split([',', ';']);
            if (goldItems.Length != answerItems.Length) return false;
            for (var i = 0; i < goldItems.Length; i++)
            {
                var same = PythonFloat.TryParse(goldItems[i], out var n)
                    ? NumberOf(answerItems[i]) == n
                    : Normalise(answerItems[i], removePunctuation: false) == Normalise(goldItems[i], removePunctuation: false);
                if (!same) return false;
            }
            return true;
        }
        return Normalise(answer, removePunctuation: true) == Normalise(gold, removePunctuation: true);
    }

    /// <summary>The answer as a number once <c>$</c>, <c>%</c> and <c>,</c> are removed; +∞ when it is none (so it equals an "inf" gold, as there).</summary>
    public static double NumberOf(string answer) =>
        PythonFloat.TryParse(answer.Replace("$", "").Replace("%", "").Replace(",", ""), out var value) ? value : double.PositiveInfinity;

    /// <summary>Whitespace removed, lower-cased, and ASCII punctuation removed when asked.</summary>
    public static string Normalise(string text, bool removePunctuation)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
            if (!PythonFloat.IsSpace(c)) builder.Append(c);
        var lower = builder.ToString().ToLowerInvariant();
        if (!removePunctuation) return lower;
        builder.Clear();
        foreach (var c in lower)
            if (!AsciiPunctuation.Contains(c)) builder.Append(c);
        return builder.ToString();
    }
}

/// <summary>Python's <c>float(str)</c>: what it accepts and the value it gives.</summary>
public static partial class PythonFloat
{
    /// <summary>Python's <c>str.isspace()</c> (and regex <c>\s</c>): .NET's whitespace plus the separators U+001C–U+001F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static bool TryParse(string text, out double value)
    {
        value = 0;
        var start = 0;
        var end = text.Length;
        while (start < end && IsSpace(text[start])) start++;
        while (end > start && IsSpace(text[end - 1])) end--;
        if (start == end) return false;
        // Any Unicode decimal digit counts as its ASCII digit; any other non-ASCII character makes it no number.
        var ascii = new StringBuilder(end - start);
        foreach (var rune in text.AsSpan(start, end - start).EnumerateRunes())
        {
            if (rune.IsAscii) ascii.Append((char)rune.Value);
            else if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.DecimalDigitNumber) ascii.Append((char)('0' + (int)Rune.GetNumericValue(rune)));
            else return false;
        }
        var s = ascii.ToString();
        if (Special().Match(s) is { Success: true } special)
        {
            var negative = special.Groups[1].Value == "-";
            value = special.Groups[2].Value.Equals("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN
                : negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (!Grammar().IsMatch(s)) return false;
        value = double.Parse(s.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture);
        return true;
    }

    [GeneratedRegex(@"^([+-]?)(inf|infinity|nan)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Special();

    // [sign] (digitpart "." [digitpart] | [digitpart] "." digitpart | digitpart) [exponent], digitpart = digit ("_"? digit)*
    [GeneratedRegex(@"^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
