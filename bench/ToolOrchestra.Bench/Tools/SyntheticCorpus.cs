using System.Text;
using System.Text.Json;

namespace ToolOrchestra.Bench.Tools;

/// <summary>
/// A reproducible corpus for index benchmarks: pseudo-words with Zipf-distributed frequencies (like natural
/// text: a few words in nearly every document, a long tail of rare ones), 60–160 words per document.
/// </summary>
internal sealed class SyntheticCorpus
{
    public const int VocabularySize = 50_000;

    /// <summary>The most frequent words play the part of stop words.</summary>
    public const int FrequentWords = 100;

    private readonly string[] _vocabulary;
    private readonly double[] _cumulative;

    public SyntheticCorpus(int seed = 42)
    {
        var random = new Random(seed);
        _vocabulary = new string[VocabularySize];
        var seen = new HashSet<string>();
        for (var i = 0; i < VocabularySize; i++)
        {
            string word;
            do
            {
                var chars = new char[random.Next(3, 11)];
                for (var j = 0; j < chars.Length; j++) chars[j] = (char)('a' + random.Next(26));
                word = new string(chars);
            } while (!seen.Add(word));
            _vocabulary[i] = word;
        }
        _cumulative = new double[VocabularySize];
        var total = 0.0;
        for (var i = 0; i < VocabularySize; i++) _cumulative[i] = total += 1.0 / (i + 1);
        for (var i = 0; i < VocabularySize; i++) _cumulative[i] /= total;
    }

    public string Word(Random random)
    {
        var i = Array.BinarySearch(_cumulative, random.NextDouble());
        return _vocabulary[Math.Min(i < 0 ? ~i : i, VocabularySize - 1)];
    }

    public bool IsFrequent(string word) => Array.IndexOf(_vocabulary, word, 0, FrequentWords) >= 0;

    public IEnumerable<string> Documents(int count, int seed = 7)
    {
        var random = new Random(seed);
        for (var d = 0; d < count; d++)
        {
            var words = random.Next(60, 161);
            var sb = new StringBuilder();
            for (var w = 0; w < words; w++) sb.Append(w == 0 ? "" : " ").Append(Word(random));
            yield return sb.ToString();
        }
    }

    public void WriteJsonl(string path, int count)
    {
        using var writer = new StreamWriter(path);
        var i = 0;
        foreach (var doc in Documents(count))
            writer.WriteLine(JsonSerializer.Serialize(new { id = "doc" + i++, contents = doc }));
    }

    /// <summary>
    /// Queries as a model writes them: a few key words of one document. "keywords": one frequent word and three
    /// rarer words of the document; "sampled": four words drawn from the document as they occur (mostly frequent).
    /// </summary>
    public List<string> Queries(string kind, int count, int documents, int seed = 11)
    {
        var random = new Random(seed);
        var docs = Documents(documents).Where((_, i) => i % Math.Max(1, documents / count) == 0).Take(count).ToList();
        return docs.Select(doc =>
        {
            var words = doc.Split(' ');
            if (kind == "sampled") return string.Join(" ", Enumerable.Range(0, 4).Select(_ => words[random.Next(words.Length)]));
            var rare = words.Where(w => !IsFrequent(w)).Distinct().OrderBy(_ => random.Next()).Take(3);
            var frequent = words.Where(IsFrequent).DefaultIfEmpty(words[0]).First();
            return string.Join(" ", rare.Prepend(frequent));
        }).ToList();
    }
}
