namespace ToolOrchestra.Core.Text;

/// <summary>
/// Signed feature hashing of words and word n-grams. FNV-1a over the characters, seeded, so buckets are the same in
/// every process and on every machine (string.GetHashCode is randomised per process and would break saved weights).
/// </summary>
public static class FeatureHashing
{
    private const ulong FnvPrime = 1099511628211UL;
    private const ulong FnvOffset = 14695981039346656037UL;

    public static ulong Hash(ReadOnlySpan<char> text, ulong seed)
    {
        var h = FnvOffset ^ seed;
        foreach (var c in text)
        {
            h ^= (byte)c;
            h *= FnvPrime;
            h ^= (byte)(c >> 8);
            h *= FnvPrime;
        }
        return Mix(h);
    }

    /// <summary>Combines two hashes into one (an n-gram from its words, a feature with its context).</summary>
    public static ulong Combine(ulong a, ulong b) => Mix(a ^ (b + 0x9E3779B97F4A7C15UL + (a << 6) + (a >> 2)));

    /// <summary>Adds ±1 to the bucket of <paramref name="hash"/>; the sign comes from a high bit so collisions cancel on average.</summary>
    public static void Add(Span<double> buckets, ulong hash)
    {
        var bucket = (int)(hash % (ulong)buckets.Length);
        buckets[bucket] += (hash >> 63) == 0 ? 1.0 : -1.0;
    }

    /// <summary>Lower-cased alphanumeric words; any word containing a digit becomes "&lt;num&gt;" (numbers say "arithmetic", not which).</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                var word = text.AsSpan(start, i - start);
                words.Add(word.ContainsAnyInRange('0', '9') ? "<num>" : word.ToString().ToLowerInvariant());
                start = -1;
            }
        }
        return words;
    }

    // SplitMix64 finaliser: spreads FNV's weak low bits before taking a modulus.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
