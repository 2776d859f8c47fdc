using System.Text;
using System.Text.RegularExpressions;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// Turns any text a model writes into a safe FTS5 query: its words, each quoted, joined with OR. Punctuation,
/// FTS5 operators (AND, NEAR, *, ^, column filters) and unbalanced quotes in the input become plain separators,
/// so no query can raise a syntax error. Very common English words are dropped when other words remain:
/// they add little to BM25 and make OR queries scan most of the index.
/// </summary>
public static partial class FtsQuery
{
    /// <summary>Words kept per query; a model pasting a paragraph should not turn into a thousand-term scan.</summary>
    public const int MaxTerms = 32;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its",
        "of", "on", "or", "that", "the", "this", "to", "was", "were", "what", "when", "where", "which", "who",
        "with", "how", "did", "do", "does",
        "s", "t", // possessives and contractions split at the apostrophe: "Eiffel's", "don't"
    };

    /// <summary>The words of <paramref name="text"/> as the index's tokenizer would split them, lower-cased, in order, without repeats.</summary>
    public static IReadOnlyList<string> Terms(string text)
    {
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Word().Matches(text))
        {
            var term = m.Value.ToLowerInvariant();
            if (seen.Add(term)) terms.Add(term);
        }
        var content = terms.Where(t => !StopWords.Contains(t)).ToList();
        return (content.Count > 0 ? content : terms).Take(MaxTerms).ToList();
    }

    /// <summary>The MATCH expression, or null when the text has no words at all (the search then finds nothing).</summary>
    public static string? Build(string text)
    {
        var terms = Terms(text);
        return terms.Count == 0 ? null : Match(terms);
    }

    /// <summary>Words from <see cref="Terms"/>, each quoted, joined with OR.</summary>
    public static string Match(IEnumerable<string> terms)
    {
        var sb = new StringBuilder();
        foreach (var term in terms)
        {
            if (sb.Length > 0) sb.Append(" OR ");
            sb.Append('"').Append(term).Append('"');
        }
        return sb.ToString();
    }

    // The token characters of FTS5's unicode61 tokenizer (categories L* N* Co, marks folded by remove_diacritics);
    // everything else, the double quote included, separates terms, so a term can never break out of its quotes.
    [GeneratedRegex(@"[\p{L}\p{N}\p{M}\p{Co}]*[\p{L}\p{N}\p{Co}][\p{L}\p{N}\p{M}\p{Co}]*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
