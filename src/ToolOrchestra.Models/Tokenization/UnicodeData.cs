using System.Runtime.CompilerServices;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// Per-code-point lookups built once from the generated tables in <c>UnicodeData.g.cs</c>. The tables come from
/// the JavaScript runtime the reference tokenizer runs on, not from .NET's own Unicode data: the process runs with
/// invariant globalization (no normalization at all) and .NET's Unicode version differs from node's.
/// </summary>
internal static partial class UnicodeData
{
    public const int MaxCodePoint = 0x10FFFF;

    [Flags]
    public enum Property : byte
    {
        None = 0,
        Letter = 1,
        Number = 2,
        WhiteSpace = 4,
        /// <summary>Never appears in NFC text (NFC_Quick_Check = No).</summary>
        NotNfc = 8,
        /// <summary>May compose with the character before it (NFC_Quick_Check = Maybe).</summary>
        MaybeNfc = 16,
    }

    private const int HangulSBase = 0xAC00, HangulLBase = 0x1100, HangulVBase = 0x1161, HangulTBase = 0x11A7;
    private const int HangulLCount = 19, HangulVCount = 21, HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount, HangulSCount = HangulLCount * HangulNCount;

    private static readonly byte[] Properties = BuildProperties();
    private static readonly byte[] CombiningRanks = BuildCombiningRanks();
    private static readonly Dictionary<int, int[]> DecompositionMap = BuildDecompositions();
    private static readonly Dictionary<long, int> CompositionMap = BuildCompositions();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Property Of(int codePoint) => (Property)Properties[codePoint];

    /// <summary>The order of the canonical combining class (0 for starters); only order and equality matter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CombiningRank(int codePoint) => CombiningRanks[codePoint];

    /// <summary>Appends the full canonical decomposition of <paramref name="codePoint"/> (itself when it has none).</summary>
    public static void Decompose(int codePoint, List<int> into)
    {
        var s = codePoint - HangulSBase;
        if ((uint)s < HangulSCount)
        {
            into.Add(HangulLBase + s / HangulNCount);
            into.Add(HangulVBase + s % HangulNCount / HangulTCount);
            if (s % HangulTCount != 0) into.Add(HangulTBase + s % HangulTCount);
        }
        else if (DecompositionMap.TryGetValue(codePoint, out var parts))
            into.AddRange(parts);
        else
            into.Add(codePoint);
    }

    /// <summary>The primary composite of <paramref name="first"/> followed by <paramref name="second"/>, or -1.</summary>
    public static int Compose(int first, int second)
    {
        var l = first - HangulLBase;
        if ((uint)l < HangulLCount)
        {
            var v = second - HangulVBase;
            return (uint)v < HangulVCount ? HangulSBase + (l * HangulVCount + v) * HangulTCount : -1;
        }
        var s = first - HangulSBase;
        if ((uint)s < HangulSCount && s % HangulTCount == 0)
        {
            var t = second - HangulTBase;
            return t > 0 && t < HangulTCount ? first + t : -1;
        }
        return CompositionMap.TryGetValue(Key(first, second), out var composite) ? composite : -1;
    }

    private static long Key(int first, int second) => ((long)first << 21) | (uint)second;

    private static byte[] BuildProperties()
    {
        var table = new byte[MaxCodePoint + 1];
        Mark(table, LetterRanges, Property.Letter);
        Mark(table, NumberRanges, Property.Number);
        Mark(table, WhiteSpaceRanges, Property.WhiteSpace);

        var composites = new HashSet<int>();
        var compositions = Compositions;
        for (var i = 0; i < compositions.Length; i += 3)
        {
            table[compositions[i + 1]] |= (byte)Property.MaybeNfc;
            composites.Add(compositions[i + 2]);
        }
        for (var v = 0; v < HangulVCount; v++) table[HangulVBase + v] |= (byte)Property.MaybeNfc;
        for (var t = 1; t < HangulTCount; t++) table[HangulTBase + t] |= (byte)Property.MaybeNfc;

        var decompositions = Decompositions;
        for (var i = 0; i < decompositions.Length; i += 2 + decompositions[i + 1])
            if (!composites.Contains(decompositions[i]))
                table[decompositions[i]] |= (byte)Property.NotNfc;
        return table;
    }

    private static void Mark(byte[] table, ReadOnlySpan<int> ranges, Property property)
    {
        for (var i = 0; i < ranges.Length; i += 2)
            for (var cp = ranges[i]; cp <= ranges[i + 1]; cp++)
                table[cp] |= (byte)property;
    }

    private static byte[] BuildCombiningRanks()
    {
        var table = new byte[MaxCodePoint + 1];
        var ranks = CombiningClassRanks;
        for (var i = 0; i < ranks.Length; i += 2) table[ranks[i]] = (byte)ranks[i + 1];
        return table;
    }

    private static Dictionary<int, int[]> BuildDecompositions()
    {
        var map = new Dictionary<int, int[]>();
        var data = Decompositions;
        for (var i = 0; i < data.Length; i += 2 + data[i + 1])
            map[data[i]] = data.Slice(i + 2, data[i + 1]).ToArray();
        return map;
    }

    private static Dictionary<long, int> BuildCompositions()
    {
        var map = new Dictionary<long, int>();
        var data = Compositions;
        for (var i = 0; i < data.Length; i += 3) map[Key(data[i], data[i + 1])] = data[i + 2];
        return map;
    }
}
